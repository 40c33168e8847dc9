"""How skewed memorization scores are (Li et al. 2025, *Skewed Memorization in Large Language Models*; docs/METRICS.md,
'Memorization across scale and time'), exactly, from each distinct score and its row count.

Scores are k/32 (matched continuation tokens), so a split's distribution is a handful of values with counts: every
quantile and share below is exact, and equals the same computation on the expanded rows.
"""

from __future__ import annotations

import numpy as np

QUANTILES = (0.5, 0.9, 0.99, 0.999)
TOP_SHARES = (0.01, 0.1)  # the top 1 % and 10 % of rows by score


def collapse(values: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values ascending with their summed counts (NaN dropped)."""
    values, counts = np.asarray(values, dtype=np.float64), np.asarray(counts, dtype=np.int64)
    keep = ~np.isnan(values)
    distinct, inverse = np.unique(values[keep], return_inverse=True)
    return distinct, np.bincount(inverse, weights=counts[keep], minlength=len(distinct)).astype(np.int64)


def quantile(values: np.ndarray, counts: np.ndarray, q: float) -> float:
    """numpy's default (linear) quantile of the rows the table stands for: rank h = (n - 1) q between the rows at
    floor(h) and ceil(h) in ascending order."""
    ends = np.cumsum(counts)
    rank = (ends[-1] - 1) * q
    low, high = int(np.floor(rank)), int(np.ceil(rank))
    at_low, at_high = values[np.searchsorted(ends, low, side="right")], values[np.searchsorted(ends, high, side="right")]
    return float(at_low + (rank - low) * (at_high - at_low))


def top_share(values: np.ndarray, counts: np.ndarray, fraction: float) -> float:
    """Share of the total score held by the ⌈fraction · n⌉ highest-scoring rows (NaN when every score is 0)."""
    total = float(values @ counts)
    if total <= 0:
        return float("nan")
    left = int(np.ceil(fraction * counts.sum()))
    held = 0.0
    for value, count in zip(values[::-1], counts[::-1]):
        taken = min(left, int(count))
        held += taken * value
        left -= taken
        if not left:
            break
    return held / total


def skew_summary(values: np.ndarray, counts: np.ndarray) -> dict[str, float]:
    """Rows, the share memorized (score 1) and with score >= 0.5, the mean, QUANTILES and the TOP_SHARES of the mass."""
    values, counts = collapse(values, counts)
    rows = int(counts.sum())
    if not rows:
        return {"rows": 0}
    summary = {
        "rows": rows,
        "share_memorized": float(counts[values >= 1.0].sum() / rows),
        "share_at_least_half": float(counts[values >= 0.5].sum() / rows),
        "mean": float(values @ counts / rows),
    }
    summary.update({f"quantile_{q:g}": quantile(values, counts, q) for q in QUANTILES})
    summary.update({f"top_{fraction:.0%}_share".replace("%", "pct"): top_share(values, counts, fraction) for fraction in TOP_SHARES})
    return summary
