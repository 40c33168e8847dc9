"""Exact n-gram occurrence counts in a token corpus (docs/METRICS.md, 'Duplication').

The wanted n-grams ("targets") go into a bucketed table keyed by a polynomial hash mod 2^64; the
corpus is scanned once with a rolling hash, and every hash hit is compared token by token with the
target before it is counted, so a hash collision can cost time but never changes a count. Counting
follows docs/METRICS.md: every offset 0..L-n of every record of length L, n-grams never span two records.
The reference (EleutherAI/semantic-memorization) hashed with base 60013 mod 10^18+3 in C++ and
skipped the last offset of each record.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

BASE = np.uint64(0x9E3779B97F4A7C15 | 1)  # odd, so multiplication by it is a bijection mod 2^64
MIX = np.uint64(0xBF58476D1CE4E5B9)
FULL_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


def _power(exponent: int) -> np.uint64:
    return np.uint64(pow(int(BASE), exponent, 1 << 64))


def key_mask(hash_bits: int) -> np.uint64:
    """Mask of the hash bits the table compares; fewer than 64 only to force collisions in tests."""
    if not 1 <= hash_bits <= 64:
        raise ValueError(f"hash_bits must be in 1..64, got {hash_bits}")
    return FULL_MASK if hash_bits == 64 else np.uint64((1 << hash_bits) - 1)


def ngram_hashes(ngrams: np.ndarray, mask: np.uint64 = FULL_MASK) -> np.ndarray:
    """Hash of each row of a (rows, n) integer array: sum_j x_j * BASE^(n-1-j) mod 2^64, masked."""
    n = ngrams.shape[1]
    powers = np.array([_power(n - 1 - j) for j in range(n)], dtype=np.uint64)
    return (ngrams.astype(np.uint64) * powers).sum(axis=1, dtype=np.uint64) & mask


@dataclass(frozen=True)
class TargetTable:
    """Unique target n-grams with a bucket index over their (masked) hashes."""

    ngrams: np.ndarray  # (targets, n), unique rows, in the corpus's token dtype
    mask: np.uint64
    shift: np.uint64  # bucket = (key * MIX) >> shift
    bucket_start: np.ndarray  # (buckets + 1,) int64: entries of bucket b are [start[b], start[b+1])
    entry_key: np.ndarray  # (targets,) uint64, ordered by bucket
    entry_target: np.ndarray  # (targets,) int64: row of `ngrams`
    filter_shift: np.uint64  # word of the prefilter = (key * MIX) >> filter_shift
    filter_words: np.ndarray  # blocked Bloom filter, 2 bits per target in one word, ~16 bits per target

    @property
    def size(self) -> int:
        return len(self.ngrams)

    @property
    def n(self) -> int:
        return self.ngrams.shape[1]


def build_target_table(ngrams: np.ndarray, hash_bits: int = 64, dtype=None) -> TargetTable:
    """The table of the distinct rows of `ngrams` (rows, n); row order of `.ngrams` is sorted."""
    if ngrams.ndim != 2 or ngrams.shape[1] == 0:
        raise ValueError(f"targets must be a (rows, n) array with n > 0, got shape {ngrams.shape}")
    unique = np.unique(np.asarray(ngrams, dtype=dtype or ngrams.dtype), axis=0) if len(ngrams) else ngrams
    mask = key_mask(hash_bits)
    bits = max(1, int(np.ceil(np.log2(max(2 * len(unique), 2)))))
    shift = np.uint64(64 - bits)
    keys = ngram_hashes(unique, mask)
    buckets = (keys * MIX) >> shift
    order = np.argsort(buckets, kind="stable")
    start = np.zeros((1 << bits) + 1, dtype=np.int64)
    np.cumsum(np.bincount(buckets.astype(np.int64), minlength=1 << bits), out=start[1:])
    word_bits = max(1, bits - 3)  # 64-bit words: 2^(bits+3) bits in all
    filter_shift = np.uint64(64 - word_bits)
    words = np.zeros(1 << word_bits, dtype=np.uint64)
    np.bitwise_or.at(words, ((keys * MIX) >> filter_shift).astype(np.int64), _filter_bits(keys * MIX))
    return TargetTable(np.ascontiguousarray(unique), mask, shift, start, keys[order], order.astype(np.int64), filter_shift, words)


@numba.njit(cache=True, nogil=True)
def _filter_bits(product):
    """Two bits of a word, from middle bits of the product (its low bits depend on few key bits)."""
    one = np.uint64(1)
    return (one << ((product >> np.uint64(20)) & np.uint64(63))) | (one << ((product >> np.uint64(26)) & np.uint64(63)))


def count_in_records(tokens: np.ndarray, starts: np.ndarray, lengths: np.ndarray, table: TargetTable, counts: np.ndarray) -> None:
    """Adds to `counts[t]` the occurrences of target t in records tokens[starts[r] : starts[r] + lengths[r]]."""
    if table.size == 0:
        return
    tokens = np.ascontiguousarray(tokens, dtype=table.ngrams.dtype)
    _scan(
        tokens,
        starts.astype(np.int64),
        lengths.astype(np.int64),
        table.n,
        BASE,
        _power(table.n - 1),
        table.mask,
        table.shift,
        table.filter_shift,
        table.filter_words,
        table.bucket_start,
        table.entry_key,
        table.entry_target,
        table.ngrams,
        counts,
    )


def lookup(ngrams: np.ndarray, table: TargetTable) -> np.ndarray:
    """Row of `table.ngrams` equal to each row of `ngrams` (rows, n), or -1 where it is not a target."""
    found = np.full(len(ngrams), -1, dtype=np.int64)
    if table.size and len(ngrams):
        keys = ngram_hashes(ngrams, table.mask)
        _lookup(
            np.ascontiguousarray(ngrams, dtype=table.ngrams.dtype),
            keys,
            table.shift,
            table.bucket_start,
            table.entry_key,
            table.entry_target,
            table.ngrams,
            found,
        )
    return found


@numba.njit(cache=True, nogil=True)
def _find(window_source, offset, key, shift, bucket_start, entry_key, entry_target, targets):
    """Target id whose key is `key` and whose tokens equal window_source[offset : offset + n], else -1."""
    bucket = (key * MIX) >> shift
    n = targets.shape[1]
    for entry in range(bucket_start[bucket], bucket_start[bucket + np.uint64(1)]):
        if entry_key[entry] != key:
            continue
        target = entry_target[entry]
        equal = True
        for j in range(n):
            if targets[target, j] != window_source[offset + j]:
                equal = False
                break
        if equal:
            return target
    return -1


@numba.njit(cache=True, nogil=True)
def _scan(
    tokens,
    starts,
    lengths,
    n,
    base,
    top_power,
    mask,
    shift,
    filter_shift,
    filter_words,
    bucket_start,
    entry_key,
    entry_target,
    targets,
    counts,
):
    # Three loops per record so that the filter loads (random, often cache misses in a large table)
    # are independent of each other and of any branch: the CPU keeps many of them in flight.
    longest = lengths.max() if lengths.size else 0
    keys = np.empty(max(longest - n + 1, 1), np.uint64)
    passed = np.empty(keys.size, np.bool_)
    for record in range(starts.size):
        start, length = starts[record], lengths[record]
        if length < n:
            continue
        windows = length - n + 1
        h = np.uint64(0)
        for j in range(n):
            h = h * base + np.uint64(tokens[start + j])
        keys[0] = h & mask
        for offset in range(1, windows):
            leaving = np.uint64(tokens[start + offset - 1])
            h = (h - leaving * top_power) * base + np.uint64(tokens[start + offset + n - 1])
            keys[offset] = h & mask
        for offset in range(windows):
            product = keys[offset] * MIX
            wanted = _filter_bits(product)
            passed[offset] = filter_words[product >> filter_shift] & wanted == wanted
        for offset in range(windows):
            if passed[offset]:
                target = _find(tokens, start + offset, keys[offset], shift, bucket_start, entry_key, entry_target, targets)
                if target >= 0:
                    counts[target] += 1


@numba.njit(cache=True, nogil=True)
def _lookup(ngrams, keys, shift, bucket_start, entry_key, entry_target, targets, found):
    flat = ngrams.ravel()
    n = ngrams.shape[1]
    for row in range(ngrams.shape[0]):
        found[row] = _find(flat, row * n, keys[row], shift, bucket_start, entry_key, entry_target, targets)


def token_histogram(tokens: np.ndarray, size: int) -> np.ndarray:
    """Occurrences of each token id 0..size-1 (docs/METRICS.md, 'Token frequency'); ids must be < size."""
    counts = np.zeros(size, dtype=np.int64)
    bad = _histogram(np.ascontiguousarray(tokens), counts)
    if bad >= 0:
        raise ValueError(f"token id {tokens[bad]} at position {bad} is outside 0..{size - 1}")
    return counts


def records_histogram(tokens: np.ndarray, starts: np.ndarray, lengths: np.ndarray, size: int) -> np.ndarray:
    """Token occurrences inside the records tokens[starts[r] : starts[r] + lengths[r]] only."""
    counts = np.zeros(size, dtype=np.int64)
    for start, length in zip(starts.tolist(), lengths.tolist()):
        bad = _histogram(np.ascontiguousarray(tokens[start : start + length]), counts)
        if bad >= 0:
            raise ValueError(f"token id {tokens[start + bad]} is outside 0..{size - 1}")
    return counts


@numba.njit(cache=True, nogil=True)
def _histogram(tokens, counts):
    size = counts.size
    for i in range(tokens.size):
        token = tokens[i]
        if token < 0 or token >= size:
            return i
        counts[token] += 1
    return -1
