"""Logistic-regression kernels: Newton terms against finite differences, Wald p-values in log space against mpmath far
into the tail, and the likelihood-ratio test against χ² closed forms."""

import math

import mpmath
import numpy as np
import pytest

from metrics.logistic import SMALLEST_P, likelihood_ratio_test, newton_terms, wald


def test_newton_terms_are_the_gradient_and_hessian_of_the_log_likelihood():
    rng = np.random.default_rng(0)
    x = np.c_[np.ones(200), rng.normal(size=(200, 2))]
    y = (rng.random(200) < 0.4).astype(float)
    beta = np.array([0.3, -0.5, 1.2])
    information, score, log_likelihood = newton_terms(x, y, beta)
    p = 1 / (1 + np.exp(-(x @ beta)))
    assert log_likelihood == pytest.approx(np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)), rel=1e-12)
    step = 1e-6
    for j in range(3):
        shift = np.eye(3)[j] * step
        numeric = (newton_terms(x, y, beta + shift)[2] - newton_terms(x, y, beta - shift)[2]) / (2 * step)
        assert score[j] == pytest.approx(numeric, rel=1e-6)
        gradient_change = (newton_terms(x, y, beta + shift)[1] - newton_terms(x, y, beta - shift)[1]) / (2 * step)
        np.testing.assert_allclose(-gradient_change, information[:, j], rtol=1e-6)
    # far from the boundary a row keeps a positive weight (σ(η)σ(−η), not μ(1 − μ) rounded to 0)
    assert newton_terms(np.array([[1.0, 40.0]]), np.array([1.0]), np.array([0.0, 1.0]))[0][1, 1] > 0


def test_wald_p_values_are_exact_in_log_space_and_never_zero():
    z = np.array([0.5, 3.0, 8.3, 12.0, 25.0, 37.0, 38.5, 60.0])
    inference = wald(z.copy(), np.eye(len(z)))  # SE 1: z is the estimate
    for value, p, log10_p in zip(z, inference["p_value"], inference["log10_p"]):
        exact = mpmath.erfc(value / mpmath.sqrt(2))  # two-sided normal tail
        assert log10_p == pytest.approx(float(mpmath.log10(exact)), rel=1e-10)
        if exact > 1e-300:
            assert p == pytest.approx(float(exact), rel=1e-9)
        assert p >= SMALLEST_P
    assert math.isnan(wald(np.array([1.0]), None)["p_value"][0])


def test_likelihood_ratio_test_against_chi2_closed_forms():
    test = likelihood_ratio_test(-100.0, -101.920729, 1)  # 2·1.920729 = 3.841459, the 95 % point of χ²(1)
    assert test["statistic"] == pytest.approx(3.841458) and test["p_value"] == pytest.approx(0.05, abs=1e-6)
    assert likelihood_ratio_test(-50.0, -50.0 - 9.2103404 / 2, 2)["p_value"] == pytest.approx(0.01, abs=1e-6)  # χ²(2): e^(-x/2)
    far = likelihood_ratio_test(0.0, -1000.0, 2)  # statistic 2000, χ²(2): p = e^-1000, below any double
    assert far["log10_p"] == pytest.approx(-1000 / math.log(10), rel=1e-12) and far["p_value"] == SMALLEST_P
    assert likelihood_ratio_test(-10.0, -9.0, 3)["p_value"] == pytest.approx(1.0)  # the fuller model fits worse: no evidence
    assert math.isnan(likelihood_ratio_test(-1.0, -2.0, 0)["p_value"])
