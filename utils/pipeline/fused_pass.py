"""One `mapInArrow` pass that validates tokens and runs consecutive row-local filters on each batch."""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from filters.base import Filter
from metrics.tokens import validate_tokens
from utils.pipeline.errors import BadRecordError
from utils.pipeline.plan import INCOMPLETE_REASON, INVALID_REASON


class FusedPass:
    """Callable shipped to executors: Arrow batches of one split in, the same rows plus metrics out."""

    def __init__(
        self,
        filters: tuple[type[Filter], ...],
        resources: dict[str, Any],
        output_schema: pa.Schema,
        split_label: str,
        policy: str,
        vocab_size: int | None,
        validate: bool,
        token_limits: tuple[tuple[int, str], ...] = (),
        min_tokens: int | None = None,
    ):
        self.filters = filters
        self.resources = resources
        self.output_schema = output_schema
        self.split_label = split_label
        self.policy = policy
        self.vocab_size = vocab_size
        self.validate = validate  # the first pass validates tokens; later passes see them validated
        self.token_limits = token_limits  # (limit, reason): a filter's table ends below the vocabulary
        self.min_tokens = min_tokens  # valid rows shorter than this get some metrics null, with a reason

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        instances = [cls(self.resources) for cls in self.filters]
        for batch in batches:
            yield self.process(batch, instances)

    def process(self, batch: pa.RecordBatch, instances: list[Filter]) -> pa.RecordBatch:
        columns = {name: batch.column(name) for name in batch.schema.names}
        if self.validate:
            tokens, reasons = validate_tokens(columns["tokens"], self.vocab_size)
            columns["tokens"] = tokens
            _flag_outside_limits(tokens, reasons, self.token_limits)
            columns[INVALID_REASON] = pa.array(reasons.tolist(), pa.string())
            columns[INCOMPLETE_REASON] = _incomplete_reasons(tokens, columns[INVALID_REASON], self.min_tokens)
            if self.policy == "raise" and columns[INVALID_REASON].null_count != len(batch):
                self.raise_first_bad(columns)
        valid = columns[INVALID_REASON].is_null()
        valid_rows = np.flatnonzero(valid.to_numpy(zero_copy_only=False))
        work = pa.RecordBatch.from_pydict({name: array.take(valid_rows) for name, array in columns.items()})
        # Position of each row among the valid ones, null for flagged rows: `take` then yields nulls there.
        scatter = pa.array(np.cumsum(valid.to_numpy(zero_copy_only=False)) - 1, pa.int64(), mask=~valid.to_numpy(zero_copy_only=False))
        for instance in instances:
            produced = instance.compute(work) if work.num_rows else {}
            for field in instance.adds:
                array = _to_arrow(produced.get(field.name, []), field.type, work.num_rows, instance.name, field.name)
                work = work.append_column(field, array)
                columns[field.name] = array.take(scatter)
        return pa.RecordBatch.from_arrays([columns[name] for name in self.output_schema.names], schema=self.output_schema)

    def raise_first_bad(self, columns: dict[str, pa.Array]) -> None:
        reasons = columns[INVALID_REASON]
        first = int(np.flatnonzero(~reasons.is_null().to_numpy(zero_copy_only=False))[0])
        raise BadRecordError(
            f"Bad record in split {self.split_label}, sequence_id {columns['sequence_id'][first].as_py()}: "
            f"{reasons[first].as_py()} (data.bad_records=raise; use 'null' to keep such rows flagged instead)."
        )


def _flag_outside_limits(tokens: pa.Array, reasons: np.ndarray, limits: tuple[tuple[int, str], ...]) -> None:
    """Sets `reason` on still-valid rows holding an id >= limit."""
    if not limits or len(tokens) == 0:
        return
    lengths = pc.list_value_length(tokens).fill_null(0).to_numpy(zero_copy_only=False)
    values = tokens.flatten().fill_null(0).to_numpy(zero_copy_only=False)
    row_of_value = np.repeat(np.arange(len(tokens)), np.where(tokens.is_null().to_numpy(zero_copy_only=False), 0, lengths))
    for limit, reason in limits:
        rows = np.unique(row_of_value[values >= limit])
        rows = rows[reasons[rows] == None]  # noqa: E711  (object array: elementwise test for None)
        reasons[rows] = reason


def _incomplete_reasons(tokens: pa.Array, invalid: pa.Array, min_tokens: int | None) -> pa.Array:
    """`shorter_than_{n}_tokens` for valid rows below the plan's longest requirement, else null."""
    if not min_tokens:
        return pa.nulls(len(tokens), pa.string())
    lengths = pc.list_value_length(tokens).fill_null(0).to_numpy(zero_copy_only=False)
    short = (lengths < min_tokens) & invalid.is_null().to_numpy(zero_copy_only=False)
    return pa.array(np.where(short, f"shorter_than_{min_tokens}_tokens", None).tolist(), pa.string())


def _to_arrow(values: Any, arrow_type: pa.DataType, rows: int, filter_name: str, column: str) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not isinstance(values, pa.Array):
        values = pa.array(values, arrow_type, from_pandas=True)  # from_pandas: NaN becomes null
    if values.type != arrow_type:
        values = values.cast(arrow_type)
    if len(values) != rows:
        raise RuntimeError(f"Filter {filter_name!r} returned {len(values)} values of {column!r} for {rows} rows.")
    return values

