"""Rows of an Arrow list<int> token column as numpy arrays: fixed-width windows, right-padded rows, id lists.

Every helper indexes the list array's child values with the array's own offsets, so a sliced array
(whose offsets do not start at 0) and a null row backed by a non-empty slot both read correctly;
`flatten()` with offsets would misread both.
"""

from __future__ import annotations

import numba
import numpy as np
import pyarrow as pa

PROMPT_TOKENS = 32  # a memorized-evals row: 32 prompt tokens, then 32 continuation tokens
CONTINUATION_TOKENS = 32


def row_bounds(tokens: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(child values, each row's start in them, each row's length)."""
    offsets = tokens.offsets.to_numpy()
    return tokens.values.to_numpy(zero_copy_only=False), offsets[:-1], np.diff(offsets)


def token_windows(tokens: pa.Array, rows: np.ndarray, start: int, width: int) -> np.ndarray:
    """(len(rows), width) ids at positions start..start+width-1 of each listed row (each must be long enough)."""
    values, starts, _ = row_bounds(tokens)
    return values[(starts[rows] + start)[:, None] + np.arange(width)]


def padded_rows(tokens: pa.Array, rows: np.ndarray, pad: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(len(rows), longest) int64 ids right-padded with `pad`, and each row's length."""
    values, starts, lengths = row_bounds(tokens)
    starts, lengths = starts[rows], lengths[rows]
    width = int(lengths.max()) if len(rows) else 0
    inside = np.arange(width)[None, :] < lengths[:, None]
    ids = np.full((len(rows), width), pad, dtype=np.int64)
    ids[inside] = values[(starts[:, None] + np.arange(width))[inside]]
    return ids, lengths.astype(np.int64)


def token_lists(tokens: pa.Array) -> list[list[int]]:
    """One Python list of ids per row (the form a tokenizer's `decode_batch` takes)."""
    values, starts, lengths = row_bounds(tokens)
    if len(starts) == 0:
        return []
    first, last = int(starts[0]), int(starts[-1] + lengths[-1])
    flat = values[first:last].tolist()
    return [flat[s : s + n] for s, n in zip((starts - first).tolist(), lengths.tolist())]


def row_hashes(tokens: pa.Array) -> np.ndarray:
    """int64 hash of each row's ids (their values and count; polynomial mod 2^64, then mixed): a row key that needs no
    copy of the ids. Equal rows hash equal whatever the integer type; a null row hashes like an empty one."""
    values, starts, lengths = row_bounds(tokens)
    return _row_hashes(np.asarray(values).astype(np.int64, copy=False), starts.astype(np.int64), lengths.astype(np.int64))


@numba.njit(cache=True, nogil=True)
def _row_hashes(values, starts, lengths):
    out = np.empty(starts.size, np.int64)
    base = np.uint64(0x100000001B3)
    for r in range(starts.size):
        h = np.uint64(0xCBF29CE484222325) ^ np.uint64(lengths[r])
        for k in range(starts[r], starts[r] + lengths[r]):
            h = (h ^ np.uint64(values[k] & 0xFFFFFFFF)) * base
            h = (h ^ np.uint64((values[k] >> 32) & 0xFFFFFFFF)) * base
        h ^= h >> np.uint64(33)  # finalizer (murmur3 fmix64): spreads the low bits
        h *= np.uint64(0xFF51AFD7ED558CCD)
        h ^= h >> np.uint64(33)
        out[r] = np.int64(h)
    return out
