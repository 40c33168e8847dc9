"""`analyze` end to end on synthetic splits: the driver and the cluster engine give the same tables; metrics, correlations
and the detection table equal scikit-learn and scipy on the same rows; the taxonomic model wins and the LRT rejects
only when the categories differ; Spark jobs do not grow with the sweep; tables round-trip at full precision; a
missing run directory or split is one clear error before Spark starts."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import pearsonr, spearmanr
from sklearn.metrics import roc_auc_score, roc_curve

from utils.analysis.run import analyze_split, write_table

from .synthetic import DIFFERENT, FEATURES, SAME, SETTINGS, reference_rows, standardize, synthetic_split

SCORED = {"rows_per_category": {"recitation": 1500, "reconstruction": 1200, "recollection": 2500}}


@pytest.fixture(scope="module")
def scored(spark, tmp_path_factory):
    """A split with nl_score and detection scores, analyzed by both engines."""
    path = synthetic_split(tmp_path_factory.mktemp("scored") / "split", DIFFERENT, SCORED["rows_per_category"], 7, scores=True)
    driver = analyze_split(spark, path, "synthetic/scored", FEATURES[:2], 1024, SETTINGS, [2, 6, 20], engine="driver")
    cluster = analyze_split(spark, path, "synthetic/scored", FEATURES[:2], 1024, SETTINGS, [2, 6, 20], engine="cluster")
    return path, driver, cluster


def test_the_driver_and_the_cluster_engine_give_the_same_tables(scored):
    _, driver, cluster = scored
    assert driver["summary"]["engine"] == "driver" and cluster["summary"]["engine"] == "cluster"
    for name, rows in driver["tables"].items():
        ours, theirs = pd.DataFrame(rows), pd.DataFrame(cluster["tables"][name])
        assert len(ours) == len(theirs) > 0, name
        pd.testing.assert_frame_equal(ours, theirs, check_exact=False, rtol=1e-9, atol=1e-12, obj=name)


def test_model_metrics_equal_an_independent_computation(spark, scored):
    path, result, _ = scored
    rows = standardize(reference_rows(spark, path), FEATURES[:2])
    rows = rows[rows.nl_score > 0.525]  # the natural-language group's baseline
    coefficients = pd.DataFrame(result["tables"]["coefficients"])
    fitted = coefficients[(coefficients.group == "natural_language") & (coefficients.model == "baseline")].set_index("feature")
    eta = fitted.loc["(intercept)", "coefficient"] + sum(rows[f] * fitted.loc[f, "coefficient"] for f in FEATURES[:2])
    test = rows[~rows.is_train].assign(p=1 / (1 + np.exp(-eta)))
    performance = pd.DataFrame(result["tables"]["performance"]).set_index(["group", "model", "category", "part"])
    ours = performance.loc[("natural_language", "baseline", "all", "test")]
    assert ours["rows"] == len(test) and ours["positives"] == test.label.sum()
    assert ours["roc_auc"] == pytest.approx(roc_auc_score(test.label, test.p), rel=1e-9)
    assert ours["pr_auc"] == pytest.approx(trapezoid_pr_auc(test.label.to_numpy(), test.p.to_numpy()), rel=1e-9)
    assert ours["ece"] == pytest.approx(numpy_ece(test.label.to_numpy(), test.p.to_numpy()), abs=1e-12)
    log_likelihood = np.sum(test.label * np.log(test.p) + (1 - test.label) * np.log(1 - test.p))
    assert ours["log_likelihood"] == pytest.approx(log_likelihood, rel=1e-9)
    for label in (0.0, 1.0):  # the split keeps 80 % of each class, to one row
        part = reference_rows(spark, path)
        part = part[part.label == label]
        assert abs(part.is_train.sum() - 0.8 * len(part)) <= 1


def test_detection_and_correlations_equal_scikit_learn_and_scipy(spark, scored):
    path, result, _ = scored
    rows = reference_rows(spark, path)
    detection = pd.DataFrame(result["tables"]["detection"]).set_index(["group", "category", "score"]).sort_index()
    correlations = pd.DataFrame(result["tables"]["correlations"]).set_index(["group", "category", "feature"]).sort_index()
    assert set(detection.reset_index()["score"]) == {"loss", "min_k_prob", "nl_score", "huffman_coding_length", "sequence_duplicates"}
    for category in ("all", "recitation", "reconstruction", "recollection"):
        part = rows if category == "all" else rows[rows.category == category]
        for score, sign in (("loss", -1), ("min_k_prob", 1), ("nl_score", -1)):
            ours = detection.loc[("all", category, score)]
            assert ours["direction"] == ("lower" if sign < 0 else "higher") and ours["rows"] == len(part)
            assert ours["roc_auc"] == pytest.approx(roc_auc_score(part.label, sign * part[score]), rel=1e-12)
            fpr, tpr, _ = roc_curve(part.label, sign * part[score])
            for column, level in (("tpr_at_1pct_fpr", 0.01), ("tpr_at_0_1pct_fpr", 0.001)):
                assert ours[column] == pytest.approx(tpr[fpr <= level].max(), abs=1e-12), (category, score, column)
        for feature in FEATURES[:2]:
            ours = correlations.loc[("all", category, feature)]
            assert ours["pearson"] == pytest.approx(pearsonr(part[feature], part.label)[0], abs=1e-10)
            assert ours["spearman"] == pytest.approx(spearmanr(part[feature], part.label)[0], abs=1e-10)
    assert detection.loc[("all", "all", "loss"), "roc_auc"] > 0.6  # memorized rows were drawn with lower loss


def test_the_taxonomic_model_wins_and_the_lrt_rejects_only_when_categories_differ(spark, tmp_path, scored):
    _, result, _ = scored
    test = {(r["model"], r["category"]): r for r in result["tables"]["performance"] if r["part"] == "test" and r["group"] == "all"}
    assert test[("taxonomic", "all")]["roc_auc"] > test[("baseline", "all")]["roc_auc"] + 0.05
    lrt = next(r for r in result["tables"]["lrt"] if r["group"] == "all")
    assert lrt["p_value"] < 1e-10 and lrt["heldout_gain_per_row"] > 0
    sweep = pd.DataFrame(result["tables"]["threshold_sweep"]).set_index("recitation_threshold")
    assert sweep.loc[6, "taxonomic_test_pr_auc"] == pytest.approx(test[("taxonomic", "all")]["pr_auc"])
    assert sweep.loc[6, "lrt_statistic"] == pytest.approx(lrt["statistic"]) and sweep.loc[6, "is_run_threshold"]
    assert sweep.loc[2, "recitation_rows"] > sweep.loc[6, "recitation_rows"] == 1500  # threshold 2 takes in more rows
    assert (sweep["status"] == "combined").all() and (sweep["lrt_status"] == "valid").all()

    path = synthetic_split(tmp_path / "same", SAME, dict.fromkeys(SAME, 4000), 2)
    same = analyze_split(spark, path, "synthetic/same", FEATURES[:2], 1024, SETTINGS, [])
    (lrt,) = same["tables"]["lrt"]
    assert lrt["p_value"] > 0.05 and lrt["status"] == "valid"


def test_spark_jobs_do_not_grow_with_the_sweep(spark, scored):
    path, result, _ = scored
    fewer = analyze_split(spark, path, "synthetic/scored", FEATURES[:2], 1024, SETTINGS, [], engine="driver")
    assert fewer["summary"]["fits"] < result["summary"]["fits"]
    # the schema, the row count (two jobs under adaptive execution), the rows to the driver: whatever is fitted
    assert fewer["summary"]["spark_jobs"] == result["summary"]["spark_jobs"] <= 4


def test_tables_round_trip_at_full_precision(tmp_path):
    class Files:
        def write_bytes(self, path, data):
            open(path, "wb").write(data)

        def write_text(self, path, text):
            open(path, "w").write(text)

    values = [1e-300, 5e-324, 0.1 + 0.2, -1234567.891011121314, math.pi]
    write_table(Files(), pd.DataFrame({"p_value": values, "name": list("abcde")}), str(tmp_path / "table"))
    # every digit is written (shortest round-trip repr); pandas' default CSV float parser is the approximate one
    assert pd.read_csv(tmp_path / "table.csv", float_precision="round_trip")["p_value"].tolist() == values
    assert [float(line.split(",")[0]) for line in (tmp_path / "table.csv").read_text().splitlines()[1:]] == values
    assert pd.read_parquet(tmp_path / "table.parquet")["p_value"].tolist() == values


def test_a_missing_run_or_split_is_one_clear_error_before_spark_starts(tmp_path, capsys, monkeypatch):
    import utils.runtime.spark_session
    from calculate_metrics import main

    def no_spark(*args, **kwargs):
        raise AssertionError("Spark started")

    monkeypatch.setattr(utils.runtime.spark_session, "build_spark_session", no_spark)
    assert main(["analyze", str(tmp_path / "no-such-run")]) == 2
    assert "no-such-run not found" in capsys.readouterr().err
    (tmp_path / "run" / "memories" / "duped.70m").mkdir(parents=True)
    assert main(["analyze", str(tmp_path / "run")]) == 2
    assert "has no Pile split (the control group)" in capsys.readouterr().err
    assert main(["analyze", str(tmp_path / "run"), "--split", "pile/duped.70m"]) == 2
    assert "has no split pile/duped.70m" in capsys.readouterr().err
    assert main(["analyze", str(tmp_path / "run"), "--split", "memories/duped.70m", "--driver-budget", "lots"]) == 2
    assert "--driver-budget 'lots'" in capsys.readouterr().err


def trapezoid_pr_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under (recall, precision) points at every distinct score, highest first, starting at (0, first precision),
    by the trapezoid rule (Spark's areaUnderPR)."""
    distinct = np.unique(scores)[::-1]
    recalls, precisions = [], []
    for threshold in distinct:
        chosen = scores >= threshold
        true_positives = (labels[chosen] == 1).sum()
        recalls.append(true_positives / (labels == 1).sum())
        precisions.append(true_positives / chosen.sum())
    recalls, precisions = np.array([0.0, *recalls]), np.array([precisions[0], *precisions])
    return float(np.sum(np.diff(recalls) * (precisions[1:] + precisions[:-1]) / 2))


def numpy_ece(labels: np.ndarray, probabilities: np.ndarray, bins: int = 10) -> float:
    which = np.minimum((probabilities * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        chosen = which == b
        if chosen.any():
            total += chosen.mean() * abs(probabilities[chosen].mean() - labels[chosen].mean())
    return total
