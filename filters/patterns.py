"""Templating flags on text and token-level repetition columns (docs/METRICS.md, 'Templating')."""

from __future__ import annotations

import pyarrow as pa

from filters.base import Column, Filter
from filters.registry import register_filter
from metrics.patterns import pattern_columns
from metrics.repetition import token_repetition


@register_filter("patterns")
class Patterns(Filter):
    """Templating flags and the coverages they come from, from text; reference repetition columns from tokens."""

    reads = ("text", "tokens")
    adds = pa.schema(
        [
            ("is_incrementing", pa.bool_()),
            ("is_repeating", pa.bool_()),
            ("is_templating", pa.bool_()),
            ("incrementing_coverage", pa.float64()),
            ("repeating_coverage", pa.float64()),
            ("templating_coverage", pa.float64()),
            ("num_repeating", pa.int32()),
            ("repeating_offset", pa.int32()),
            ("smallest_repeating_chunk", pa.list_(pa.int32())),
        ]
    )

    def compute(self, batch: pa.RecordBatch) -> dict[str, Column]:
        columns: dict[str, Column] = dict(pattern_columns(batch.column("text")))
        columns.update(token_repetition(batch.column("tokens")))
        return columns
