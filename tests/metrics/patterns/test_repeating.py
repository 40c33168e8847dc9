import random

from metrics.patterns import MAX_COUNT_UNIT, MAX_REPEAT_UNIT, MAX_REPEAT_VALUES, MIN_COPIES, MIN_TERMS
from metrics.patterns.incrementing import numbered_runs, numbers_before
from metrics.patterns.number_lexer import NUMBER, skeleton
from metrics.patterns.repeating import dominant_repetition, few_valued_repetition
from tests.metrics.pattern_cases import INCREMENTING, NEGATIVE, REPEATING
from tests.metrics.patterns.helpers import codes_of, incrementing_mask


def brute_force_dominant(text: str) -> int:
    """Per rotation class of the primitive unit, the union of runs with >= MIN_COPIES copies; the largest."""

    def primitive(unit):
        return next(unit[:d] for d in range(1, len(unit) + 1) if len(unit) % d == 0 and unit[:d] * (len(unit) // d) == unit)

    groups: dict[str, set[int]] = {}
    for period in range(1, min(MAX_REPEAT_UNIT, len(text) // MIN_COPIES) + 1):
        i = 0
        while i < len(text) - period:
            if text[i] != text[i + period]:
                i += 1
                continue
            j = i
            while j < len(text) - period and text[j] == text[j + period]:
                j += 1
            if j - i >= (MIN_COPIES - 1) * period:
                unit = primitive(text[i : i + period])
                key = min(unit[k:] + unit[:k] for k in range(len(unit)))
                groups.setdefault(key, set()).update(range(i, j + period))
            i = j
    return max((len(covered) for covered in groups.values()), default=0)


def test_dominant_repetition_equals_brute_force():
    rng = random.Random(3)
    for _ in range(400):
        alphabet = rng.choice(["ab", "abc", "a b-", "xyz01"])
        pieces = [
            rng.choice(
                [c * rng.randint(1, 9) for c in alphabet] + ["".join(rng.choices(alphabet, k=rng.randint(1, 5))) * rng.randint(1, 5)]
            )
            for _ in range(rng.randint(1, 12))
        ]
        text = "".join(pieces)
        covered, starts, ends = dominant_repetition(codes_of(text), MAX_REPEAT_UNIT, MIN_COPIES)
        assert covered == brute_force_dominant(text), text
        assert len({k for a, b in zip(starts, ends) for k in range(a, b)}) == covered, text  # the runs it returns


def brute_force_few_valued(text: str) -> int:
    """Characters outside counting copies covered by the largest rotation class of skeleton units holding a number
    whose runs' numbers take at most MAX_REPEAT_VALUES values, from plain Python sets."""
    codes = codes_of(text)
    symbols, values, _, char_start, char_end = skeleton(codes)
    symbols = symbols.tolist()
    counting = incrementing_mask(codes)
    groups: dict[tuple, set[int]] = {}
    for period in range(1, min(MAX_REPEAT_UNIT, len(symbols) // MIN_COPIES) + 1):
        i = 0
        while i < len(symbols) - period:
            j = i
            while j < len(symbols) - period and symbols[j] == symbols[j + period]:
                j += 1
            if j - i >= (MIN_COPIES - 1) * period:
                unit = symbols[i : i + period]
                size = next(d for d in range(1, period + 1) if period % d == 0 and unit[:d] * (period // d) == unit)
                if size == period and NUMBER in unit:
                    key = min(tuple(unit[k:] + unit[:k]) for k in range(period))
                    groups.setdefault(key, set()).update(range(i, j + period))
            i = max(j, i + 1)
    best = 0
    for positions in groups.values():
        numbers = {values[k] for k in positions if symbols[k] == NUMBER and values[k] == values[k]}
        if len(numbers) <= MAX_REPEAT_VALUES:
            chars = {c for k in positions for c in range(char_start[k], char_end[k])}
            best = max(best, sum(not counting[c] for c in chars))
    return best


def test_few_valued_repetition_equals_brute_force():
    rng = random.Random(7)
    texts = [*INCREMENTING, *REPEATING, *NEGATIVE]
    for _ in range(400):
        numbers = [str(v) for v in rng.sample(range(0, 300), rng.randint(1, 7))]
        separator = rng.choice([", ", " ", "\n", "&", "];["])
        cells = rng.choices(numbers, k=rng.randint(0, 40))
        counting = [str(k) for k in range(rng.randint(0, 9), rng.randint(0, 16))]
        texts.append(rng.choice(["", "x ", "a["]) + separator.join(cells + counting) + rng.choice(["", " end", "0"]))
    for text in texts:
        codes = codes_of(text)
        symbols, values, _, char_start, char_end = skeleton(codes)
        counting = incrementing_mask(codes)
        before = numbers_before(symbols)
        runs = numbered_runs(symbols, before, max(MAX_COUNT_UNIT, MAX_REPEAT_UNIT), MIN_TERMS)
        found, starts, ends = few_valued_repetition(
            symbols, values, char_start, char_end, counting, before, runs, MAX_REPEAT_UNIT, MIN_COPIES, MAX_REPEAT_VALUES
        )
        assert found == brute_force_few_valued(text), text
        assert sum(not counting[k] for k in {k for a, b in zip(starts, ends) for k in range(a, b)}) == found, text
