"""How much of each text one repeating and one incrementing pattern cover, and the flags (docs/METRICS.md, 'Templating')."""

from __future__ import annotations

import numba
import numpy as np

from metrics.code_points import TextColumn, code_points, text_code_points
from metrics.patterns.character_classes import is_space
from metrics.patterns.incrementing import counting_mask, numbered_runs, numbers_before
from metrics.patterns.number_lexer import skeleton
from metrics.patterns.repeating import dominant_repetition, few_valued_repetition

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
        while start < end and is_space(codes[start]):  # str.strip()
            start += 1
        while end > start and is_space(codes[end - 1]):
            end -= 1
        if end > start:
            text = codes[start:end].astype(np.int64)
            symbols, values, alternates, char_start, char_end = skeleton(text)
            numbers = numbers_before(symbols)
            runs = numbered_runs(symbols, numbers, max(max_count_unit, max_repeat_unit), min_terms)
            counting = counting_mask(
                text.size, symbols, values, alternates, char_start, char_end, numbers, runs, max_count_unit, min_terms, min_lines
            )
            coverage[r, 0] = counting.sum() / text.size
            exact, exact_starts, exact_ends = dominant_repetition(text, max_repeat_unit, min_copies)
            few_valued, few_starts, few_ends = few_valued_repetition(
                symbols, values, char_start, char_end, counting, numbers, runs, max_repeat_unit, min_copies, max_repeat_values
            )
            coverage[r, 1] = max(exact, few_valued) / text.size
            # the dominant repetition's spans together with the counting copies (a numbered table and its rules)
            starts, ends = (few_starts, few_ends) if few_valued > exact else (exact_starts, exact_ends)
            for k in range(starts.size):
                counting[starts[k] : ends[k]] = True
            coverage[r, 2] = counting.sum() / text.size
    return coverage
