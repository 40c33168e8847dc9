"""The sample's synthetic documents: deterministic per seed, and each kind what the metrics take it for (checked with
the templating detector and the sensitive-content scan, which know nothing of the generators)."""

import numpy as np
import pytest

from metrics.patterns import pattern_flags
from metrics.sensitive_content import kinds_of, sensitive_findings
from utils.sample.texts import GENERATORS, licence


@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_the_same_seed_gives_the_same_documents(kind):
    first = [GENERATORS[kind](np.random.default_rng(9)) for _ in range(3)]
    assert first == [GENERATORS[kind](np.random.default_rng(9)) for _ in range(3)] and all(first)


@pytest.mark.parametrize(
    ("kind", "incrementing", "repeating"),
    [("incrementing", True, False), ("repeating", False, True), ("prose", False, False), ("code", False, False), ("licence", False, False)],
)
def test_each_kind_is_templating_of_its_own_sort_or_none(kind, incrementing, repeating):
    rng = np.random.default_rng(5)
    flags = {pattern_flags(GENERATORS[kind](rng)) for _ in range(100)}
    assert flags == {(incrementing, repeating)}


def test_about_half_the_licences_carry_an_email_and_nothing_else_sensitive():
    rng = np.random.default_rng(3)
    texts = [licence(rng) for _ in range(200)]
    found = [kinds_of(sensitive_findings(text)) for text in texts]
    with_address = ["@" in text for text in texts]
    assert [kinds == ["email"] for kinds in found] == with_address and not any(k for k, a in zip(found, with_address) if not a)
    assert 60 < sum(with_address) < 140
