"""Arrow batches shaped like the fused pass's input, for filter tests that run without Spark."""

import pyarrow as pa

from utils.core.schema import BASE_SCHEMA


def batch_of(token_rows):
    """A BASE_SCHEMA batch with these token rows, sequence_ids 0..n-1, every other column null."""
    rows = len(token_rows)
    columns = {field.name: pa.nulls(rows, field.type) for field in BASE_SCHEMA}
    columns["sequence_id"] = pa.array(range(rows), pa.int64())
    columns["tokens"] = pa.array(token_rows, pa.list_(pa.int32()))
    return pa.RecordBatch.from_pydict(columns, schema=BASE_SCHEMA)
