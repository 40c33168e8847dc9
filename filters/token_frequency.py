"""Corpus frequency of each token of a sequence and its summaries (docs/METRICS.md, 'Token frequency')."""

from __future__ import annotations

import pyarrow as pa

from filters.base import Column, Filter
from filters.registry import register_filter
from metrics.token_frequency import frequency_summaries
from utils.corpus.statistics import StatisticsProvider  # noqa: F401  (registers the corpus-statistics resources)


@register_filter("token_frequency")
class TokenFrequency(Filter):
    """f(x_i) for every token by indexing the broadcast count array; max/min/mean and exact quartiles per row."""

    reads = ("tokens",)
    adds = pa.schema(
        [
            ("max_frequency", pa.int64()),
            ("min_frequency", pa.int64()),
            ("avg_frequency", pa.float64()),
            ("median_frequency", pa.float64()),
            ("p25_frequency", pa.float64()),
            ("p75_frequency", pa.float64()),
            ("frequencies", pa.list_(pa.int64())),
        ]
    )
    needs = ("token_counts",)
    outside_reason = "token_id_outside_count_table"

    @classmethod
    def token_limit(cls, resources) -> int | None:
        return resources.token_counts.size if resources.token_counts is not None else None

    def compute(self, batch: pa.RecordBatch) -> dict[str, Column]:
        tokens = batch.column("tokens")
        offsets = tokens.offsets.to_numpy()
        frequencies = self.resources.token_counts.get()[tokens.flatten().to_numpy(zero_copy_only=False)]
        out: dict[str, Column] = dict(frequency_summaries(frequencies, offsets))
        out["frequencies"] = pa.ListArray.from_arrays(pa.array(offsets - offsets[0], pa.int32()), pa.array(frequencies, pa.int64()))
        return out
