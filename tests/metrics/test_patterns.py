import random

import numpy as np
import pytest

from metrics.patterns import MAX_PERIOD, MIN_COPIES, is_templating, pattern_flags, periodic_coverage
from tests.metrics.pattern_cases import INCREMENTING, NEGATIVE, REPEATING


@pytest.mark.parametrize("text", INCREMENTING)
def test_incrementing_fires_despite_lead_in_and_tail(text):
    assert pattern_flags(text)[0], text


@pytest.mark.parametrize("text", REPEATING)
def test_repeating_fires_despite_lead_in_and_tail(text):
    assert pattern_flags(text)[1], text


@pytest.mark.parametrize("text", NEGATIVE)
def test_prose_and_code_do_not_fire(text):
    assert pattern_flags(text) == (False, False), text


def test_templating_f1_on_labelled_examples():
    positives = INCREMENTING + REPEATING
    predicted_positive = [is_templating(t) for t in positives]
    false_positives = sum(is_templating(t) for t in NEGATIVE)
    tp = sum(predicted_positive)
    precision = tp / (tp + false_positives)
    recall = tp / len(positives)
    assert precision >= 0.9 and 2 * precision * recall / (precision + recall) >= 0.9


def test_reference_bugs_are_fixed():
    assert pattern_flags("1 5 2") == (False, False)  # the reference lacked abs() in its 3-item case
    assert not pattern_flags("version 1.5 then 1.5 then 1.5 and 1.5")[0]  # constant, no step
    assert pattern_flags("0.5, 1.0, 1.5, 2.0, 2.5, 3.0")[0]  # decimals kept whole


def test_signature_and_edge_cases():
    assert pattern_flags("") == (False, False)
    assert pattern_flags("a") == (False, False)
    assert pattern_flags("ééééééééééééé") == (False, True)  # non-ASCII repetition
    flags = pattern_flags("1, 2, 3, 4, 5, 6")
    assert isinstance(flags, tuple) and all(isinstance(flag, bool) for flag in flags)


def brute_force_coverage(text: str) -> int:
    covered = [False] * len(text)
    for period in range(1, min(MAX_PERIOD, len(text) // MIN_COPIES) + 1):
        i = 0
        while i < len(text) - period:
            if text[i] != text[i + period]:
                i += 1
                continue
            j = i
            while j < len(text) - period and text[j] == text[j + period]:
                j += 1
            if j - i >= (MIN_COPIES - 1) * period:
                covered[i : j + period] = [True] * (j + period - i)
            i = j
    return sum(covered)


def test_periodic_coverage_equals_brute_force():
    rng = random.Random(3)
    for _ in range(400):
        alphabet = rng.choice(["ab", "abc", "a b-", "xyz01"])
        pieces = [rng.choice([c * rng.randint(1, 9) for c in alphabet] + ["".join(rng.choices(alphabet, k=rng.randint(1, 5))) * rng.randint(1, 5)]) for _ in range(rng.randint(1, 12))]
        text = "".join(pieces)
        assert periodic_coverage(text) == brute_force_coverage(text), text


def test_periodic_coverage_hand_values():
    assert periodic_coverage("xyz-----abc") == 5
    assert periodic_coverage("ab" * 3) == 6
    assert periodic_coverage("ab" * 2 + "c") == 0  # two copies are not enough
    assert periodic_coverage("") == 0
    assert np.int64(periodic_coverage("aaa")) == 3
