"""Discoverable extraction against 1 - (1 - p)^n in 50-digit decimal arithmetic, and its limits."""

import math
from decimal import Decimal, getcontext

import numpy as np
import pytest

from metrics.extraction import extraction_probability, is_discoverable, log1mexp, prefix_log_probs, samples_to_discover


@pytest.mark.parametrize("p", [1e-12, 1e-4, 0.01, 0.3, 0.5, 0.9, 0.999999])
def test_log1mexp_and_extraction_probability_equal_the_plain_formula(p):
    getcontext().prec = 50
    exact_p = Decimal(float(np.exp(np.log(p))))  # the p that the float log-probability stands for
    assert log1mexp(np.log(p)) == pytest.approx(float((1 - exact_p).ln()), rel=1e-9)
    for n in (1, 10, 1000):
        assert extraction_probability(np.log(p), n) == pytest.approx(float(1 - (1 - exact_p) ** n), rel=1e-9)


def test_discoverable_at_the_boundary_and_the_smallest_n():
    # p = 0.5: one sample gives exactly 0.5 (discoverable at q = 0.5); p slightly lower needs two samples.
    assert is_discoverable(np.log(0.5), 1) and not is_discoverable(np.log(0.49), 1) and is_discoverable(np.log(0.49), 2)
    # 1 - (1 - 1e-3)^n >= 0.5 <=> n >= ln 0.5 / ln(1 - 1e-3) = 692.8: smallest n is 693
    assert samples_to_discover(np.log(1e-3)) == 693
    assert is_discoverable(np.log(1e-3), 693) and not is_discoverable(np.log(1e-3), 692)
    # Far tails stay finite in log space: p = e^-40 needs about ln 2 * e^40 samples.
    assert samples_to_discover(np.array(-40.0)) == pytest.approx(math.log(2) * math.exp(40), rel=1e-9)


def test_certain_impossible_and_missing():
    log_p = np.array([0.0, -np.inf, np.nan, -1000.0])
    assert is_discoverable(log_p, 1).tolist() == [True, False, False, False]
    assert is_discoverable(log_p, 10**4).tolist() == [True, False, False, False]
    n = samples_to_discover(log_p)
    assert n[0] == 1 and n[1] == np.inf and np.isnan(n[2]) and n[3] == np.inf  # e^-1000 underflows: never within float range


def test_prefix_log_probs_are_running_sums_of_the_continuation():
    token_log_probs = -np.tile(np.arange(1, 64, dtype=np.float64), (2, 1)) / 100  # t = 1..63
    prefix = prefix_log_probs(token_log_probs)
    assert prefix.shape == (2, 32)
    assert prefix[0, 0] == pytest.approx(-0.32)  # t = 32 alone
    assert prefix[0, 31] == pytest.approx(-sum(range(32, 64)) / 100)  # t = 32..63
    with pytest.raises(ValueError, match="63"):
        prefix_log_probs(np.zeros((1, 40)))
