"""Repeating patterns: the runs of the one unit (characters or skeleton symbols) covering most of a text (docs/METRICS.md, 'Templating')."""

from __future__ import annotations

import numba
import numpy as np

from metrics.patterns.number_lexer import NUMBER
from metrics.patterns.periodic_runs import is_primitive, key_groups, largest_group, periodic_runs, rotation_key


@numba.njit(cache=True, nogil=True)
def dominant_repetition(codes: np.ndarray, max_unit: int, min_copies: int):
    """(characters covered, run starts, run ends) of the periodic runs of the most covering unit (up to rotation)."""
    keys, starts, ends = periodic_runs(codes, max_unit, min_copies)
    if keys.size == 0:
        return 0, starts, ends
    covered, group = largest_group(keys, starts, ends, np.arange(codes.size + 1))
    return covered, starts[group], ends[group]


@numba.njit(cache=True, nogil=True)
def few_valued_repetition(symbols, values, char_start, char_end, counting, numbers_before, runs, max_unit, min_copies, max_values):
    """(characters outside `counting` covered, character starts, character ends of its runs) for the periodic runs of
    the most covering skeleton unit (numbers as one symbol) that holds a number, counting only units whose numbers
    take at most max_values distinct values over all their runs. Its runs are those of incrementing.numbered_runs
    (found for >= MIN_TERMS <= MIN_COPIES copies) with >= min_copies whole copies of a unit of <= max_unit symbols."""
    none = np.empty(0, dtype=np.int64)
    if numbers_before[-1] < min_copies:  # min_copies whole copies of a unit with a number hold that many numbers
        return 0, none, none
    keys = np.empty(runs.shape[0], dtype=np.uint64)
    starts = np.empty(runs.shape[0], dtype=np.int64)
    ends = np.empty(runs.shape[0], dtype=np.int64)
    count = 0
    for r in range(runs.shape[0]):
        a, b, period = runs[r, 0], runs[r, 1], runs[r, 2]
        # a unit that is itself periodic was already found, with more copies, at its own smaller period
        if period <= max_unit and b - a + 1 >= (min_copies - 1) * period and is_primitive(symbols, a, period):
            keys[count], starts[count], ends[count] = rotation_key(symbols, a, period), a, b + 1 + period
            count += 1
    if count == 0:
        return 0, none, none
    keys, starts, ends = keys[:count], starts[:count], ends[:count]
    order, bounds = key_groups(keys)
    kept = np.zeros(keys.size, dtype=np.bool_)
    for g in range(bounds.size - 1):
        group = order[bounds[g] : bounds[g + 1]]
        kept[group] = _takes_few_values(symbols, values, starts[group], ends[group], max_values)
    if not kept.any():
        return 0, none, none
    few = np.nonzero(kept)[0]
    not_counting_before = np.zeros(counting.size + 1, dtype=np.int64)
    for i in range(counting.size):
        not_counting_before[i + 1] = not_counting_before[i] + (not counting[i])
    first, last = char_start[starts[few]], char_end[ends[few] - 1]
    covered, group = largest_group(keys[few], first, last, not_counting_before)
    return covered, first[group], last[group]


@numba.njit(cache=True, nogil=True)
def _takes_few_values(symbols, values, starts, ends, max_values) -> bool:
    """Whether the known numbers of the spans symbols[starts[i] : ends[i]] take at most max_values distinct values."""
    seen = np.empty(max_values)
    distinct = 0
    for i in range(starts.size):
        for k in range(starts[i], ends[i]):
            v = values[k]
            if symbols[k] != NUMBER or v != v:
                continue
            new = True
            for d in range(distinct):
                if seen[d] == v:
                    new = False
                    break
            if new:
                if distinct == max_values:
                    return False
                seen[distinct] = v
                distinct += 1
    return True
