"""Token-level repetition (docs/METRICS.md, 'Templating'): the reference's `highly_repetitive` columns.

The reference (EleutherAI/semantic-memorization, filters/highly_repetitive.py) searches, for k = 2..5
(outer loop), offsets i = 0..n//2-1 and tail trims j = 0..2, the window w = x[i:n-j] for a chunk
of size s with L/(k+1) < s <= L//k (L = |w|) such that w = chunk^k + a prefix of chunk; the first hit
gives `num_repeating` = k, `repeating_offset` = i, and `smallest_repeating_chunk` = the shortest unit
that tiles that chunk. This kernel returns the same hit without the nested Python loops:
w = chunk^k + prefix(chunk) holds exactly when s is a period of w, and every period <= L/2 is a
multiple of w's minimal period p (Fine and Wilf), so the hit for (k, i, j) exists iff the largest
multiple of p not above L//k exceeds L/(k+1), and its smallest unit is x[i:i+p].
No hit: `num_repeating` = 0, `repeating_offset` = 0, empty chunk.
"""

from __future__ import annotations

import numpy as np

K_RANGE = (2, 3, 4, 5)
MAX_TAIL_TRIM = 2


def minimal_periods(tokens: np.ndarray) -> np.ndarray:
    """p[r, i, j] = minimal period <= L/2 of window tokens[r, i:n-j] (L its length), or 0 if none.

    `tokens` is (rows, n) for rows of one length n; windows start at i < n//2 and drop j <= 2 tail tokens.
    """
    rows, n = tokens.shape
    half = n // 2
    periods = np.zeros((rows, half, MAX_TAIL_TRIM + 1), dtype=np.int64)
    if half == 0:
        return periods
    starts = np.arange(half)[:, None]
    trims = np.arange(MAX_TAIL_TRIM + 1)[None, :]
    lengths = n - trims - starts  # (half, trims)
    # Scan shifts from large to small so the smallest valid shift is written last.
    for shift in range(half, 0, -1):
        mismatch = tokens[:, shift:] != tokens[:, :-shift]  # (rows, n - shift): x[t] != x[t+shift]
        bad = np.concatenate([np.zeros((rows, 1), np.int64), np.cumsum(mismatch, axis=1)], axis=1)
        # Window [i, n-j) has period `shift` iff no mismatch at t in [i, n-j-shift).
        stops = np.clip(n - trims - shift, 0, None)  # (1, trims)
        stops = np.maximum(stops, starts)  # (half, trims)
        clean = bad[:, stops] - bad[:, np.broadcast_to(starts, stops.shape)] == 0
        applicable = (2 * shift <= lengths)[None, :, :]
        periods = np.where(clean & applicable, shift, periods)
    return periods


def repetition_columns(tokens: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """(num_repeating, repeating_offset, smallest_repeating_chunk) for rows of equal length."""
    rows, n = tokens.shape
    num = np.zeros(rows, dtype=np.int32)
    offset = np.zeros(rows, dtype=np.int32)
    chunks: list[np.ndarray] = [tokens[r, :0] for r in range(rows)]
    periods = minimal_periods(tokens)  # (rows, half, trims)
    half = periods.shape[1]
    if half == 0:
        return num, offset, chunks
    lengths = (n - np.arange(half)[:, None] - np.arange(MAX_TAIL_TRIM + 1)[None, :])[None]  # (1, half, trims)
    safe = np.where(periods > 0, periods, 1)
    hits = []
    for k in K_RANGE:
        largest = (lengths // k) // safe * safe
        hits.append((periods > 0) & (largest * (k + 1) > lengths))
    hit = np.stack(hits, axis=1).reshape(rows, -1)  # order (k, i, j) as in the reference's loops
    found = hit.any(axis=1)
    first = hit.argmax(axis=1)
    k_index, rest = np.divmod(first, half * (MAX_TAIL_TRIM + 1))
    i_index, j_index = np.divmod(rest, MAX_TAIL_TRIM + 1)
    for r in np.flatnonzero(found):
        i, p = int(i_index[r]), int(periods[r, i_index[r], j_index[r]])
        num[r] = K_RANGE[k_index[r]]
        offset[r] = i
        chunks[r] = tokens[r, i : i + p]
    return num, offset, chunks
