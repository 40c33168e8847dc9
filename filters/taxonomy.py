"""`taxonomy`: recitation / reconstruction / recollection (Prashant et al. 2024, arXiv 2406.17746; docs/METRICS.md, 'Taxonomy').

The rule is metrics/taxonomy.py's, with `taxonomy.recitation_threshold` (default 6, as the reference's training
script). Null when either input is null.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from filters.base import Column, Filter
from filters.registry import register_filter
from metrics.taxonomy import CATEGORIES, category_codes
from utils.core.errors import ConfigError
from utils.core.settings import Settings, key, register_settings


@register_settings("taxonomy")
@dataclass(frozen=True)
class TaxonomySettings(Settings):
    """The taxonomy's threshold."""

    recitation_threshold: int = key(6, "sequence_duplicates >= this: recitation (the reference's training script used 6)")

    def check(self) -> None:
        if self.recitation_threshold < 1:
            raise ConfigError(f"taxonomy.recitation_threshold must be >= 1, got {self.recitation_threshold}.")


@register_filter("taxonomy")
class Taxonomy(Filter):
    """Category of each row from its corpus duplication count and templating flag."""

    reads = ("sequence_duplicates", "is_templating")
    adds = pa.schema([("taxonomy", pa.string())])
    settings_class = TaxonomySettings
    tallied = ("taxonomy",)  # the manifest's category counts and shares per split

    def compute(self, batch: pa.RecordBatch) -> dict[str, Column]:
        threshold = self.settings.recitation_threshold
        duplicates = batch.column("sequence_duplicates")
        templating = batch.column("is_templating")
        known = ~(duplicates.is_null().to_numpy(zero_copy_only=False) | templating.is_null().to_numpy(zero_copy_only=False))
        counts = duplicates.fill_null(0).to_numpy(zero_copy_only=False)
        flags = templating.fill_null(False).to_numpy(zero_copy_only=False)
        labels = np.array(CATEGORIES, dtype=object)[category_codes(counts, flags, threshold)]
        return {"taxonomy": pa.array(labels, pa.string(), mask=~known)}
