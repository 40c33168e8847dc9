"""`sequence_duplicates`: how often the row's continuation occurs in the training corpus (docs/METRICS.md, 'Duplication').

Counts come from an exact Spark scan of the corpus (utils/corpus/statistics.py, metrics/ngram_counts.py) or
from the reference's precomputed table; either way the filter is one broadcast lookup per batch.
"""

from __future__ import annotations

import pyarrow as pa

from filters.base import Column, Filter
from filters.registry import register_filter
from utils.corpus.statistics import StatisticsProvider  # noqa: F401  (registers the corpus-statistics resources)


@register_filter("duplication")
class Duplication(Filter):
    """Exact corpus count of tokens[32:64] (configurable), the row itself included; null if the row is too short."""

    reads = ("sequence_id", "tokens")
    adds = pa.schema([("sequence_duplicates", pa.int64())])
    needs = ("sequence_duplicates",)

    @classmethod
    def min_tokens(cls, resources):
        counts = resources.sequence_duplicates
        return counts.start + counts.n if hasattr(counts, "n") else None  # precomputed tables go by sequence_id

    def compute(self, batch: pa.RecordBatch) -> dict[str, Column]:
        return {"sequence_duplicates": self.resources.sequence_duplicates.for_batch(batch)}
