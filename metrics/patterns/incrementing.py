"""Incrementing patterns: copies of a unit whose numbers count, and numbered lines (docs/METRICS.md, 'Templating')."""

from __future__ import annotations

import numba
import numpy as np

from metrics.patterns.character_classes import LINE_FEED, is_alnum
from metrics.patterns.number_lexer import NUMBER
from metrics.patterns.periodic_runs import next_run

RELATIVE_TOLERANCE = 1e-9  # two steps (differences or ratios) this close are the same step


@numba.njit(cache=True, nogil=True)
def numbers_before(symbols: np.ndarray) -> np.ndarray:
    """numbers_before[i]: number symbols in symbols[:i]."""
    counts = np.zeros(symbols.size + 1, dtype=np.int64)
    for i in range(symbols.size):
        counts[i + 1] = counts[i] + (symbols[i] == NUMBER)
    return counts


@numba.njit(cache=True, nogil=True)
def numbered_runs(symbols: np.ndarray, numbers_before: np.ndarray, max_unit: int, min_terms: int) -> np.ndarray:
    """(a, b, period) rows: every maximal periodic run of the skeleton (positions a..b equal the one a period on, as
    periodic_runs.next_run) spanning >= min_terms copies of a unit of <= max_unit symbols, the last copy possibly cut
    short, whose unit holds a number (a unit without one can neither count nor have few-valued numbers)."""
    m = symbols.size
    runs = np.empty((16, 3), dtype=np.int64)
    count = 0
    if numbers_before[m] < 2:  # a slot that moves, like a numbered list, needs two numbers at least
        return runs[:0]
    for period in range(1, min(max_unit, m // 2) + 1):
        # min_terms copies, the last of them possibly cut short, span at least this many positions of the run
        min_length = max(period, (min_terms - 2) * period + 1)
        a, b = next_run(symbols, period, min_length, period - 1)
        while a >= 0:
            if numbers_before[a + period] > numbers_before[a]:
                if count == runs.shape[0]:
                    runs = np.concatenate((runs, np.empty((count, 3), dtype=np.int64)))
                runs[count, 0], runs[count, 1], runs[count, 2] = a, b, period
                count += 1
            a, b = next_run(symbols, period, min_length, b + 1 + period)
    return runs[:count]


@numba.njit(cache=True, nogil=True)
def counting_mask(n, symbols, values, alternates, char_start, char_end, numbers_before, runs, max_unit, min_terms, min_lines) -> np.ndarray:
    """Which of the text's n characters counting copies (in the runs of numbered_runs with a unit of <= max_unit
    symbols) and numbered lines cover, from its skeleton."""
    covered = np.zeros(n, dtype=np.bool_)
    if numbers_before[-1] < 2:  # a slot that moves, like a numbered list, needs two numbers at least
        return covered
    for r in range(runs.shape[0]):
        a, b, period = runs[r, 0], runs[r, 1], runs[r, 2]
        if period <= max_unit:
            mark_counting_copies(symbols, values, alternates, a, period, b + period, min_terms, char_start, char_end, covered)
    mark_numbered_lines(symbols, values, char_start, char_end, min_lines, covered)
    return covered


@numba.njit(cache=True, nogil=True)
def mark_numbered_lines(symbols, values, char_start, char_end, min_lines, covered) -> None:
    """Cover runs of >= min_lines consecutive non-blank lines whose leading numbers (after punctuation and
    indentation) count with a constant non-zero step: numbered lists and tables with an index column."""
    m = symbols.size
    leads = np.full(m, np.nan)
    line_start = np.empty(m, dtype=np.int64)
    line_end = np.empty(m, dtype=np.int64)
    lines = 0
    i = 0
    while i < m:
        j = i
        while j < m and symbols[j] != LINE_FEED:
            j += 1
        k = i
        while k < j and symbols[k] != NUMBER and not is_alnum(symbols[k]):
            k += 1
        if k < j:  # blank lines neither count nor break a list
            leads[lines] = values[k] if symbols[k] == NUMBER else np.nan
            line_start[lines], line_end[lines] = char_start[i], char_end[j - 1]
            lines += 1
        i = j + 1
    first = 0
    for k in range(1, lines):
        step = leads[k] - leads[k - 1]
        if step != step or step == 0.0:
            first = k
            continue
        if k - first >= 2 and not _close(step, leads[k - 1] - leads[k - 2]):
            first = k - 1
        if k - first + 1 >= min_lines:
            covered[line_start[first] : line_end[k]] = True


@numba.njit(cache=True, nogil=True)
def mark_counting_copies(symbols, values, alternates, a, period, end, min_terms, char_start, char_end, covered) -> None:
    """Cover stretches of >= min_terms consecutive copies of the unit symbols[a : a + period] (the periodic run ends
    at `end`) in which every number slot keeps its own step and at least one slot moves."""
    copies = (end - a) // period + 1
    first = 0  # first copy of the current stretch
    for k in range(1, copies):
        moving = False
        steady = True
        for j in range(a, a + period):
            if symbols[j] != NUMBER or j + k * period > end:
                continue
            x, y = values[j + (k - 1) * period], values[j + k * period]
            if x != x or y != y:  # unknown (cut by the text's edge): neither moves nor breaks
                continue
            if y != x:
                moving = True
            if k - first >= 2 and values[j + (k - 2) * period] == values[j + (k - 2) * period]:
                if not (_same_step(values, j, k, period) or _same_step(alternates, j, k, period)):
                    steady = False
        if not moving:
            first = k
        elif not steady:
            first = k - 1
        elif k - first + 1 >= min_terms:
            covered[char_start[a + first * period] : char_end[min(a + (k + 1) * period - 1, end)]] = True


@numba.njit(cache=True, nogil=True)
def _same_step(values, j, k, period) -> bool:
    """Slot j moves from copy k-1 to k as it did from k-2 to k-1: the same difference or the same ratio."""
    x, y, z = values[j + (k - 2) * period], values[j + (k - 1) * period], values[j + k * period]
    if _close(z - y, y - x):
        return True
    return x != 0.0 and y != 0.0 and x != y and _close(z / y, y / x)


@numba.njit(cache=True, nogil=True)
def _close(x: float, y: float) -> bool:
    return abs(x - y) <= RELATIVE_TOLERANCE * max(1.0, abs(x))
