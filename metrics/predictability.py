"""Whether one split's memorized sequences predict another's (Biderman et al. 2023, *Emergent and Predictable
Memorization in Large Language Models*; docs/METRICS.md, 'Memorization across scale and time').

Splits are sets of sequence ids. From the membership pattern of every id (which splits hold it) and how many ids
share each pattern, every pairwise intersection is one matrix product: |A ∩ B| = Σ_p count_p · [A ∈ p] · [B ∈ p].
Then precision = |A ∩ B| / |A|, recall = |A ∩ B| / |B|, Jaccard = |A ∩ B| / |A ∪ B|.
"""

from __future__ import annotations

import numpy as np

# Pythia's total parameter counts (the model cards' "Naming convention and parameter count" table, EleutherAI/pythia).
PYTHIA_PARAMETERS = {
    "70m": 70_426_624,
    "160m": 162_322_944,
    "410m": 405_334_016,
    "1b": 1_011_781_632,
    "1.4b": 1_414_647_808,
    "2.8b": 2_775_208_960,
    "6.9b": 6_857_302_016,
    "12b": 11_846_072_320,
}
TOKENS_PER_STEP = 2_097_152  # every Pythia model trained with batches of 1,024 sequences x 2,048 tokens


def training_compute(size: str, step: int) -> float:
    """≈ 6 · parameters · tokens seen (FLOPs) of a Pythia model of that size at that checkpoint step."""
    return 6.0 * PYTHIA_PARAMETERS[size] * step * TOKENS_PER_STEP


def intersections(patterns: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """(splits, splits) int64 |A ∩ B| from (patterns, splits) membership flags and each pattern's id count; the
    diagonal is each split's size."""
    members = np.asarray(patterns, dtype=np.int64)
    return (members * np.asarray(counts, dtype=np.int64)[:, None]).T @ members


def overlap_measures(both: np.ndarray, predictor: np.ndarray, target: np.ndarray) -> dict[str, np.ndarray]:
    """Precision, recall and Jaccard of predictor sets against target sets from |A ∩ B|, |A| and |B| (NaN where a
    denominator is 0)."""
    both, predictor, target = (np.asarray(x, dtype=np.float64) for x in (both, predictor, target))
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "precision": np.where(predictor > 0, both / predictor, np.nan),
            "recall": np.where(target > 0, both / target, np.nan),
            "jaccard": np.where(predictor + target - both > 0, both / (predictor + target - both), np.nan),
        }
