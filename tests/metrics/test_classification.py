"""Calibration error, curve points and the likelihood-ratio test against hand-computed values."""

import math

import numpy as np
import pytest

from metrics.classification import curve_points, expected_calibration_error, likelihood_ratio_test


def test_expected_calibration_error_by_hand():
    # bins of 2, 6 and 2 rows: |0.1-0.0|, |0.5-0.5|, |0.9-0.5| weighted 0.2, 0.6, 0.2
    assert expected_calibration_error([2, 6, 2], [0.1, 0.5, 0.9], [0.0, 0.5, 0.5]) == pytest.approx(0.2 * 0.1 + 0.2 * 0.4)
    assert expected_calibration_error([5], [0.3], [0.3]) == 0.0
    assert math.isnan(expected_calibration_error([], [], []))


def test_curve_points_by_hand():
    # scores 0.9 (1 row, positive), 0.5 (2 rows, 1 positive), 0.1 (1 row, negative); given in any order
    points = curve_points(np.array([0.1, 0.9, 0.5]), np.array([1, 1, 2]), np.array([0, 1, 1]))
    assert points["threshold"].tolist() == [0.9, 0.5, 0.1]
    assert points["tpr"].tolist() == [0.5, 1.0, 1.0]
    assert points["fpr"].tolist() == [0.0, 0.5, 1.0]
    assert points["precision"].tolist() == pytest.approx([1.0, 2 / 3, 0.5])


def test_likelihood_ratio_test_against_known_chi2_quantiles():
    statistic, p_value = likelihood_ratio_test(-100.0, -101.920729, 1)  # 2·1.920729 = 3.841459, the 95 % point of χ²(1)
    assert statistic == pytest.approx(3.841458) and p_value == pytest.approx(0.05, abs=1e-6)
    assert likelihood_ratio_test(-50.0, -50.0 - 9.2103404 / 2, 2)[1] == pytest.approx(0.01, abs=1e-6)  # χ²(2): e^(-x/2)
    assert likelihood_ratio_test(-10.0, -9.0, 3)[1] == pytest.approx(1.0)  # the fuller model fits worse: no evidence
    assert math.isnan(likelihood_ratio_test(-1.0, -2.0, 0)[1])
