"""Compressibility of a sequence's text (docs/METRICS.md, 'Compressibility').

`zlib_ratio`: len(zlib.compress(utf8(text), ZLIB_LEVEL)) / len(utf8(text)); zlib entropy as a
memorization signal follows Carlini et al. 2021, "Extracting Training Data from Large Language Models".
`huffman_coding_length`: the reference project's (EleutherAI/semantic-memorization) Shannon code
length sum_c p_c * ceil(-log2 p_c) over the characters of the text, in bits per character.
"""

from __future__ import annotations

import math
import zlib

import numba
import numpy as np

from metrics.code_points import TextColumn, code_points, null_mask, string_array, text_code_points, utf8_rows

ZLIB_LEVEL = 6  # zlib's default level (Z_DEFAULT_COMPRESSION), which `zlib.compress` uses too


def zlib_ratio(text: str) -> float:
    """Compressed over raw UTF-8 size; NaN for empty text (no bytes to compress)."""
    raw = text.encode("utf-8")
    return len(zlib.compress(raw, ZLIB_LEVEL)) / len(raw) if raw else math.nan


def huffman_coding_length(text: str) -> float:
    """Bits per character of a Shannon code built on the text's own character counts; NaN when empty."""
    return float(_huffman_rows(*text_code_points(text))[0])


def compression_columns(texts: TextColumn) -> dict[str, np.ndarray]:
    """Both measures for a batch; null texts give NaN (the caller turns NaN into null)."""
    texts = string_array(texts)
    return {"zlib_ratio": zlib_ratios(texts), "huffman_coding_length": huffman_coding_lengths(texts)}


def zlib_ratios(texts: TextColumn) -> np.ndarray:
    """zlib_ratio per row (NaN for null or empty text), compressing slices of the batch's UTF-8 buffer."""
    data, offsets = utf8_rows(texts)
    sizes = np.diff(offsets)
    compressed = np.array([len(zlib.compress(data[a:b], ZLIB_LEVEL)) for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist())])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = compressed / sizes
    ratios[sizes == 0] = np.nan
    return ratios


def huffman_coding_lengths(texts: TextColumn) -> np.ndarray:
    """huffman_coding_length per row (NaN for null or empty text) from a code-point histogram in compiled code.

    Bit-for-bit the value of the reference's numpy expression `np.sum(np.ceil(-np.log2(p)) * p)` over the
    counts in first-occurrence order: the same terms, summed in numpy's pairwise order.
    """
    codes, offsets = code_points(texts)
    lengths = _huffman_rows(codes, offsets)
    lengths[null_mask(texts)] = np.nan
    return lengths


@numba.njit(cache=True, nogil=True)
def _huffman_rows(codes, offsets):
    rows = offsets.size - 1
    out = np.full(rows, np.nan)
    longest = 0
    for r in range(rows):
        longest = max(longest, offsets[r + 1] - offsets[r])
    top = 0
    for q in range(codes.size):
        top = max(top, codes[q])
    slot = np.full(top + 1, -1, dtype=np.int32)  # index of a character among the row's distinct ones
    seen = np.empty(longest, dtype=np.int64)
    counts = np.empty(longest, dtype=np.int64)
    terms = np.empty(longest, dtype=np.float64)
    for r in range(rows):
        n = offsets[r + 1] - offsets[r]
        if n == 0:
            continue
        distinct = 0
        for q in range(offsets[r], offsets[r + 1]):
            c = codes[q]
            if slot[c] < 0:
                slot[c] = distinct
                seen[distinct] = c
                counts[distinct] = 0
                distinct += 1
            counts[slot[c]] += 1
        for k in range(distinct):
            p = counts[k] / n
            terms[k] = _code_length(counts[k], n) * p
            slot[seen[k]] = -1
        out[r] = 0.0 + _pairwise_sum(terms, 0, distinct)  # numpy's reduction starts from +0.0 (so one character gives +0.0)
    return out


@numba.njit(cache=True, nogil=True)
def _code_length(count: int, n: int) -> float:
    """ceil(-log2(count / n)) in exact integers: the least c with count * 2**c >= n (-0.0 when count == n, as numpy's)."""
    if count == n:
        return -0.0
    c = 0
    while count << c < n:
        c += 1
    return float(c)


@numba.njit(cache=True, nogil=True)
def _pairwise_sum(a, start, n):
    """numpy's float64 add.reduce (pairwise summation, blocks of 128, 8 accumulators), so sums match np.sum bit for bit.

    numpy recurses on halves (the left half a multiple of 8) down to blocks of <= 128; this walks the same tree
    with an explicit stack (a recursive function breaks numba's on-disk cache).
    """
    if n <= 128:
        return _block_sum(a, start, n)
    starts = np.empty(64, dtype=np.int64)
    sizes = np.empty(64, dtype=np.int64)
    left_done = np.zeros(64, dtype=np.bool_)
    left_sum = np.empty(64, dtype=np.float64)
    depth = 0
    starts[0], sizes[0] = start, n
    result = 0.0
    have_result = False
    while True:
        if not have_result:
            if sizes[depth] <= 128:
                result = _block_sum(a, starts[depth], sizes[depth])
                have_result = True
            else:  # descend into the left half
                left_done[depth] = False
                starts[depth + 1], sizes[depth + 1] = starts[depth], _left_size(sizes[depth])
                depth += 1
        elif depth == 0:
            return result
        else:
            depth -= 1
            if not left_done[depth]:  # the left half is summed: descend into the right half
                left_done[depth], left_sum[depth] = True, result
                left = _left_size(sizes[depth])
                starts[depth + 1], sizes[depth + 1] = starts[depth] + left, sizes[depth] - left
                depth += 1
                have_result = False
            else:
                result = left_sum[depth] + result


@numba.njit(cache=True, nogil=True)
def _left_size(n):
    half = n // 2
    return half - half % 8


@numba.njit(cache=True, nogil=True)
def _block_sum(a, start, n):
    if n < 8:
        total = -0.0
        for i in range(start, start + n):
            total += a[i]
        return total
    r0, r1, r2, r3 = a[start], a[start + 1], a[start + 2], a[start + 3]
    r4, r5, r6, r7 = a[start + 4], a[start + 5], a[start + 6], a[start + 7]
    whole = n - n % 8
    for i in range(start + 8, start + whole, 8):
        r0 += a[i]
        r1 += a[i + 1]
        r2 += a[i + 2]
        r3 += a[i + 3]
        r4 += a[i + 4]
        r5 += a[i + 5]
        r6 += a[i + 6]
        r7 += a[i + 7]
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for i in range(start + whole, start + n):
        total += a[i]
    return total
