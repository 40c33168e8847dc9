"""A filter that raises on one row: under `null` that row alone is kept with null metrics and a reason;
under `raise` the run stops naming it."""

import numpy as np
import pyarrow as pa
import pytest

from filters.base import Filter
from tests.batches import batch_of
from utils.core.errors import BadRecordError
from utils.core.resources import Resources
from utils.core.schema import BASE_SCHEMA
from utils.pipeline.fused_pass import FusedPass


class FirstTokenSquared(Filter):
    """Test filter: the first token squared; its kernel fails on rows that start with 13."""

    name = "first_token_squared"
    reads = ("tokens",)
    adds = pa.schema([("first_squared", pa.int64())])

    def compute(self, batch):
        first = np.array([row[0] for row in batch.column("tokens").to_pylist()], np.int64)
        if (first == 13).any():
            raise ValueError("unlucky first token")
        return {"first_squared": first**2}


class Length(Filter):
    """Test filter before the failing one: its value for the failed row is nulled with the row."""

    name = "length"
    reads = ("tokens",)
    adds = pa.schema([("length", pa.int64())])

    def compute(self, batch):
        return {"length": [len(row) for row in batch.column("tokens").to_pylist()]}


class LengthAfter(Length):
    """Test filter after the failing one: the failed row must not reach it."""

    name = "length_after"
    adds = pa.schema([("length_after", pa.int64())])

    def compute(self, batch):
        return {"length_after": super().compute(batch)["length"]}


def run(policy, rows):
    filters = (Length, FirstTokenSquared, LengthAfter)
    schema = pa.schema([*BASE_SCHEMA, *[field for cls in filters for field in cls.adds]])
    fused = FusedPass(filters, Resources(), schema, "memories/duped.70m", policy, 100)
    return fused.process(batch_of(rows), [cls(Resources()) for cls in filters]).to_pydict()


def test_null_policy_keeps_the_failing_row_with_null_metrics_and_the_filter_named():
    out = run("null", [[2, 3], [13, 4, 5], [7], [-1]])
    assert out["invalid_reason"] == [None, "filter_error:first_token_squared", None, "negative_token_id"]
    assert out["first_squared"] == [4, None, 49, None]
    assert out["length"] == [2, None, 1, None]  # computed before the failure, nulled with the row
    assert out["length_after"] == [2, None, 1, None]
    assert out["sequence_id"] == [0, 1, 2, 3]


def test_raise_policy_names_split_sequence_id_and_filter():
    with pytest.raises(
        BadRecordError, match=r"Filter 'first_token_squared' failed in split memories/duped.70m, sequence_id 1: ValueError: unlucky"
    ):
        run("raise", [[2, 3], [13, 4, 5], [7]])


def test_a_batch_error_that_no_single_row_causes_is_not_a_bad_record():
    class BatchOnly(FirstTokenSquared):
        """Test filter: fails on batches of more than one row (like running out of memory)."""

        def compute(self, batch):
            if batch.num_rows > 1:
                raise MemoryError("batch too large")
            return super().compute(batch)

    schema = pa.schema([*BASE_SCHEMA, *BatchOnly.adds])
    fused = FusedPass((BatchOnly,), Resources(), schema, "t", "null", 100)
    with pytest.raises(MemoryError):
        fused.process(batch_of([[2], [3]]), [BatchOnly(Resources())])
