"""Rows of an Arrow list<int> token column as numpy arrays: fixed-width windows and right-padded rows.

Offsets are taken relative to the array's first offset, so a sliced array reads its own rows.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa


def token_windows(tokens: pa.Array, rows: np.ndarray, start: int, width: int) -> np.ndarray:
    """(len(rows), width) ids at positions start..start+width-1 of each listed row (each must be long enough)."""
    offsets = tokens.offsets.to_numpy()
    values = tokens.flatten().to_numpy(zero_copy_only=False)
    return values[(offsets[rows] - offsets[0] + start)[:, None] + np.arange(width)]


def padded_rows(tokens: pa.Array, rows: np.ndarray, pad: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(len(rows), longest) int64 ids right-padded with `pad`, and each row's length."""
    offsets = tokens.offsets.to_numpy()
    values = tokens.flatten().to_numpy(zero_copy_only=False)
    starts, lengths = offsets[rows] - offsets[0], np.diff(offsets)[rows]
    width = int(lengths.max()) if len(rows) else 0
    inside = np.arange(width)[None, :] < lengths[:, None]
    ids = np.full((len(rows), width), pad, dtype=np.int64)
    ids[inside] = values[(starts[:, None] + np.arange(width))[inside]]
    return ids, lengths.astype(np.int64)
