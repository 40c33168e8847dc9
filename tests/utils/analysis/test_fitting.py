"""The fits of `analyze` against statsmodels on the same rows, the true coefficients of synthetic splits drawn from known
logistic models, separation (detected, reported, Firth's finite estimates), and the awkward cases (tiny category,
constant or collinear feature) reported rather than fatal."""

import math

import mpmath
import numpy as np
import pandas as pd
import pytest

from utils.analysis.blocks import DriverBlocks
from utils.analysis.design import Design, FitSpec
from utils.analysis.fitting import fit_all
from utils.analysis.run import analyze_split

from .synthetic import DIFFERENT, FEATURES, SETTINGS, firth_reference, reference_rows, standardize, statsmodels_fit, synthetic_split


@pytest.fixture(scope="module")
def different(spark, tmp_path_factory):
    path = synthetic_split(tmp_path_factory.mktemp("different") / "split", DIFFERENT, dict.fromkeys(DIFFERENT, 8000), 1)
    return path, analyze_split(spark, path, "synthetic/different", FEATURES, 1024, SETTINGS, [2, 6])


def test_coefficients_per_category_come_back(different):
    _, result = different
    coefficients, summary = pd.DataFrame(result["tables"]["coefficients"]), result["summary"]
    mean, sd = summary["train_means"], summary["train_standard_deviations"]
    for category, (intercept, b1, b2) in DIFFERENT.items():
        fitted = coefficients[(coefficients.model == "taxonomic") & (coefficients.category == category)].set_index("feature")
        # on standardized features z = (x - m) / s the true slopes are b·s and the intercept b0 + Σ b·m
        expected = {
            "huffman_coding_length": b1 * sd["huffman_coding_length"],
            "avg_frequency": b2 * sd["avg_frequency"],
            "(intercept)": intercept + b1 * mean["huffman_coding_length"] + b2 * mean["avg_frequency"],
        }
        for feature, value in expected.items():
            row = fitted.loc[feature]
            assert abs(row["coefficient"] - value) < 4 * row["std_error"], (category, feature, row.to_dict(), value)
        assert set(fitted.index) == set(expected)  # the collinear and the constant feature are left out
    notes = " ".join(r["notes"] for r in result["tables"]["performance"] if r["model"] == "baseline")
    assert "constant in these rows, left out: min_frequency" in notes and "left out: max_frequency" in notes
    slope = coefficients[(coefficients.model == "taxonomic") & (coefficients.category == "recitation")].set_index("feature")
    assert slope.loc["avg_frequency", "p_value"] > 1e-3 > slope.loc["huffman_coding_length", "p_value"]  # true 0 vs true 2


def test_every_fit_equals_statsmodels_on_the_same_rows(spark, different):
    path, result = different
    rows = reference_rows(spark, path)
    coefficients = pd.DataFrame(result["tables"]["coefficients"])
    lrt = result["tables"]["lrt"][0]
    train_log_likelihood = {}
    for (model, category), fitted in coefficients.groupby(["model", "category"]):
        features = [f for f in fitted["feature"] if f != "(intercept)"]
        chosen = rows[rows.is_train & ((rows.category == category) | (model == "baseline"))]
        reference = statsmodels_fit(standardize(rows, features).loc[chosen.index], features)
        train_log_likelihood[(model, category)] = reference.llf
        ours = fitted.set_index("feature").loc[["(intercept)", *features]]
        for column, expected in (("coefficient", reference.params), ("std_error", reference.bse), ("wald_z", reference.tvalues)):
            np.testing.assert_allclose(ours[column].to_numpy(), expected, rtol=1e-6, err_msg=f"{model}/{category} {column}")
        representable = reference.pvalues >= 1e-300  # statsmodels' own p-values underflow below that
        np.testing.assert_allclose(ours["p_value"].to_numpy()[representable], reference.pvalues[representable], rtol=1e-6)
        for z, log10_p in zip(ours["wald_z"], ours["log10_p"]):  # every p in log space, far tail included
            assert log10_p == pytest.approx(float(mpmath.log10(mpmath.erfc(abs(z) / mpmath.sqrt(2)))), rel=1e-9)
        assert (ours["p_value"] > 0).all()
    assert (coefficients["log10_p"] < -300).any()  # the check reached the far tail
    assert lrt["baseline_train_log_likelihood"] == pytest.approx(train_log_likelihood[("baseline", "all")], rel=1e-9)
    taxonomic = sum(v for (model, _), v in train_log_likelihood.items() if model == "taxonomic")
    assert lrt["taxonomic_train_log_likelihood"] == pytest.approx(taxonomic, rel=1e-9)
    assert lrt["statistic"] == pytest.approx(2 * (taxonomic - train_log_likelihood[("baseline", "all")]), rel=1e-9)
    assert lrt["degrees_of_freedom"] == 9 - 3 and lrt["status"] == "valid" and 0 < lrt["p_value"] and lrt["log10_p"] < -300


def test_a_separated_category_is_reported_and_refitted_with_firth(spark, tmp_path):
    sizes = {"recitation": 3000, "reconstruction": 150, "recollection": 3000}
    path = synthetic_split(tmp_path / "split", DIFFERENT, sizes, 4, separated="reconstruction")
    result = analyze_split(spark, path, "synthetic/separated", FEATURES, 1024, SETTINGS, [2, 6])
    tables = {name: pd.DataFrame(rows) for name, rows in result["tables"].items()}
    coefficients = tables["coefficients"].set_index(["model", "category", "feature"]).sort_index()
    separated = coefficients.loc[("taxonomic", "reconstruction")]
    assert set(separated["status"]) == {"separated"} and set(separated["estimator"]) == {"firth"}
    assert np.isfinite(separated[["coefficient", "std_error", "wald_z", "p_value"]].to_numpy()).all()
    rows = reference_rows(spark, path)
    features = ["huffman_coding_length", "avg_frequency"]
    train = standardize(rows, features)[rows.is_train & (rows.category == "reconstruction")]
    expected = firth_reference(train, features)
    np.testing.assert_allclose(separated.loc[["(intercept)", *features], "coefficient"], expected, rtol=1e-5, atol=1e-6)
    assert separated.loc["huffman_coding_length", "coefficient"] > 3  # large, finite, and the right sign
    performance = tables["performance"].set_index(["model", "category", "part"])
    assert "separation" in performance.loc[("taxonomic", "reconstruction", "test"), "notes"]
    assert "Firth-penalized estimates" in performance.loc[("taxonomic", "reconstruction", "test"), "notes"]
    assert performance.loc[("taxonomic", "all", "test"), "status"] == "separated"
    assert performance.loc[("taxonomic", "reconstruction", "test"), "roc_auc"] > 0.99  # the fallback predicts
    sweep = tables["threshold_sweep"].set_index("recitation_threshold")
    assert (sweep["status"] == "separated").all() and sweep["notes"].str.contains("reconstruction: separated").all()
    assert (sweep["lrt_status"] == "approximate").all() and sweep["notes"].str.contains("below its supremum").all()
    assert result["summary"]["separated_fits"] and all("reconstruction" in fit for fit in result["summary"]["separated_fits"])


def test_firth_equals_the_half_corrected_log_odds_ratio_of_a_separated_two_by_two_table():
    # one binary covariate: Firth's estimate is the log odds ratio with ½ added to every cell (Firth 1993)
    cells = {(1, 1): 10, (1, 0): 0, (0, 1): 5, (0, 0): 15}  # x = 1 always memorized: separation
    x = np.concatenate([np.full(n, float(k[0])) for k, n in cells.items()])
    y = np.concatenate([np.full(n, float(k[1])) for k, n in cells.items()])
    blocks = DriverBlocks({"label": y, "is_templating": x, "split_hash": np.zeros(len(y), dtype=np.int64)})
    design = Design(features=("is_templating",), taxonomy=False, nl=False)
    (fit,) = fit_all(blocks, design, [FitSpec("all")])
    assert fit.status == "separated" and fit.estimator == "firth"
    a, b, c, d = 10.5, 0.5, 5.5, 15.5  # (x=1, y=1), (x=1, y=0), (x=0, y=1), (x=0, y=0), each + ½
    assert fit.beta[1] == pytest.approx(math.log(a * d / (b * c)), rel=1e-7)
    assert fit.beta[0] == pytest.approx(math.log(c / d), rel=1e-7)
    assert np.isfinite(np.diag(fit.covariance)).all()


def test_where_firth_fails_too_the_fallback_is_ridge_with_its_penalty_stated(monkeypatch):
    from scipy.optimize import minimize

    import utils.analysis.fitting as fitting

    rng = np.random.default_rng(5)
    x1, x2 = rng.normal(size=60), rng.normal(size=60)
    y = (x1 > 0).astype(float)  # separated: maximum likelihood diverges
    blocks = DriverBlocks({"label": y, "huffman_coding_length": x1, "avg_frequency": x2, "split_hash": np.zeros(60, dtype=np.int64)})
    design = Design(features=("huffman_coding_length", "avg_frequency"), taxonomy=False, nl=False, means=(0.0, 0.0), scales=(1.0, 1.0))
    monkeypatch.setattr(fitting, "FIRTH_ITERATIONS", 2)  # Firth cannot converge in two passes
    (fit,) = fitting.fit_all(blocks, design, [FitSpec("all")])
    assert fit.status == "separated" and fit.estimator == "ridge"
    assert "Firth's penalized likelihood failed" in fit.notes[-2] and "ridge estimates instead" in fit.notes[-1]
    x = np.c_[np.ones(60), x1, x2]

    def negative_penalized(beta):  # ℓ(β) − ½ Σ slopes², written out
        eta = x @ beta
        return -(np.sum(y * eta - np.logaddexp(0, eta)) - 0.5 * np.sum(beta[1:] ** 2))

    expected = minimize(negative_penalized, np.zeros(3), method="BFGS", options={"gtol": 1e-10}).x
    np.testing.assert_allclose(fit.beta, expected, rtol=1e-5, atol=1e-7)
    assert np.isfinite(np.diag(fit.covariance)).all()


def test_awkward_splits_are_reported_not_fatal(spark, tmp_path):
    from utils.core.errors import DataSourceError

    path = synthetic_split(tmp_path / "tiny", DIFFERENT, {"recitation": 10, "reconstruction": 600, "recollection": 600}, 3)
    result = analyze_split(spark, path, "synthetic/tiny", FEATURES[:2], 1024, SETTINGS, [])
    recitation = [r for r in result["tables"]["performance"] if r["category"] == "recitation"]
    assert {r["status"] for r in recitation} == {"intercept_only"} and "train rows (< 20)" in recitation[0]["notes"]
    (lrt,) = result["tables"]["lrt"]
    assert lrt["degrees_of_freedom"] == 1 + 3 + 3 - 3
    assert lrt["status"] == "approximate" and "not nested" in lrt["notes"]

    memorized = pd.read_parquet(path).assign(memorization_score=1.0)
    (tmp_path / "all-memorized").mkdir()
    memorized.to_parquet(tmp_path / "all-memorized" / "part.parquet")
    with pytest.raises(DataSourceError, match="memorization_score is 1 for all 1210 analyzable rows"):
        analyze_split(spark, str(tmp_path / "all-memorized"), "synthetic/memorized", FEATURES[:2], 1024, SETTINGS, [])
