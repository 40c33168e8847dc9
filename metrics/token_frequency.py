"""Per-sequence summaries of corpus token frequencies (docs/METRICS.md, 'Token frequency').

f(t) is the number of occurrences of token t in the training corpus. For each row: max, min, mean,
median and the 25th/75th percentiles of f over its tokens, exact with numpy's linear interpolation
(the reference took p25/p75 with Spark's percentile_approx), and the array of the values.
"""

from __future__ import annotations

import numpy as np

QUANTILES = {"p25_frequency": 0.25, "median_frequency": 0.5, "p75_frequency": 0.75}


def frequency_summaries(frequencies: np.ndarray, offsets: np.ndarray) -> dict[str, np.ndarray]:
    """Summaries of the flat `frequencies` of rows delimited by `offsets` (rows + 1,); rows must be non-empty."""
    lengths = np.diff(offsets)
    if (lengths <= 0).any():
        raise ValueError("every row needs at least one token")
    rows = len(lengths)
    if rows == 0:
        return {name: np.zeros(0) for name in ("max_frequency", "min_frequency", "avg_frequency", *QUANTILES)}
    starts = offsets[:-1] - offsets[0]
    values = frequencies.astype(np.int64, copy=False)
    if (lengths == lengths[0]).all():  # the usual case: one length, sort the matrix row-wise
        ordered = np.sort(values.reshape(rows, int(lengths[0])), axis=1).ravel()
    else:
        row_of_value = np.repeat(np.arange(rows), lengths)
        ordered = values[np.lexsort((values, row_of_value))]
    out = {
        "min_frequency": ordered[starts],
        "max_frequency": ordered[starts + lengths - 1],
        "avg_frequency": np.add.reduceat(values, starts) / lengths,
    }
    for name, q in QUANTILES.items():
        position = q * (lengths - 1)
        low = np.floor(position).astype(np.int64)
        high = np.minimum(low + 1, lengths - 1)
        below, above = ordered[starts + low].astype(np.float64), ordered[starts + high].astype(np.float64)
        out[name] = below + (position - low) * (above - below)
    return out
