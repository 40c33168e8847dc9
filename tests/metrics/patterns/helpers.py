"""What the kernel tests share: a text's code points, and its incrementing mask as the coverage kernel computes it."""

import numpy as np

from metrics.patterns import MAX_COUNT_UNIT, MIN_NUMBERED_LINES, MIN_TERMS
from metrics.patterns.incrementing import counting_mask, numbered_runs, numbers_before
from metrics.patterns.number_lexer import skeleton


def codes_of(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)


def incrementing_mask(codes: np.ndarray) -> np.ndarray:
    """Which characters counting copies and numbered lines cover: the steps coverage._coverage_rows takes inline."""
    symbols, values, alternates, char_start, char_end = skeleton(codes)
    before = numbers_before(symbols)
    runs = numbered_runs(symbols, before, MAX_COUNT_UNIT, MIN_TERMS)
    return counting_mask(
        codes.size, symbols, values, alternates, char_start, char_end, before, runs, MAX_COUNT_UNIT, MIN_TERMS, MIN_NUMBERED_LINES
    )
