import random

import numpy as np

from metrics.patterns import MAX_COUNT_UNIT, MIN_NUMBERED_LINES, MIN_TERMS
from metrics.patterns.incrementing import mark_counting_copies, mark_numbered_lines
from metrics.patterns.number_lexer import skeleton
from metrics.patterns.periodic_runs import next_run
from tests.metrics.pattern_cases import INCREMENTING, NEGATIVE, REPEATING
from tests.metrics.patterns.helpers import codes_of, incrementing_mask


def unpruned_incrementing_mask(text: str) -> np.ndarray:
    """The incrementing mask from every periodic run of the skeleton, none skipped as unable to count."""
    codes = codes_of(text)
    symbols, values, alternates, char_start, char_end = skeleton(codes)
    covered = np.zeros(codes.size, dtype=np.bool_)
    for period in range(1, min(MAX_COUNT_UNIT, symbols.size // 2) + 1):
        a, b = next_run(symbols, period, period, period - 1)
        while a >= 0:
            mark_counting_copies(symbols, values, alternates, a, period, b + period, MIN_TERMS, char_start, char_end, covered)
            a, b = next_run(symbols, period, period, b + 1 + period)
    mark_numbered_lines(symbols, values, char_start, char_end, MIN_NUMBERED_LINES, covered)
    return covered


def test_incrementing_shortcuts_change_nothing():
    rng = random.Random(11)
    texts = [*INCREMENTING, *REPEATING, *NEGATIVE]
    for _ in range(400):
        alphabet = rng.choice(["1 2\n", "a(b)iv. ", "x1y22z", "0x1f, ", "7"])
        texts.append("".join(rng.choices(alphabet, k=rng.randint(0, 120))))
        start, step, separator = rng.randint(0, 20), rng.randint(1, 3), rng.choice([" ", ", ", "\n", "] ["])
        count = rng.randint(2, 5)  # few numbers: the fewest that can count
        texts.append(
            rng.choice(["", "x", "see "]) + separator.join(str(start + step * k) for k in range(count)) + rng.choice(["", "x", "."])
        )
    for text in texts:
        assert np.array_equal(incrementing_mask(codes_of(text)), unpruned_incrementing_mask(text)), text
