"""What `analyze` measures: which value sets and views a split gets, the coefficients each set predicts with, and the
summary of one view (probabilities: AUCs, calibration, log-likelihood; scores: correlations and detection in their
stated direction), checked by hand and against scikit-learn."""

import math

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from metrics.taxonomy import CATEGORIES
from utils.analysis.blocks import View
from utils.analysis.design import Design, FitSpec
from utils.analysis.evaluation import Predictors, summarize, value_sets
from utils.analysis.fitting import FitResult


def fit(spec, beta):
    return FitResult(spec, [0], [], np.array(beta), None, "converged", "maximum_likelihood", 10, 3, -1.0)


def test_predictors_keep_the_baseline_per_group_and_the_categories_in_order():
    fits = [fit(FitSpec("all", 6, c), [float(i)]) for i, c in reversed(list(enumerate(CATEGORIES)))] + [fit(FitSpec("all"), [9.0])]
    predictors = Predictors.of(fits)
    assert predictors.baseline["all"][1].tolist() == [9.0]
    assert [beta.tolist() for _, beta in predictors.taxonomic[("all", 6)]] == [[0.0], [1.0], [2.0]]


def test_value_sets_of_a_split_with_taxonomy_and_a_sweep():
    design = Design(("x",), taxonomy=True, nl=False)
    sets = value_sets(design, 6, [2, 6], {"loss": "lower", "x": None})
    names = [s.name for s in sets]
    assert names == [("baseline", "all", None), ("taxonomic", "all", 6), ("taxonomic", "all", 2), ("column", "loss"), ("column", "x")]
    taxonomic = sets[1].views
    assert len(taxonomic) == 2 * (1 + len(CATEGORIES)) and taxonomic[0] == View(("all", "train"), (0, 1, 2), "probability")
    assert sets[2].views == (View(("all", "test"), (3, 4, 5), "probability"),)  # a sweep threshold: test rows only
    assert sets[3].views[0] == View(("all", "all"), tuple(range(9)), "score:lower") and sets[4].views[0].kind == "score:higher"
    plain = value_sets(Design(("x",), taxonomy=False, nl=True), None, [], {"x": "higher"})
    assert [s.name for s in plain] == [("baseline", g, None) for g in ("all", "natural_language", "code")] + [("column", "x")]
    assert [v.cells for v in plain[-1].views] == [tuple(range(9)), (3, 4, 5), (6, 7, 8)]


def distinct(values, labels):
    """(distinct values ascending, rows, positives) of raw rows."""
    order = np.argsort(values)
    values, labels = np.asarray(values, float)[order], np.asarray(labels, float)[order]
    unique, index = np.unique(values, return_inverse=True)
    return unique, np.bincount(index).astype(float), np.bincount(index, weights=labels)


def test_a_score_is_ranked_from_its_stated_end():
    values, labels = [1.0, 2.0, 2.0, 3.0, 4.0, 5.0], [1, 1, 0, 0, 1, 0]
    table = distinct(values, labels)
    lower = summarize(View(("all",), (0,), "score:lower"), *table)
    higher = summarize(View(("all",), (0,), "score:higher"), *table)
    assert higher["roc_auc"] == pytest.approx(roc_auc_score(labels, values))
    assert lower["roc_auc"] == pytest.approx(roc_auc_score(labels, -np.array(values)))
    assert lower["pearson"] == higher["pearson"] == pytest.approx(np.corrcoef(values, labels)[0, 1])  # not flipped
    assert (lower["rows"], lower["positives"]) == (6, 3) and {"tpr_at_1pct_fpr", "tpr_at_0_1pct_fpr"} <= set(lower)


def test_a_probability_view_by_hand():
    table = distinct([0.1, 0.1, 0.9, 0.9], [0, 0, 1, 1])
    out = summarize(View(("all", "test"), (0,), "probability"), *table)
    assert (out["roc_auc"], out["pr_auc"]) == (1.0, 1.0)
    assert out["ece"] == pytest.approx(0.1)  # each half of the rows is 0.1 off its observed rate
    assert out["log_likelihood"] == pytest.approx(4 * math.log(0.9))
    assert out["curve"] is not None
    one_class = summarize(View(("all", "test"), (0,), "probability"), *distinct([0.2, 0.4], [0, 0]))
    assert math.isnan(one_class["pr_auc"]) and one_class["curve"] is None
