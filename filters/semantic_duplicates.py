"""Semantic snowclones and templates (docs/METRICS.md, 'Semantic duplicates'; Prashant et al. 2024, arXiv 2406.17746).

The counts come from an exact blocked similarity join of the run's rows with an embedded corpus, made on Spark before
the splits run (utils/corpus/semantic.py, metrics/semantic.py); the filter is one broadcast lookup per batch.
"""

from __future__ import annotations

import pyarrow as pa

from filters.base import Column, Filter
from filters.registry import register_filter


@register_filter("semantic_duplicates")
class SemanticDuplicates(Filter):
    """Per threshold t of semantic.thresholds: corpus rows with cosine >= t (snowclones), and of those the rows whose
    prompt text is 1..19 edits away (templates); lists in the order of semantic.thresholds."""

    reads = ("sequence_id", "tokens")
    adds = pa.schema([("semantic_snowclones", pa.list_(pa.int64())), ("semantic_templates", pa.list_(pa.int64()))])
    needs = ("semantic_counts",)

    def compute(self, batch: pa.RecordBatch) -> dict[str, Column]:
        snowclones, templates = self.resources.semantic_counts.for_batch(batch)
        return {"semantic_snowclones": snowclones, "semantic_templates": templates}
