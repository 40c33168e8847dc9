"""Score statistics from distinct-value tables against hand-computed values and against scikit-learn and scipy on rows
with heavy ties."""

import math

import numpy as np
import pytest
from scipy.stats import pearsonr, spearmanr
from sklearn.metrics import roc_auc_score, roc_curve

from metrics.prediction_quality import (
    calibration_bins,
    curve_points,
    distinct_counts,
    expected_calibration_error,
    label_correlations,
    log_likelihood,
    merge_counts,
    pr_auc,
    roc_auc,
    tpr_at_fpr,
)


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


def test_distinct_tables_by_hand():
    values, rows, positives = distinct_counts(np.array([0.1, 0.1, 0.5, 0.9]), np.array([0, 1, 1, 1]))
    assert values.tolist() == [0.1, 0.5, 0.9] and rows.tolist() == [2, 1, 1] and positives.tolist() == [1, 1, 1]
    merged = merge_counts(np.array([0.5, 0.1, 0.5]), np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 2.0]))
    assert [m.tolist() for m in merged] == [[0.1, 0.5], [2.0, 4.0], [0.0, 3.0]]
    # pairs (positive, negative): 0.9 beats the negative at 0.1, 0.5 beats it, 0.1 ties it (½)
    assert roc_auc(rows, positives) == pytest.approx((1 + 1 + 0.5) / 3)
    assert math.isnan(roc_auc(np.array([2.0]), np.array([2.0])))


def test_statistics_equal_scikit_learn_and_scipy_with_ties():
    rng = np.random.default_rng(3)
    labels = (rng.random(4000) < 0.2).astype(float)
    scores = rng.integers(0, 40, 4000) + 3 * labels  # 43 values: heavy ties, real association
    order = np.argsort(scores, kind="stable")
    table = distinct_counts(scores[order].astype(float), labels[order])
    assert roc_auc(*table[1:]) == pytest.approx(roc_auc_score(labels, scores), rel=1e-12)
    fpr, tpr, _ = roc_curve(labels, scores)
    levels = (0.0, 0.01, 0.05, 0.3)
    expected = [tpr[fpr <= level].max() for level in levels]
    assert tpr_at_fpr(*table[1:], levels) == pytest.approx(expected, abs=1e-12)
    assert tpr_at_fpr(np.array([5.0, 5.0]), np.array([0.0, 5.0]), (0.0,)) == [1.0]  # one threshold separates perfectly
    pearson, spearman = label_correlations(*table)
    assert pearson == pytest.approx(pearsonr(scores, labels)[0], abs=1e-12)
    assert spearman == pytest.approx(spearmanr(scores, labels)[0], abs=1e-12)
    assert all(math.isnan(v) for v in label_correlations(np.array([1.0]), np.array([5.0]), np.array([2.0])))  # constant
    assert 0 < pr_auc(*table[1:]) < 1


def test_probability_statistics_by_hand():
    values, rows, positives = np.array([0.05, 0.5, 1.0]), np.array([2.0, 4.0, 1.0]), np.array([0.0, 1.0, 1.0])
    bins = calibration_bins(values, rows, positives)
    assert bins["bin"].tolist() == [0, 5, 9]  # 1.0 falls in the last bin
    assert bins["observed_rate"].tolist() == [0.0, 0.25, 1.0] and bins["mean_predicted"].tolist() == [0.05, 0.5, 1.0]
    expected = 2 * math.log(0.95) + math.log(0.5) + 3 * math.log(0.5) + math.log(1 - 1e-15)
    assert log_likelihood(values, rows, positives) == pytest.approx(expected, rel=1e-12)
