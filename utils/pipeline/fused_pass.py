"""One `mapInArrow` pass that validates tokens and runs every filter of the plan on each Arrow batch.

Bad records follow one policy (`data.bad_records`): a row whose input is invalid (tokens, id, score, an unreadable
JSON line), or on which a filter's `compute` raises, is kept with null metrics and an `invalid_reason` (`null`), or
stops the run with a message naming the split, the row and the reason or filter (`raise`). Under `raise` the row
checks also run alone first (`first_bad_record`), so that bad input stops the run before any metric is computed and
without a failed task.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from filters.base import Filter
from metrics.tokens import validate_tokens
from utils.core.errors import BadRecordError
from utils.core.resources import Resources
from utils.core.schema import (
    IDENTITY_SCHEMA,
    INCOMPLETE_REASON,
    INVALID_MEMORIZATION_SCORE,
    INVALID_REASON,
    NULL_SEQUENCE_ID,
    own_columns,
)
from utils.pipeline.plan import Plan
from utils.runtime.spark_session import job_description

log = logging.getLogger(__name__)


class FilterContractError(RuntimeError):
    """A filter returned columns of the wrong length: a defect of the filter, never a bad record."""


FILTER_ERROR = "filter_error:{name}"  # invalid_reason of a row on which that filter raised
LOGGED_FILTER_ERRORS = 5  # per pass: the first few messages go to the executor's log
BAD_ROWS_SCHEMA = pa.schema([("reason", pa.string()), ("location", pa.string()), ("rank", pa.int64())])


class FusedPass:
    """Callable shipped to executors: Arrow batches of one split in, the same rows plus metrics out."""

    def __init__(
        self,
        filters: tuple[type[Filter], ...],
        resources: Resources,
        output_schema: pa.Schema,
        split_label: str,
        policy: str,
        vocab_size: int | None,
        token_limits: tuple[tuple[int, str], ...] = (),
        min_tokens: int | None = None,
        extra_columns: tuple[str, ...] = (),
    ):
        self.filters = filters
        self.resources = resources
        self.output_schema = output_schema
        self.split_label = split_label
        self.policy = policy
        self.vocab_size = vocab_size
        self.token_limits = token_limits  # (limit, reason): a filter's table ends below the vocabulary
        self.min_tokens = min_tokens  # valid rows shorter than this get some metrics null, with a reason
        self.extra_columns = extra_columns  # an input's own columns, passed through after the identity columns
        self.output_names = with_extra_columns(output_schema.names, extra_columns)
        self.logged_errors = 0

    @classmethod
    def for_plan(
        cls,
        plan: Plan,
        resources: Resources,
        split_label: str,
        policy: str,
        vocab_size: int | None,
        extra_columns: tuple[str, ...] = (),
    ) -> FusedPass:
        """The pass of a plan, with the token limits and minimum length its filters declare for these resources."""
        limits = tuple((limit, f.outside_reason) for f in plan.filters if (limit := f.token_limit(resources)) is not None)
        min_tokens = max((n for f in plan.filters if (n := f.min_tokens(resources))), default=None)
        return cls(plan.filters, resources, plan.output_schema, split_label, policy, vocab_size, limits, min_tokens, extra_columns)

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        instances = [cls(self.resources) for cls in self.filters]
        for batch in batches:
            yield self.process(batch, instances)

    def bad_rows(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        """The row checks alone, no filter run: (reason, where) of each bad row (run before the pass under `raise`, so
        that a bad record stops the run before any metric is computed, with no task failing)."""
        for batch in batches:
            columns, reasons = self.checked(batch)
            bad = np.flatnonzero(reasons != None)  # noqa: E711  (object array: elementwise test for None)
            yield pa.RecordBatch.from_pydict(
                {
                    "reason": reasons[bad].tolist(),
                    "location": [_where(columns, int(row)) for row in bad],
                    "rank": _rank(columns).take(pa.array(bad, pa.int64())),
                },
                schema=BAD_ROWS_SCHEMA,
            )

    def checked(self, batch: pa.RecordBatch) -> tuple[dict[str, pa.Array], np.ndarray]:
        """The batch's columns (tokens as int32 lists) and each row's invalid_reason (None: valid)."""
        columns = {name: batch.column(name) for name in batch.schema.names}
        tokens, reasons = validate_tokens(columns["tokens"], self.vocab_size)
        columns["tokens"] = tokens
        _flag_outside_limits(tokens, reasons, self.token_limits)
        _flag_input_problems(columns, reasons)
        return columns, reasons

    def process(self, batch: pa.RecordBatch, instances: list[Filter]) -> pa.RecordBatch:
        columns, reasons = self.checked(batch)
        tokens = columns["tokens"]
        if self.policy == "raise" and (reasons != None).any():  # noqa: E711  (object array: elementwise test for None)
            first = int(np.flatnonzero(reasons != None)[0])  # noqa: E711
            raise self.bad_record(columns, first, reasons[first])
        valid_rows = np.flatnonzero(reasons == None)  # noqa: E711
        # The usual batch has no invalid row: nothing to take out here nor to scatter back below.
        work = pa.RecordBatch.from_pydict(columns if len(valid_rows) == len(batch) else {n: a.take(valid_rows) for n, a in columns.items()})
        for instance in instances:
            produced, failed = self.compute(instance, work, columns, valid_rows)
            if failed.any():
                reasons[valid_rows[failed]] = FILTER_ERROR.format(name=instance.name)
                keep = np.flatnonzero(~failed)
                valid_rows, work = valid_rows[keep], work.take(pa.array(keep))
                produced = {name: array.take(pa.array(keep)) for name, array in produced.items()}
            for field in instance.adds:
                work = work.append_column(field, produced[field.name])
        columns[INVALID_REASON] = pa.array(reasons.tolist(), pa.string())
        columns[INCOMPLETE_REASON] = _incomplete_reasons(tokens, columns[INVALID_REASON], self.min_tokens)
        # Position of each row among the rows that stayed valid, null elsewhere: `take` then yields nulls there.
        position = np.full(len(batch), -1, np.int64)
        position[valid_rows] = np.arange(len(valid_rows))
        scatter = None if len(valid_rows) == len(batch) else pa.array(position, pa.int64(), mask=position < 0)
        for name in self.output_schema.names:
            if name not in columns:
                columns[name] = work.column(name) if scatter is None else work.column(name).take(scatter)
        if not self.extra_columns:
            return pa.RecordBatch.from_arrays([columns[name] for name in self.output_names], schema=self.output_schema)
        fields = {field.name: field for field in self.output_schema}
        fields.update((name, batch.schema.field(name)) for name in self.extra_columns)
        schema = pa.schema([fields[name] for name in self.output_names])
        return pa.RecordBatch.from_arrays([columns[name] for name in self.output_names], schema=schema)

    def compute(
        self, instance: Filter, work: pa.RecordBatch, columns: dict[str, pa.Array], valid_rows: np.ndarray
    ) -> tuple[dict[str, pa.Array], np.ndarray]:
        """The filter's columns for `work`, and which of its rows made the filter raise (their values are null).

        A batch that raises is computed again row by row, so one bad row costs only itself.
        """
        failed = np.zeros(work.num_rows, dtype=bool)
        try:
            return self.arrays(instance, instance.compute(work) if work.num_rows else {}, work.num_rows), failed
        except Exception as batch_error:  # noqa: BLE001  (any kernel error is a bad record of some row, or re-raised below)
            if isinstance(batch_error, (BadRecordError, FilterContractError)):
                raise
            parts: dict[str, list[pa.Array]] = {field.name: [] for field in instance.adds}
            for row in range(work.num_rows):
                try:
                    produced = self.arrays(instance, instance.compute(work.slice(row, 1)), 1)
                except FilterContractError:
                    raise
                except Exception as error:  # noqa: BLE001
                    failed[row] = True
                    sequence_id = columns["sequence_id"][int(valid_rows[row])].as_py()
                    message = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
                    if self.policy == "raise":
                        raise BadRecordError(
                            f"Filter {instance.name!r} failed in split {self.split_label}, sequence_id {sequence_id}: {message} "
                            "(data.bad_records=raise; use 'null' to keep such rows flagged instead)."
                        ) from None
                    if self.logged_errors < LOGGED_FILTER_ERRORS:
                        self.logged_errors += 1
                        log.warning(
                            "Split %s, sequence_id %s: filter %r failed (%s); the row is kept with null metrics.",
                            self.split_label,
                            sequence_id,
                            instance.name,
                            message,
                        )
                    produced = {field.name: pa.nulls(1, field.type) for field in instance.adds}
                for name, array in produced.items():
                    parts[name].append(array)
            if not failed.any():  # the batch failed but no row alone does: not a bad record (memory, device...)
                raise
            return {name: pa.concat_arrays(arrays) for name, arrays in parts.items()}, failed

    @staticmethod
    def arrays(instance: Filter, produced: dict[str, Any], rows: int) -> dict[str, pa.Array]:
        return {field.name: _to_arrow(produced.get(field.name, []), field.type, rows, instance.name, field.name) for field in instance.adds}

    def bad_record(self, columns: dict[str, pa.Array], row: int, reason: str) -> BadRecordError:
        return BadRecordError(
            f"Bad record in split {self.split_label}, {_where(columns, row)}: "
            f"{reason} (data.bad_records=raise; use 'null' to keep such rows flagged instead)."
        )


def first_bad_record(spark, frame, plan: Plan, resources: Resources, split_label: str, vocab_size: int | None) -> BadRecordError | None:
    """The error naming the split's first bad row (file and line, or sequence_id) and its reason, from one Spark job of
    the row checks alone; None when every row is valid."""
    from pyspark.sql import functions as F

    fused = FusedPass.for_plan(plan, resources, split_label, "raise", vocab_size, own_columns(frame.columns))
    with job_description(spark, f"{split_label}: check every row before computing (bad_records=raise)"):
        bad = frame.mapInArrow(fused.bad_rows, "reason string, location string, rank long")
        found = (
            bad.groupBy("reason")
            .agg(F.count(F.lit(1)).alias("rows"), F.min_by("location", "rank").alias("location"), F.min("rank").alias("rank"))
            .collect()
        )
    if not found:
        return None
    total = sum(row["rows"] for row in found)
    first = min(found, key=lambda row: row["rank"])
    return BadRecordError(
        f"Bad record in split {split_label}, {first['location']}: {first['reason']} ({total} bad row(s): "
        + ", ".join(f"{row['reason']} {row['rows']}" for row in sorted(found, key=lambda row: row["reason"]))
        + "; data.bad_records=raise; use 'null' to keep such rows flagged instead)."
    )


def apply_plan(frame, plan: Plan, resources: Resources, split_label: str, policy: str, vocab_size: int | None):
    """The split's DataFrame with every filter's columns, from one fused `mapInArrow` pass."""
    from pyspark.sql.pandas.types import from_arrow_schema
    from pyspark.sql.types import StructType

    extra = own_columns(frame.columns)
    fused = FusedPass.for_plan(plan, resources, split_label, policy, vocab_size, extra)
    fields = {field.name: field for field in from_arrow_schema(plan.output_schema).fields}
    fields.update((field.name, field) for field in frame.schema.fields if field.name in extra)
    return frame.mapInArrow(fused, StructType([fields[name] for name in fused.output_names]))


def with_extra_columns(names: list[str], extra: tuple[str, ...]) -> list[str]:
    """Output column order: the input's own columns right after the identity columns."""
    after = names.index(IDENTITY_SCHEMA.names[-1]) + 1
    return [*names[:after], *extra, *names[after:]]


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


def _flag_input_problems(columns: dict[str, pa.Array], reasons: np.ndarray) -> None:
    """Sets the reason of rows whose input is bad besides their tokens: the reader's own (a JSON line that is not an
    object) over any token reason, then on still-valid rows a null sequence_id, then a memorization_score that is not a
    number in [0, 1] (null is allowed: no score known)."""
    given = columns.get(INVALID_REASON)
    if given is not None and given.null_count < len(given):
        found = given.to_numpy(zero_copy_only=False)
        reasons[found != None] = found[found != None]  # noqa: E711  (object array: elementwise test for None)
    if "sequence_id" in columns:
        no_id = columns["sequence_id"].is_null().to_numpy(zero_copy_only=False)
        reasons[no_id & (reasons == None)] = NULL_SEQUENCE_ID  # noqa: E711
    if "memorization_score" in columns:
        score = columns["memorization_score"].to_numpy(zero_copy_only=False).astype(np.float64)  # null -> NaN
        known = ~columns["memorization_score"].is_null().to_numpy(zero_copy_only=False)
        with np.errstate(invalid="ignore"):
            bad = known & ~((score >= 0) & (score <= 1))
        reasons[bad & (reasons == None)] = INVALID_MEMORIZATION_SCORE  # noqa: E711


def _rank(columns: dict[str, pa.Array]) -> pa.Array:
    """Which bad row is reported first: the lowest line (JSON Lines), else the lowest sequence_id (no id: first)."""
    order = columns["source_line"] if "source_line" in columns else columns["sequence_id"]
    return pc.fill_null(order.cast(pa.int64()), -1)


def _where(columns: dict[str, pa.Array], row: int) -> str:
    """How to find a row: its file and line (JSON Lines), else its sequence_id."""
    if "source_line" in columns and "source_file" in columns:
        return f"{columns['source_file'][row].as_py()} line {columns['source_line'][row].as_py()}"
    sequence_id = columns["sequence_id"][row].as_py()
    return "a row without sequence_id" if sequence_id is None else f"sequence_id {sequence_id}"


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
        raise FilterContractError(f"Filter {filter_name!r} returned {len(values)} values of {column!r} for {rows} rows.")
    return values
