"""`taxonomy`: recitation / reconstruction / recollection (Prashant et al. 2024, arXiv 2406.17746; docs/METRICS.md, 'Taxonomy').

recitation if `sequence_duplicates` >= the threshold (default 6, as the reference's training script),
else reconstruction if `is_templating`, else recollection. Null when either input is null.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from filters.base import Column, Filter
from filters.registry import register_filter

CATEGORIES = ("recitation", "reconstruction", "recollection")


def category_codes(duplicates: np.ndarray, templating: np.ndarray, threshold: float) -> np.ndarray:
    """Index into CATEGORIES of each row: recitation when duplicates >= threshold, else reconstruction when templating."""
    return np.where(duplicates >= threshold, 0, np.where(templating > 0, 1, 2)).astype(np.int8)


@register_filter("taxonomy")
class Taxonomy(Filter):
    """Category of each row from its corpus duplication count and templating flag."""

    reads = ("sequence_duplicates", "is_templating")
    adds = pa.schema([("taxonomy", pa.string())])
    needs = ("taxonomy",)

    def compute(self, batch: pa.RecordBatch) -> dict[str, Column]:
        threshold = self.resources.taxonomy.recitation_threshold
        duplicates = batch.column("sequence_duplicates")
        templating = batch.column("is_templating")
        known = ~(duplicates.is_null().to_numpy(zero_copy_only=False) | templating.is_null().to_numpy(zero_copy_only=False))
        counts = duplicates.fill_null(0).to_numpy(zero_copy_only=False)
        flags = templating.fill_null(False).to_numpy(zero_copy_only=False)
        labels = np.array(CATEGORIES, dtype=object)[category_codes(counts, flags, threshold)]
        return {"taxonomy": pa.array(labels, pa.string(), mask=~known)}
