"""`zlib_ratio`, `huffman_coding_length` of the decoded text (docs/METRICS.md, 'Compressibility')."""

from __future__ import annotations

import pyarrow as pa

from filters.base import Column, Filter
from filters.registry import register_filter
from metrics.compression import compression_columns


@register_filter("compression")
class Compression(Filter):
    """Compressibility of each row's text."""

    reads = ("text",)
    adds = pa.schema([("zlib_ratio", pa.float64()), ("huffman_coding_length", pa.float64())])

    def compute(self, batch: pa.RecordBatch) -> dict[str, Column]:
        return compression_columns(batch.column("text"))
