"""Compressibility of a sequence's text (docs/METRICS.md, 'Compressibility').

`zlib_ratio`: len(zlib.compress(utf8(text), ZLIB_LEVEL)) / len(utf8(text)); zlib entropy as a
memorization signal follows Carlini et al. 2021, "Extracting Training Data from Large Language Models".
`huffman_coding_length`: the reference project's (EleutherAI/semantic-memorization) Shannon code
length sum_c p_c * ceil(-log2 p_c) over the characters of the text, in bits per character.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter

import numpy as np

ZLIB_LEVEL = 6  # zlib's default level (Z_DEFAULT_COMPRESSION), which `zlib.compress` uses too


def zlib_ratio(text: str) -> float:
    """Compressed over raw UTF-8 size; NaN for empty text (no bytes to compress)."""
    raw = text.encode("utf-8")
    if not raw:
        return math.nan
    return len(zlib.compress(raw, ZLIB_LEVEL)) / len(raw)


def huffman_coding_length(text: str) -> float:
    """Bits per character of a Shannon code built on the text's own character counts; NaN when empty.

    Computed as the reference does (numpy over the counts in first-occurrence order), so the value is
    bit-for-bit the reference's.
    """
    if not text:
        return math.nan
    counts = np.fromiter(Counter(text).values(), dtype=np.int64)
    probs = counts / len(text)
    return float(np.sum(np.ceil(-np.log2(probs)) * probs))


def compression_columns(texts: list[str | None]) -> dict[str, np.ndarray]:
    """Both measures for a batch; None texts give NaN (the caller turns NaN into null)."""
    zlib_values = np.array([zlib_ratio(t) if t is not None else math.nan for t in texts], dtype=np.float64)
    huffman_values = np.array([huffman_coding_length(t) if t is not None else math.nan for t in texts], dtype=np.float64)
    return {"zlib_ratio": zlib_values, "huffman_coding_length": huffman_values}
