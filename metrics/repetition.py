"""Token-level repetition (docs/METRICS.md, 'Templating'): the reference's `highly_repetitive` columns.

The reference (EleutherAI/semantic-memorization, filters/highly_repetitive.py) searches, for k = 2..5
(outer loop), offsets i = 0..n//2-1 and tail trims j = 0..2, the window w = x[i:n-j] for a chunk
of size s with L/(k+1) < s <= L//k (L = |w|) such that w = chunk^k + a prefix of chunk; the first hit
gives `num_repeating` = k, `repeating_offset` = i, and `smallest_repeating_chunk` = the shortest unit
that tiles that chunk. This kernel returns the same hit in O(n) per row instead of the nested loops:
w = chunk^k + prefix(chunk) holds exactly when s is a period of w, and every period <= L/2 is a
multiple of w's minimal period p (Fine and Wilf), so the hit for (k, i, j) exists iff the largest
multiple of p not above L//k exceeds L/(k+1), and its smallest unit is x[i:i+p]. A string and its reverse
have the same periods, and the windows x[i:n-j] for all i are, reversed, the prefixes of reverse(x[:n-j]);
the minimal period of a prefix of length L is L minus its longest proper border, so one prefix function
(Knuth-Morris-Pratt failure function) of reverse(x[:n-j]) per trim j gives every window's period.
No hit: `num_repeating` = 0, `repeating_offset` = 0, empty chunk.
"""

from __future__ import annotations

import numba
import numpy as np
import pyarrow as pa

from metrics.token_windows import row_bounds

K_RANGE = (2, 3, 4, 5)
MAX_TAIL_TRIM = 2


def token_repetition(tokens: pa.Array) -> dict[str, np.ndarray | pa.Array]:
    """`num_repeating`, `repeating_offset`, `smallest_repeating_chunk` for a list<int> token column (rows of any length)."""
    values, starts, lengths = row_bounds(tokens)
    values = np.ascontiguousarray(values, dtype=np.int64)
    num, offset, unit = _repetition_rows(values, starts.astype(np.int64), lengths.astype(np.int64), np.array(K_RANGE, np.int64))
    unit_offsets = np.zeros(len(num) + 1, dtype=np.int32)
    np.cumsum(unit, out=unit_offsets[1:])
    first = np.repeat(starts + offset - unit_offsets[:-1], unit)  # child index of each unit's element, minus its place
    chunk_values = values[first + np.arange(unit_offsets[-1])].astype(np.int32)
    return {
        "num_repeating": num,
        "repeating_offset": offset,
        "smallest_repeating_chunk": pa.ListArray.from_arrays(pa.array(unit_offsets), pa.array(chunk_values, pa.int32())),
    }


@numba.njit(cache=True, nogil=True)
def _repetition_rows(values, starts, lengths, k_range):
    """Per row: (num_repeating, repeating_offset, length of the smallest repeating unit, which starts at the offset)."""
    rows = starts.size
    num = np.zeros(rows, dtype=np.int32)
    offset = np.zeros(rows, dtype=np.int32)
    unit = np.zeros(rows, dtype=np.int32)
    for r in range(rows):
        n = lengths[r]
        half = n // 2
        if half == 0:
            continue
        periods = _window_periods(values[starts[r] : starts[r] + n], half)
        found = False
        for k in k_range:
            for i in range(half):
                for j in range(MAX_TAIL_TRIM + 1):
                    p = periods[i, j]
                    length = n - i - j
                    if p > 0 and (length // k) // p * p * (k + 1) > length:
                        num[r], offset[r], unit[r] = k, i, p
                        found = True
                        break
                if found:
                    break
            if found:
                break
    return num, offset, unit


@numba.njit(cache=True, nogil=True)
def _window_periods(x, half):
    """p[i, j] = minimal period of x[i : n-j] when it is <= half that window's length, else 0."""
    n = x.size
    periods = np.zeros((half, MAX_TAIL_TRIM + 1), dtype=np.int64)
    border = np.empty(n, dtype=np.int64)
    for j in range(MAX_TAIL_TRIM + 1):
        m = n - j  # y = reverse(x[:m]), y[q] = x[m - 1 - q]
        if m < 2:
            continue
        border[0] = 0
        for q in range(1, m):  # border[q]: longest proper border of y[: q + 1]
            b = border[q - 1]
            while b > 0 and x[m - 1 - q] != x[m - 1 - b]:
                b = border[b - 1]
            if x[m - 1 - q] == x[m - 1 - b]:
                b += 1
            border[q] = b
        for i in range(half):
            length = m - i  # x[i:m] reversed is y[:length]
            if length >= 2:
                p = length - border[length - 1]
                if 2 * p <= length:
                    periods[i, j] = p
    return periods
