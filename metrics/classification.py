"""Driver-side statistics of a binary classifier from per-bin aggregates that Spark computed (no row reaches the driver):
expected calibration error (Naeini et al. 2015; Guo et al. 2017), ROC and precision-recall curve points, and the
likelihood-ratio test of two fitted models (Wilks 1938)."""

from __future__ import annotations

import numpy as np


def expected_calibration_error(rows: np.ndarray, mean_predicted: np.ndarray, observed_rate: np.ndarray) -> float:
    """Σ_b (n_b / N) |mean predicted probability_b − observed positive rate_b| over the bins that hold rows."""
    rows = np.asarray(rows, dtype=np.float64)
    total = rows.sum()
    if total == 0:
        return float("nan")
    return float(np.sum(rows / total * np.abs(np.asarray(mean_predicted) - np.asarray(observed_rate))))


def curve_points(score: np.ndarray, rows: np.ndarray, positives: np.ndarray) -> dict[str, np.ndarray]:
    """ROC (fpr, tpr) and PR (recall, precision) points from rows grouped by score: one point per distinct score,
    classifying every row with a score >= it as positive, highest score first."""
    order = np.argsort(-np.asarray(score, dtype=np.float64), kind="stable")
    rows, positives = np.asarray(rows, dtype=np.float64)[order], np.asarray(positives, dtype=np.float64)[order]
    true_positive, predicted = np.cumsum(positives), np.cumsum(rows)
    false_positive = predicted - true_positive
    all_positive, all_negative = true_positive[-1] if len(rows) else 0.0, (predicted - true_positive)[-1] if len(rows) else 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "threshold": np.asarray(score, dtype=np.float64)[order],
            "tpr": true_positive / all_positive if all_positive else np.full(len(rows), np.nan),
            "fpr": false_positive / all_negative if all_negative else np.full(len(rows), np.nan),
            "precision": true_positive / predicted,
        }


def likelihood_ratio_test(log_likelihood_full: float, log_likelihood_reduced: float, extra_parameters: int) -> tuple[float, float]:
    """(statistic 2·(LL_full − LL_reduced), p-value from χ² with `extra_parameters` degrees of freedom); p NaN when df < 1."""
    from scipy.stats import chi2

    statistic = 2.0 * (log_likelihood_full - log_likelihood_reduced)
    if extra_parameters < 1:
        return statistic, float("nan")
    return statistic, float(chi2.sf(statistic, extra_parameters))
