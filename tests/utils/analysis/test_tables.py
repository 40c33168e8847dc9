"""The rows of `analyze`'s tables: coefficients with their Wald inference (intercept last), the taxonomic model's
combined status, the likelihood-ratio test with its validity and held-out gain, and the per-bin and per-point rows."""

import math

import numpy as np
import pytest
from scipy.stats import chi2, norm

from utils.analysis.design import FitSpec
from utils.analysis.fitting import FitResult
from utils.analysis.tables import calibration_rows, coefficient_rows, combined_status, curve_rows, lrt_entry


def fit(spec, columns=(0, 1), status="converged", log_likelihood=-10.0, notes=(), estimator="maximum_likelihood"):
    beta = np.array([0.5, -2.0][: len(columns)])
    covariance = np.diag([0.25, 1.0][: len(columns)])
    return FitResult(
        spec, list(columns), ["x"][: len(columns) - 1], beta, covariance, status, estimator, 100, 30, log_likelihood, 5, list(notes)
    )


def test_coefficients_carry_wald_inference_features_first_and_the_intercept_last():
    rows = coefficient_rows(fit(FitSpec("all", 6, "recitation")), {"split": "s", "group": "all"})
    assert [r["feature"] for r in rows] == ["x", "(intercept)"]
    x = rows[0]
    assert (x["model"], x["category"], x["coefficient"], x["std_error"], x["wald_z"]) == ("taxonomic", "recitation", -2.0, 1.0, -2.0)
    assert x["p_value"] == pytest.approx(2 * norm.sf(2.0)) and x["log10_p"] == pytest.approx(math.log10(2 * norm.sf(2.0)))
    assert rows[1]["wald_z"] == 1.0 and rows[1]["split"] == "s"
    no_covariance = fit(FitSpec("all"))
    no_covariance.covariance = None
    assert math.isnan(coefficient_rows(no_covariance, {})[0]["p_value"])


def test_the_taxonomic_status_is_separated_when_any_category_is_and_lists_what_did_not_converge():
    fits = [fit(FitSpec("all", 6, c)) for c in ("recitation", "reconstruction", "recollection")]
    assert combined_status(fits) == ("combined", "")
    fits[1].status, fits[1].estimator = "separated", "firth"
    fits[2].status, fits[2].estimator = "intercept_only", "positive_rate"
    assert combined_status(fits) == ("separated", "reconstruction: separated (firth); recollection: intercept_only (positive_rate)")


def test_the_lrt_by_hand_and_its_validity():
    baseline = fit(FitSpec("all"), log_likelihood=-50.0)
    categories = [fit(FitSpec("all", 6, c), log_likelihood=-15.0) for c in ("recitation", "reconstruction", "recollection")]
    entry = lrt_entry(baseline, categories, {"log_likelihood": -20.0, "rows": 40}, {"log_likelihood": -18.0, "rows": 40})
    assert entry["statistic"] == 2 * (-45.0 + 50.0) and entry["degrees_of_freedom"] == 6 - 2
    assert entry["p_value"] == pytest.approx(chi2.sf(10.0, 4)) and entry["heldout_gain_per_row"] == 2.0 / 40
    assert (entry["status"], entry["notes"], entry["train_rows"]) == ("valid", "", 100)
    categories[0].status = "separated"
    categories[2].status, categories[2].notes = "intercept_only", ["too few train rows"]
    approximate = lrt_entry(baseline, categories, {"log_likelihood": -20.0, "rows": 0}, {"log_likelihood": -18.0, "rows": 0})
    assert approximate["status"] == "approximate" and math.isnan(approximate["heldout_gain_per_row"])
    assert approximate["notes"] == (
        "recitation separated: its log-likelihood is its best iterate's, below its supremum; "
        "recollection is intercept-only (too few rows): the models are not nested"
    )
    categories[0].status, categories[2].notes = "converged", ["one class only"]
    assert lrt_entry(baseline, categories, {"log_likelihood": 0.0, "rows": 1}, {"log_likelihood": 0.0, "rows": 1})["status"] == "valid"


def test_calibration_and_curve_rows_one_per_bin_and_point():
    summary = {"calibration": {"bin": [0, 3], "rows": [5, 2], "mean_predicted": [0.05, 0.35], "observed_rate": [0.0, 0.5]}}
    assert calibration_rows({"split": "s"}, "test", summary) == [
        {"split": "s", "part": "test", "bin": 0, "rows": 5, "mean_predicted": 0.05, "observed_rate": 0.0},
        {"split": "s", "part": "test", "bin": 3, "rows": 2, "mean_predicted": 0.35, "observed_rate": 0.5},
    ]
    curve = {"threshold": np.array([0.9, 0.1]), "tpr": np.array([0.5, 1.0])}
    assert curve_rows({"model": "m"}, {"curve": curve}) == [
        {"model": "m", "threshold": 0.9, "tpr": 0.5},
        {"model": "m", "threshold": 0.1, "tpr": 1.0},
    ]
    assert curve_rows({}, {"curve": None}) == [] and curve_rows({}, {}) == []
