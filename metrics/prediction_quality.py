"""How well a score separates binary labels, from a table of its distinct values with their row and positive counts
(docs/METRICS.md, 'Predictive model of memorization'): ROC-AUC with ties counted half (Mann & Whitney 1947), PR-AUC
as the trapezoid over the precision-recall points (Spark's `areaUnderPR`), TPR at a fixed FPR (Carlini et al. 2022),
Pearson and Spearman correlation with the label (average ranks for ties), and for probabilities the expected
calibration error (Naeini et al. 2015; Guo et al. 2017), calibration bins, the Bernoulli log-likelihood and curve
points. The tables add up over blocks of rows, so a statistic is exact however the rows were spread.

Every function takes `values` ascending and distinct, `rows` and `positives` per value, and treats a higher value as
more likely positive."""

from __future__ import annotations

import numpy as np

CALIBRATION_BINS = 10
PROBABILITY_CLIP = 1e-15  # log-likelihood of a probability rounded to 0 or 1 stays finite


def distinct_counts(sorted_values: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(distinct values, rows, positives) of values sorted ascending and their 0/1 labels."""
    return collapse(sorted_values, np.ones(len(sorted_values)), labels)


def merge_counts(values: np.ndarray, rows: np.ndarray, positives: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The same table from entries in any order that may repeat a value (counts of several cells)."""
    order = np.argsort(values, kind="stable")
    return collapse(values[order], rows[order], positives[order])


def collapse(sorted_values: np.ndarray, rows: np.ndarray, positives: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Counts of entries sorted by value, summed over equal values."""
    if len(sorted_values) == 0:
        empty = np.zeros(0)
        return empty, empty, empty
    starts = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    return (
        sorted_values[starts].astype(np.float64),
        np.add.reduceat(np.asarray(rows, dtype=np.float64), starts),
        np.add.reduceat(np.asarray(positives, dtype=np.float64), starts),
    )


def roc_auc(rows: np.ndarray, positives: np.ndarray) -> float:
    """P(score of a positive > score of a negative) + ½ P(equal); NaN with one class."""
    negatives = rows - positives
    total_positive, total_negative = positives.sum(), negatives.sum()
    if total_positive == 0 or total_negative == 0:
        return float("nan")
    below = np.cumsum(negatives) - negatives
    return float(np.sum(positives * (below + 0.5 * negatives)) / (total_positive * total_negative))


def operating_points(rows: np.ndarray, positives: np.ndarray) -> dict[str, np.ndarray]:
    """True and false positive rates and precision when every row with a value ≥ each distinct value is called
    positive, highest value first (the ROC curve without its (0, 0) start)."""
    true_positive, predicted = np.cumsum(positives[::-1]), np.cumsum(rows[::-1])
    false_positive = predicted - true_positive
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "tpr": true_positive / true_positive[-1] if len(rows) and true_positive[-1] else np.full(len(rows), np.nan),
            "fpr": false_positive / false_positive[-1] if len(rows) and false_positive[-1] else np.full(len(rows), np.nan),
            "precision": true_positive / predicted,
        }


def pr_auc(rows: np.ndarray, positives: np.ndarray) -> float:
    """Trapezoid area under (recall, precision) at every distinct value, highest first, starting at (0, first
    precision) (Spark's areaUnderPR; not scikit-learn's average precision); NaN with one class."""
    if positives.sum() == 0 or positives.sum() == rows.sum():
        return float("nan")
    points = operating_points(rows, positives)
    recall, precision = np.r_[0.0, points["tpr"]], np.r_[points["precision"][0], points["precision"]]
    return float(np.sum(np.diff(recall) * (precision[1:] + precision[:-1]) / 2))


def tpr_at_fpr(rows: np.ndarray, positives: np.ndarray, fpr_limits: tuple[float, ...]) -> list[float]:
    """For each limit, the highest true positive rate among thresholds whose false positive rate is ≤ it (0 when only
    calling nothing positive qualifies); NaN with one class."""
    if positives.sum() == 0 or positives.sum() == rows.sum():
        return [float("nan")] * len(fpr_limits)
    points = operating_points(rows, positives)
    # tpr and fpr both rise as the threshold falls: the best allowed point is the last whose fpr is within the limit
    last = np.searchsorted(points["fpr"], np.asarray(fpr_limits), side="right") - 1
    return [float(points["tpr"][i]) if i >= 0 else 0.0 for i in last]


def label_correlations(values: np.ndarray, rows: np.ndarray, positives: np.ndarray) -> tuple[float, float]:
    """(Pearson, Spearman) of the value with the 0/1 label, NaN when either is constant. The label's average ranks are
    an affine function of the label, so Spearman is the Pearson correlation of the value's average ranks with it."""
    total, total_positive = rows.sum(), positives.sum()
    if len(values) < 2 or total_positive == 0 or total_positive == total:
        return float("nan"), float("nan")
    rate = total_positive / total
    ranks = np.cumsum(rows) - rows + (rows + 1) / 2

    def pearson(x: np.ndarray) -> float:
        centred = x - np.sum(rows * x) / total
        covariance = np.sum(centred * (positives - rows * rate))
        spread = np.sum(rows * centred**2) * total * rate * (1 - rate)
        return float(covariance / np.sqrt(spread)) if spread > 0 else float("nan")

    return pearson(values), pearson(ranks)


def calibration_bins(values: np.ndarray, rows: np.ndarray, positives: np.ndarray) -> dict[str, np.ndarray]:
    """Rows, mean predicted probability and observed positive rate per bin of width 1/10 that holds rows (1.0 in the
    last bin)."""
    which = np.minimum(np.floor(values * CALIBRATION_BINS), CALIBRATION_BINS - 1).astype(np.int64)
    count = np.bincount(which, weights=rows, minlength=CALIBRATION_BINS)
    predicted = np.bincount(which, weights=rows * values, minlength=CALIBRATION_BINS)
    observed = np.bincount(which, weights=positives, minlength=CALIBRATION_BINS)
    held = np.flatnonzero(count > 0)
    return {
        "bin": held,
        "rows": count[held],
        "mean_predicted": predicted[held] / count[held],
        "observed_rate": observed[held] / count[held],
    }


def expected_calibration_error(rows: np.ndarray, mean_predicted: np.ndarray, observed_rate: np.ndarray) -> float:
    """Σ_b (n_b / N) |mean predicted probability_b − observed positive rate_b| over the bins that hold rows."""
    rows = np.asarray(rows, dtype=np.float64)
    total = rows.sum()
    if total == 0:
        return float("nan")
    return float(np.sum(rows / total * np.abs(np.asarray(mean_predicted) - np.asarray(observed_rate))))


def log_likelihood(values: np.ndarray, rows: np.ndarray, positives: np.ndarray) -> float:
    """Σ y ln p + (1 − y) ln(1 − p) over the rows, p clipped to [1e-15, 1 − 1e-15]."""
    p = np.clip(values, PROBABILITY_CLIP, 1 - PROBABILITY_CLIP)
    return float(np.sum(positives * np.log(p) + (rows - positives) * np.log1p(-p)))


def curve_points(score: np.ndarray, rows: np.ndarray, positives: np.ndarray) -> dict[str, np.ndarray]:
    """ROC (fpr, tpr) and PR (recall = tpr, precision) points from rows grouped by score, in any order: one point per
    distinct score, classifying every row with a score ≥ it as positive, highest score first."""
    values, rows, positives = merge_counts(np.asarray(score, dtype=np.float64), np.asarray(rows), np.asarray(positives))
    return {"threshold": values[::-1], **operating_points(rows, positives)}
