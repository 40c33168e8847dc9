"""Templating flags on text and token-level repetition columns (docs/METRICS.md, 'Templating')."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from filters.base import Column, Filter
from filters.registry import register_filter
from metrics.patterns import pattern_columns
from metrics.repetition import repetition_columns
from metrics.token_windows import row_bounds


@register_filter("patterns")
class Patterns(Filter):
    """Templating flags and `templating_coverage` from text; reference repetition columns from tokens."""

    reads = ("text", "tokens")
    adds = pa.schema(
        [
            ("is_incrementing", pa.bool_()),
            ("is_repeating", pa.bool_()),
            ("is_templating", pa.bool_()),
            ("templating_coverage", pa.float64()),
            ("num_repeating", pa.int32()),
            ("repeating_offset", pa.int32()),
            ("smallest_repeating_chunk", pa.list_(pa.int32())),
        ]
    )

    def compute(self, batch: pa.RecordBatch) -> dict[str, Column]:
        columns: dict[str, Column] = dict(pattern_columns(batch.column("text").to_pylist()))
        columns.update(token_repetition(batch.column("tokens")))
        return columns


def token_repetition(tokens: pa.Array) -> dict[str, Column]:
    """Repetition columns for rows of any lengths: rows of equal length are processed together."""
    rows = len(tokens)
    num = np.zeros(rows, dtype=np.int32)
    offset = np.zeros(rows, dtype=np.int32)
    chunks: list = [None] * rows
    values, starts, lengths = row_bounds(tokens)
    for length in np.unique(lengths):
        index = np.flatnonzero(lengths == length)
        matrix = values[starts[index][:, None] + np.arange(length)[None, :]]
        n, o, c = repetition_columns(matrix)
        num[index], offset[index] = n, o
        for position, chunk in zip(index.tolist(), c):
            chunks[position] = chunk
    return {
        "num_repeating": num,
        "repeating_offset": offset,
        "smallest_repeating_chunk": pa.array([chunk.tolist() for chunk in chunks], pa.list_(pa.int32())),
    }
