"""Templating on decoded text (docs/METRICS.md, 'Templating'; Prashant et al. 2024, arXiv 2406.17746): how much of a
text one repeating or one incrementing pattern explains, and the flags `is_repeating`, `is_incrementing`.

The reference (EleutherAI/semantic-memorization, filters/pattern_incrementing.py and its exact-period test)
required the whole text to be one pattern, so any lead-in or tail hid it. Ours measures coverage inside the
text, and keeps to what people label as templating (../shared/data, README 'Templating'):

- repeating: the same unit over and over, character for character. Runs that are periodic with a unit of
  <= MAX_REPEAT_UNIT characters over >= MIN_COPIES copies, grouped by their unit (up to rotation: "ab" runs
  and "ba" runs are one pattern); `repeating_coverage` is the share of the text the largest group covers.
  A unit whose numbers take at most MAX_REPEAT_VALUES distinct values over all its runs also repeats (bit
  matrices "0&1&0", "9, 9, 7, 7"): with each number as one symbol its runs form a group too, covering what
  they cover outside the counting copies (below).
  Lines that only share a prefix (`\\usepackage{...}` blocks, imports, stack traces) are not a repetition.
- incrementing: the same unit over and over except for numbers that count. Every number (decimal, decimal
  fraction, 0x-hex, a lone letter enumerator "(b)", a roman numeral "XXIX", "(iv)", an English number word
  "one".."twenty") becomes one placeholder;
  runs of >= MIN_TERMS consecutive copies of a unit of <= MAX_COUNT_UNIT symbols in which each number slot
  keeps its own constant step (or constant ratio) and at least one slot moves are covered.
  So are >= MIN_NUMBERED_LINES consecutive non-blank lines whose leading numbers count (numbered lists).
  `incrementing_coverage` is the share of the text those copies and lines cover. Lines that differ in an identifier
  ("AMDEP_TRUE = @AMDEP_TRUE@") or in unrelated numbers (tables, stack-trace line numbers) do not count.
- templating: `templating_coverage` is the share the counting copies and the dominant repetition's runs cover
  together (a numbered table header and its ruled lines). is_repeating: repeating >= REPEATING_THRESHOLD;
  is_incrementing: incrementing >= INCREMENTING_THRESHOLD, or templating >= TEMPLATING_THRESHOLD where repetition
  alone falls short (such a text always counts). So is_templating: incrementing >= 0.65 or templating >= 0.8.
"""

from __future__ import annotations

import numba
import numpy as np

from metrics.code_points import TextColumn, code_points, text_code_points

MAX_REPEAT_UNIT = 64  # characters
MIN_COPIES = 3
MAX_REPEAT_VALUES = 4  # distinct numbers a repeated unit's number slots may take ("0&1&0&0", "9, 9, 7, 7")
MAX_COUNT_UNIT = 96  # skeleton symbols (a number is one symbol)
MIN_TERMS = 3  # <= MIN_COPIES: the few-valued repetition reuses the skeleton runs found for counting
MIN_NUMBERED_LINES = 4
# chosen on the dev labels, checked by 5-fold cross-validation (benchmarks/templating_agreement.py)
INCREMENTING_THRESHOLD = 0.65
REPEATING_THRESHOLD = 0.8
TEMPLATING_THRESHOLD = 0.8  # counting and the dominant repetition together

_NUMBER = -1  # skeleton symbol standing for any number


def pattern_coverage(text: str) -> tuple[float, float, float]:
    """(incrementing, repeating, templating) coverage of one decoded text, each a share 0..1 of its stripped characters."""
    coverage = _coverages(*text_code_points(text or ""))
    return float(coverage[0, 0]), float(coverage[0, 1]), float(coverage[0, 2])


def pattern_flags(text: str) -> tuple[bool, bool]:
    """(is_incrementing, is_repeating) of one decoded text."""
    incrementing, repeating = coverage_flags(_coverages(*text_code_points(text or "")))
    return bool(incrementing[0]), bool(repeating[0])


def pattern_coverages(texts: TextColumn) -> np.ndarray:
    """(rows, 3) incrementing, repeating and templating coverage of a batch of texts (null counts as empty), in one
    compiled pass."""
    return _coverages(*code_points(texts))


def coverage_flags(
    coverage: np.ndarray,
    incrementing: float = INCREMENTING_THRESHOLD,
    repeating: float = REPEATING_THRESHOLD,
    templating: float = TEMPLATING_THRESHOLD,
) -> tuple[np.ndarray, np.ndarray]:
    """(is_incrementing, is_repeating) from (rows, 3) coverages. A text that counting and repetition explain only
    together (a numbered table and its rules) counts as incrementing: its counting is what makes it a template."""
    is_repeating = coverage[:, 1] >= repeating
    is_incrementing = (coverage[:, 0] >= incrementing) | ((coverage[:, 2] >= templating) & ~is_repeating)
    return is_incrementing, is_repeating


def pattern_columns(texts: TextColumn) -> dict[str, np.ndarray]:
    """Flags and the three coverages they come from (coverage_flags re-draws the flags at other thresholds) for a
    batch of texts (null counts as empty)."""
    coverage = pattern_coverages(texts)
    incrementing, repeating = coverage_flags(coverage)
    return {
        "is_incrementing": incrementing,
        "is_repeating": repeating,
        "is_templating": incrementing | repeating,
        "incrementing_coverage": coverage[:, 0],
        "repeating_coverage": coverage[:, 1],
        "templating_coverage": coverage[:, 2],
    }


def _coverages(codes: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    return _coverage_rows(codes, offsets, MAX_COUNT_UNIT, MIN_TERMS, MIN_NUMBERED_LINES, MAX_REPEAT_UNIT, MIN_COPIES, MAX_REPEAT_VALUES)


@numba.njit(cache=True, nogil=True)
def _coverage_rows(codes, offsets, max_count_unit, min_terms, min_lines, max_repeat_unit, min_copies, max_repeat_values):
    coverage = np.zeros((offsets.size - 1, 3))
    for r in range(offsets.size - 1):
        start, end = offsets[r], offsets[r + 1]
        while start < end and _is_space(codes[start]):  # str.strip()
            start += 1
        while end > start and _is_space(codes[end - 1]):
            end -= 1
        if end > start:
            text = codes[start:end].astype(np.int64)
            symbols, values, alternates, char_start, char_end = _skeleton(text)
            numbers_before = _numbers_before(symbols)
            runs = _numbered_runs(symbols, numbers_before, max(max_count_unit, max_repeat_unit), min_terms)
            counting = _counting_mask(
                text.size, symbols, values, alternates, char_start, char_end, numbers_before, runs, max_count_unit, min_terms, min_lines
            )
            coverage[r, 0] = counting.sum() / text.size
            exact, exact_starts, exact_ends = _dominant_repetition(text, max_repeat_unit, min_copies)
            few_valued, few_starts, few_ends = _few_valued_repetition(
                symbols, values, char_start, char_end, counting, numbers_before, runs, max_repeat_unit, min_copies, max_repeat_values
            )
            coverage[r, 1] = max(exact, few_valued) / text.size
            # the dominant repetition's spans together with the counting copies (a numbered table and its rules)
            starts, ends = (few_starts, few_ends) if few_valued > exact else (exact_starts, exact_ends)
            for k in range(starts.size):
                counting[starts[k] : ends[k]] = True
            coverage[r, 2] = counting.sum() / text.size
    return coverage


@numba.njit(cache=True, nogil=True)
def _is_space(c: int) -> bool:
    """Python's str.isspace for one code point (what str.strip() removes)."""
    if c <= 32:
        return c == 32 or 9 <= c <= 13 or 28 <= c <= 31
    if c < 133:
        return False
    return c == 133 or c == 160 or c == 5760 or 8192 <= c <= 8202 or c == 8232 or c == 8233 or c == 8239 or c == 8287 or c == 12288


# ---------------------------------------------------------------- repeating


@numba.njit(cache=True, nogil=True)
def _dominant_repetition(codes: np.ndarray, max_unit: int, min_copies: int):
    """(characters covered, run starts, run ends) of the periodic runs of the most covering unit (up to rotation)."""
    keys, starts, ends = _periodic_runs(codes, max_unit, min_copies)
    if keys.size == 0:
        return 0, starts, ends
    covered, group = _largest_group(keys, starts, ends, np.arange(codes.size + 1))
    return covered, starts[group], ends[group]


@numba.njit(cache=True, nogil=True)
def _few_valued_repetition(symbols, values, char_start, char_end, counting, numbers_before, runs, max_unit, min_copies, max_values):
    """(characters outside `counting` covered, character starts, character ends of its runs) for the periodic runs of
    the most covering skeleton unit (numbers as one symbol) that holds a number, counting only units whose numbers
    take at most max_values distinct values over all their runs. Its runs are those of _numbered_runs (found for
    >= MIN_TERMS <= MIN_COPIES copies) with >= min_copies whole copies of a unit of <= max_unit symbols."""
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
        if period <= max_unit and b - a + 1 >= (min_copies - 1) * period and _is_primitive(symbols, a, period):
            keys[count], starts[count], ends[count] = _rotation_key(symbols, a, period), a, b + 1 + period
            count += 1
    if count == 0:
        return 0, none, none
    keys, starts, ends = keys[:count], starts[:count], ends[:count]
    order, bounds = _key_groups(keys)
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
    covered, group = _largest_group(keys[few], first, last, not_counting_before)
    return covered, first[group], last[group]


@numba.njit(cache=True, nogil=True)
def _periodic_runs(codes: np.ndarray, max_unit: int, min_copies: int):
    """(rotation key of the primitive unit, start, end) of every maximal run of >= min_copies copies of a unit of
    <= max_unit symbols."""
    n = codes.size
    keys = np.empty(16, dtype=np.uint64)
    spans = np.empty((16, 2), dtype=np.int64)
    count = 0
    for period in range(1, min(max_unit, n // min_copies) + 1):
        a, b = _next_run(codes, period, (min_copies - 1) * period, period - 1)
        while a >= 0:
            # a unit that is itself periodic was already found, with more copies, at its own smaller period
            if _is_primitive(codes, a, period):
                if count == keys.size:
                    keys = np.concatenate((keys, np.empty(count, dtype=np.uint64)))
                    spans = np.concatenate((spans, np.empty((count, 2), dtype=np.int64)))
                keys[count] = _rotation_key(codes, a, period)
                spans[count, 0], spans[count, 1] = a, b + 1 + period
                count += 1
            a, b = _next_run(codes, period, (min_copies - 1) * period, b + 1 + period)
    return keys[:count], spans[:count, 0].copy(), spans[:count, 1].copy()


@numba.njit(cache=True, nogil=True)
def _next_run(values: np.ndarray, period: int, min_length: int, i: int):
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
def _is_primitive(codes: np.ndarray, start: int, period: int) -> bool:
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
def _rotation_key(codes: np.ndarray, start: int, period: int) -> np.uint64:
    """The smallest polynomial hash over the rotations of codes[start : start + period]."""
    base = np.uint64(1_000_003)
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
def _takes_few_values(symbols, values, starts, ends, max_values) -> bool:
    """Whether the known numbers of the spans symbols[starts[i] : ends[i]] take at most max_values distinct values."""
    seen = np.empty(max_values)
    distinct = 0
    for i in range(starts.size):
        for k in range(starts[i], ends[i]):
            v = values[k]
            if symbols[k] != _NUMBER or v != v:
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


@numba.njit(cache=True, nogil=True)
def _key_groups(keys: np.ndarray):
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
def _largest_group(keys: np.ndarray, starts: np.ndarray, ends: np.ndarray, counted_before: np.ndarray):
    """(positions, span indices) of the group of spans with equal keys whose union covers the most positions, counting
    only the positions that counted_before (a prefix count: counted_before[i] positions below i count) counts."""
    order, bounds = _key_groups(keys)
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


# ---------------------------------------------------------------- incrementing


@numba.njit(cache=True, nogil=True)
def _incrementing_mask(codes: np.ndarray, max_unit: int, min_terms: int, min_lines: int) -> np.ndarray:
    symbols, values, alternates, char_start, char_end = _skeleton(codes)
    numbers_before = _numbers_before(symbols)
    runs = _numbered_runs(symbols, numbers_before, max_unit, min_terms)
    return _counting_mask(
        codes.size, symbols, values, alternates, char_start, char_end, numbers_before, runs, max_unit, min_terms, min_lines
    )


@numba.njit(cache=True, nogil=True)
def _numbers_before(symbols: np.ndarray) -> np.ndarray:
    """numbers_before[i]: number symbols in symbols[:i]."""
    numbers_before = np.zeros(symbols.size + 1, dtype=np.int64)
    for i in range(symbols.size):
        numbers_before[i + 1] = numbers_before[i] + (symbols[i] == _NUMBER)
    return numbers_before


@numba.njit(cache=True, nogil=True)
def _numbered_runs(symbols: np.ndarray, numbers_before: np.ndarray, max_unit: int, min_terms: int) -> np.ndarray:
    """(a, b, period) rows: every maximal periodic run of the skeleton (positions a..b equal the one a period on, as
    _next_run) spanning >= min_terms copies of a unit of <= max_unit symbols, the last copy possibly cut short,
    whose unit holds a number (a unit without one can neither count nor have few-valued numbers)."""
    m = symbols.size
    runs = np.empty((16, 3), dtype=np.int64)
    count = 0
    if numbers_before[m] < 2:  # a slot that moves, like a numbered list, needs two numbers at least
        return runs[:0]
    for period in range(1, min(max_unit, m // 2) + 1):
        # min_terms copies, the last of them possibly cut short, span at least this many positions of the run
        min_length = max(period, (min_terms - 2) * period + 1)
        a, b = _next_run(symbols, period, min_length, period - 1)
        while a >= 0:
            if numbers_before[a + period] > numbers_before[a]:
                if count == runs.shape[0]:
                    runs = np.concatenate((runs, np.empty((count, 3), dtype=np.int64)))
                runs[count, 0], runs[count, 1], runs[count, 2] = a, b, period
                count += 1
            a, b = _next_run(symbols, period, min_length, b + 1 + period)
    return runs[:count]


@numba.njit(cache=True, nogil=True)
def _counting_mask(
    n, symbols, values, alternates, char_start, char_end, numbers_before, runs, max_unit, min_terms, min_lines
) -> np.ndarray:
    """Which of the text's n characters counting copies (in the runs of _numbered_runs with a unit of <= max_unit
    symbols) and numbered lines cover, from its skeleton."""
    covered = np.zeros(n, dtype=np.bool_)
    if numbers_before[-1] < 2:  # a slot that moves, like a numbered list, needs two numbers at least
        return covered
    for r in range(runs.shape[0]):
        a, b, period = runs[r, 0], runs[r, 1], runs[r, 2]
        if period <= max_unit:
            _mark_counting_copies(symbols, values, alternates, a, period, b + period, min_terms, char_start, char_end, covered)
    _mark_numbered_lines(symbols, values, char_start, char_end, min_lines, covered)
    return covered


@numba.njit(cache=True, nogil=True)
def _mark_numbered_lines(symbols, values, char_start, char_end, min_lines, covered) -> None:
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
        while j < m and symbols[j] != 10:
            j += 1
        k = i
        while k < j and symbols[k] != _NUMBER and not _is_alnum(symbols[k]):
            k += 1
        if k < j:  # blank lines neither count nor break a list
            leads[lines] = values[k] if symbols[k] == _NUMBER else np.nan
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
def _mark_counting_copies(symbols, values, alternates, a, period, end, min_terms, char_start, char_end, covered) -> None:
    """Cover stretches of >= min_terms consecutive copies of the unit symbols[a : a + period] (the periodic run ends
    at `end`) in which every number slot keeps its own step and at least one slot moves."""
    copies = (end - a) // period + 1
    first = 0  # first copy of the current stretch
    for k in range(1, copies):
        moving = False
        steady = True
        for j in range(a, a + period):
            if symbols[j] != _NUMBER or j + k * period > end:
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
    return abs(x - y) <= 1e-9 * max(1.0, abs(x))


@numba.njit(cache=True, nogil=True)
def _skeleton(codes: np.ndarray):
    """Symbols of the text with each number replaced by _NUMBER; per symbol its value (NaN when not a number or when
    cut by the text's edge), an alternate value (a lone roman letter's numeral value), and its character span."""
    n = codes.size
    symbols = np.empty(n, dtype=np.int64)
    values = np.empty(n, dtype=np.float64)
    alternates = np.empty(n, dtype=np.float64)
    char_start = np.empty(n, dtype=np.int64)
    char_end = np.empty(n, dtype=np.int64)
    m = 0
    i = 0
    while i < n:
        c = codes[i]
        if not (48 <= c <= 57 or _is_letter(c)) or (c > 57 and i > 0 and (_is_alnum(codes[i - 1]) or codes[i - 1] == 95)):
            # most characters: not a digit, nor a letter that starts a word, so no number starts here
            symbols[m], values[m], alternates[m], char_start[m], char_end[m] = c, np.nan, np.nan, i, i + 1
            m += 1
            i += 1
            continue
        end, value, alternate = _number_at(codes, i)
        if end > i:
            if i == 0 or end == n:
                value = alternate = np.nan
            symbols[m] = _NUMBER
        else:
            end = i + 1
            symbols[m] = codes[i]
        values[m], alternates[m], char_start[m], char_end[m] = value, alternate, i, end
        m += 1
        i = end
    return symbols[:m], values[:m], alternates[:m], char_start[:m], char_end[:m]


@numba.njit(cache=True, nogil=True)
def _number_at(codes: np.ndarray, i: int):
    """(end, value, alternate value) of a number starting at codes[i]; end == i when none starts there."""
    n = codes.size
    c = codes[i]
    if not (48 <= c <= 57 or _is_letter(c)):  # most characters: no number starts here
        return i, np.nan, np.nan
    word_start = i == 0 or not (_is_alnum(codes[i - 1]) or codes[i - 1] == 95)
    if c == 48 and word_start and i + 2 < n and (codes[i + 1] | 32) == 120 and _hex_digit(codes[i + 2]) >= 0:
        j, value = i + 2, 0.0
        while j < n and _hex_digit(codes[j]) >= 0:
            value = value * 16.0 + _hex_digit(codes[j])
            j += 1
        return j, value, value
    if 48 <= c <= 57:
        j, value = i, 0.0
        while j < n and 48 <= codes[j] <= 57:
            value = value * 10.0 + (codes[j] - 48)
            j += 1
        if j + 1 < n and codes[j] == 46 and 48 <= codes[j + 1] <= 57:
            scale = 0.1
            j += 1
            while j < n and 48 <= codes[j] <= 57:
                value += (codes[j] - 48) * scale
                scale /= 10.0
                j += 1
        return j, value, value
    if _is_letter(c) and word_start:
        j = i
        while j < n and _is_letter(codes[j]):
            j += 1
        if j < n and (_is_alnum(codes[j]) or codes[j] == 95):
            return i, np.nan, np.nan
        word = _number_word_value(codes, i, j)
        if word > 0:
            return j, float(word), float(word)
        roman = _roman_value(codes, i, j)
        if j - i == 1:  # "(b)", "a.", "x_{c}": a letter enumerator, or a roman one-letter numeral "(i)"
            letter = float(c | 32) - 96.0
            return j, letter, float(roman) if roman > 0 else letter
        # roman numerals: upper case ("Chapter XXIX"), or lower case set off like "(iv)" / "iv." (not "li", "div")
        if roman > 0 and (c < 97 or (i > 0 and codes[i - 1] == 40) or (j < n and (codes[j] == 41 or codes[j] == 46))):
            return j, float(roman), float(roman)
    return i, np.nan, np.nan


_NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty"
).split()


# each word as a base-27 number of its letters (a = 1), the key _number_word_value computes for a word of the text
_NUMBER_WORD_KEYS = np.array(
    [sum((ord(letter) - 96) * 27**k for k, letter in enumerate(reversed(word))) for word in _NUMBER_WORDS], dtype=np.int64
)


@numba.njit(cache=True, nogil=True)
def _number_word_value(codes: np.ndarray, i: int, j: int) -> int:
    """1..20 when codes[i:j] spells an English number word in any letter case, else 0."""
    if j - i < 3 or j - i > 9:
        return 0
    key = 0
    for k in range(i, j):
        key = key * 27 + ((codes[k] | 32) - 96)
    for v in range(_NUMBER_WORD_KEYS.size):
        if _NUMBER_WORD_KEYS[v] == key:
            return v + 1
    return 0


@numba.njit(cache=True, nogil=True)
def _roman_value(codes: np.ndarray, i: int, j: int) -> int:
    """Value of codes[i:j] as a roman numeral in one letter case, -1 when it is not a well-formed one."""
    upper = codes[i] < 97
    total = 0
    repeat = 0
    for k in range(i, j):
        digit = _roman_digit(codes[k])
        if digit == 0 or (codes[k] < 97) != upper:
            return -1
        repeat = repeat + 1 if k > i and codes[k] == codes[k - 1] else 1
        if repeat > 3 or (repeat > 1 and digit in (5, 50, 500)):
            return -1
        following = _roman_digit(codes[k + 1]) if k + 1 < j else 0
        if following > digit:
            if following not in (5 * digit, 10 * digit) or digit in (5, 50, 500):
                return -1
            total -= digit
        else:
            total += digit
    return total


@numba.njit(cache=True, nogil=True)
def _roman_digit(c: int) -> int:
    c |= 32
    if c == 105:
        return 1
    if c == 118:
        return 5
    if c == 120:
        return 10
    if c == 108:
        return 50
    if c == 99:
        return 100
    if c == 100:
        return 500
    if c == 109:
        return 1000
    return 0


@numba.njit(cache=True, nogil=True)
def _hex_digit(c: int) -> int:
    if 48 <= c <= 57:
        return c - 48
    if 97 <= c <= 102:
        return c - 87
    if 65 <= c <= 70:
        return c - 55
    return -1


@numba.njit(cache=True, nogil=True)
def _is_letter(c: int) -> bool:
    return 65 <= c <= 90 or 97 <= c <= 122


@numba.njit(cache=True, nogil=True)
def _is_alnum(c: int) -> bool:
    return 48 <= c <= 57 or _is_letter(c)
