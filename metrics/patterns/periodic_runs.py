"""Maximal periodic runs of a sequence, and groups of runs with one unit up to rotation (docs/METRICS.md, 'Templating')."""

from __future__ import annotations

import numba
import numpy as np

ROTATION_HASH_BASE = 1_000_003  # a prime: the base of the polynomial hash that keys a unit's rotations


@numba.njit(cache=True, nogil=True)
def periodic_runs(codes: np.ndarray, max_unit: int, min_copies: int):
    """(rotation key of the primitive unit, start, end) of every maximal run of >= min_copies copies of a unit of
    <= max_unit symbols."""
    n = codes.size
    keys = np.empty(16, dtype=np.uint64)
    spans = np.empty((16, 2), dtype=np.int64)
    count = 0
    for period in range(1, min(max_unit, n // min_copies) + 1):
        a, b = next_run(codes, period, (min_copies - 1) * period, period - 1)
        while a >= 0:
            # a unit that is itself periodic was already found, with more copies, at its own smaller period
            if is_primitive(codes, a, period):
                if count == keys.size:
                    keys = np.concatenate((keys, np.empty(count, dtype=np.uint64)))
                    spans = np.concatenate((spans, np.empty((count, 2), dtype=np.int64)))
                keys[count] = rotation_key(codes, a, period)
                spans[count, 0], spans[count, 1] = a, b + 1 + period
                count += 1
            a, b = next_run(codes, period, (min_copies - 1) * period, b + 1 + period)
    return keys[:count], spans[:count, 0].copy(), spans[:count, 1].copy()


@numba.njit(cache=True, nogil=True)
def next_run(values: np.ndarray, period: int, min_length: int, i: int):
    """The first maximal run [a, b] probed from position i of positions k with values[k] == values[k + period] and
    b - a + 1 >= min_length >= period (it spells the periodic string values[a : b + 1 + period]); (-1, -1) when none.
    The next run is probed from b + 1 + period."""
    # Any min_length consecutive positions hold one of the samples i, i + min_length, i + 2 min_length... (the first
    # probe i is at most min_length - 1 past where a run could start), so only samples are probed and extended:
    # about n / min_length probes instead of n.
    last = values.size - period  # positions 0..last-1 have a partner
    while i < last:
        if values[i] != values[i + period]:
            i += min_length
            continue
        a = i
        while a > 0 and values[a - 1] == values[a - 1 + period]:
            a -= 1
        b = i
        while b + 1 < last and values[b + 1] == values[b + 1 + period]:
            b += 1
        if b - a + 1 >= min_length:
            return a, b
        i = b + 1 + period  # b + 1 breaks the run; the next long run holds a sample from here on
    return -1, -1


@numba.njit(cache=True, nogil=True)
def is_primitive(codes: np.ndarray, start: int, period: int) -> bool:
    """Whether the unit codes[start : start + period] is not itself a repetition of a shorter unit."""
    for d in range(1, period // 2 + 1):
        if period % d == 0:
            periodic = True
            for k in range(start + d, start + period):
                if codes[k] != codes[k - d]:
                    periodic = False
                    break
            if periodic:
                return False
    return True


@numba.njit(cache=True, nogil=True)
def rotation_key(codes: np.ndarray, start: int, period: int) -> np.uint64:
    """The smallest polynomial hash over the rotations of codes[start : start + period]."""
    base = np.uint64(ROTATION_HASH_BASE)
    top = np.uint64(1)
    h = np.uint64(0)
    for k in range(period):
        h = h * base + np.uint64(codes[start + k])
        if k > 0:
            top = top * base
    best = h
    for k in range(period - 1):
        c = np.uint64(codes[start + k])
        h = (h - c * top) * base + c
        if h < best:
            best = h
    return best


@numba.njit(cache=True, nogil=True)
def key_groups(keys: np.ndarray):
    """(order, bounds): order[bounds[g] : bounds[g + 1]] are the indices of the g-th distinct key, in key order."""
    order = np.argsort(keys)
    bounds = np.empty(keys.size + 1, dtype=np.int64)
    groups = 0
    for i in range(order.size):
        if i == 0 or keys[order[i]] != keys[order[i - 1]]:
            bounds[groups] = i
            groups += 1
    bounds[groups] = order.size
    return order, bounds[: groups + 1]


@numba.njit(cache=True, nogil=True)
def largest_group(keys: np.ndarray, starts: np.ndarray, ends: np.ndarray, counted_before: np.ndarray):
    """(positions, span indices) of the group of spans with equal keys whose union covers the most positions, counting
    only the positions that counted_before (a prefix count: counted_before[i] positions below i count) counts."""
    order, bounds = key_groups(keys)
    best = 0
    best_group = order[:0]
    for g in range(bounds.size - 1):
        group = order[bounds[g] : bounds[g + 1]]
        group = group[np.argsort(starts[group])]
        total = 0
        reach = -1
        for i in group:
            if ends[i] > reach:
                total += counted_before[ends[i]] - counted_before[max(starts[i], reach)]
                reach = ends[i]
        if total > best:
            best, best_group = total, group
    return best, best_group
