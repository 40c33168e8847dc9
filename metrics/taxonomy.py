"""The recite / reconstruct / recollect rule (Prashant et al. 2024, arXiv 2406.17746; docs/METRICS.md, 'Taxonomy').

recitation if the continuation's corpus duplicates >= the threshold, else reconstruction if the sequence is a
template, else recollection.
"""

from __future__ import annotations

import numpy as np

CATEGORIES = ("recitation", "reconstruction", "recollection")


def category_codes(duplicates: np.ndarray, templating: np.ndarray, threshold: float) -> np.ndarray:
    """Index into CATEGORIES of each row: recitation when duplicates >= threshold, else reconstruction when templating."""
    return np.where(duplicates >= threshold, 0, np.where(templating > 0, 1, 2)).astype(np.int8)
