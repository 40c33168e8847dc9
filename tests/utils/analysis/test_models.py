"""The predictive model on synthetic splits drawn from known logistic models (Spark ML, the shared session): coefficients
come back, the taxonomic model wins only when the categories differ, AUCs and ECE equal an independent computation, and
the awkward cases (one class, tiny category, constant or collinear feature) are reported, not fatal."""

import numpy as np
import pandas as pd
import pytest

from utils.analysis.data import load_table
from utils.analysis.evaluation import evaluate
from utils.analysis.fitting import fit_logistic, predict
from utils.analysis.run import analyze_split
from utils.pipeline.errors import DataSourceError

FEATURES = ["huffman_coding_length", "avg_frequency", "max_frequency", "min_frequency"]  # x1, x2, x1 + x2, constant
SETTINGS = {"recitation_threshold": 6, "semantic_thresholds": [0.8, 0.9]}
DIFFERENT = {  # intercept, x1, x2 per category
    "recitation": (1.0, 2.0, 0.0),
    "reconstruction": (-0.5, -1.5, 1.0),
    "recollection": (-1.0, 0.0, 0.8),
}
SAME = {category: (-0.5, 1.0, -0.7) for category in DIFFERENT}


def synthetic_split(directory, coefficients: dict, rows_per_category: dict, seed: int):
    """A split's Parquet with the columns the analysis reads; labels drawn from each category's logistic model."""
    rng = np.random.default_rng(seed)
    parts = []
    for category, count in rows_per_category.items():
        x1, x2 = rng.normal(size=count), rng.normal(size=count)
        intercept, b1, b2 = coefficients[category]
        p = 1 / (1 + np.exp(-(intercept + b1 * x1 + b2 * x2)))
        duplicates = rng.integers(6, 1000, count) if category == "recitation" else rng.integers(1, 6, count)
        templating = rng.random(count) < 0.5 if category == "recitation" else np.full(count, category == "reconstruction")
        parts.append(
            pd.DataFrame(
                {
                    "huffman_coding_length": x1,
                    "avg_frequency": x2,
                    "max_frequency": x1 + x2,
                    "min_frequency": np.full(count, 5.0),
                    "sequence_duplicates": duplicates,
                    "is_templating": templating,
                    "memorization_score": np.where(rng.random(count) < p, 1.0, rng.integers(0, 32, count) / 32),
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    frame.insert(0, "sequence_id", rng.permutation(len(frame)) * 7 + 3)
    directory.mkdir(parents=True)
    frame.to_parquet(directory / "part-00000.parquet")
    return str(directory)


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


def test_taxonomic_model_wins_and_the_lrt_rejects_when_categories_differ(different):
    _, result = different
    test = {(r["model"], r["category"]): r for r in result["tables"]["performance"] if r["part"] == "test"}
    assert test[("taxonomic", "all")]["pr_auc"] > test[("baseline", "all")]["pr_auc"] + 0.05
    assert test[("taxonomic", "all")]["roc_auc"] > test[("baseline", "all")]["roc_auc"] + 0.05
    (lrt,) = result["tables"]["lrt"]
    assert lrt["degrees_of_freedom"] == 9 - 3 and lrt["statistic"] > 100 and lrt["p_value"] < 1e-10
    assert test[("taxonomic", "all")]["rows"] == test[("baseline", "all")]["rows"] == lrt["test_rows"]
    sweep = pd.DataFrame(result["tables"]["threshold_sweep"]).set_index("recitation_threshold")
    assert sweep.loc[6, "taxonomic_test_pr_auc"] == pytest.approx(test[("taxonomic", "all")]["pr_auc"])
    assert sweep.loc[2, "recitation_rows"] > sweep.loc[6, "recitation_rows"] == 8000  # threshold 2 takes in more rows


def test_the_lrt_does_not_reject_when_categories_share_one_model(spark, tmp_path):
    path = synthetic_split(tmp_path / "split", SAME, dict.fromkeys(SAME, 4000), 2)
    result = analyze_split(spark, path, "synthetic/same", FEATURES[:2], 1024, SETTINGS, [])
    (lrt,) = result["tables"]["lrt"]
    assert lrt["p_value"] > 0.05


def test_stratified_split_and_metrics_against_an_independent_computation(spark, different):
    path, _ = different
    table = load_table(spark, path, FEATURES[:2], [0.8], 1024)
    frame = table.frame.toPandas()
    for label in (0.0, 1.0):  # 80 % of each class, to one row
        part = frame[frame.label == label]
        assert abs(part.is_train.sum() - 0.8 * len(part)) <= 1
    again = load_table(spark, path, FEATURES[:2], [0.8], 1024).frame.toPandas()
    assert again.sort_values("sequence_id").is_train.tolist() == frame.sort_values("sequence_id").is_train.tolist()
    train = table.frame.filter("is_train")
    fit = fit_logistic(train, table.features)
    predictions = predict(fit, table.frame.filter("not is_train"))
    metrics = evaluate(predictions)
    local = predictions.select("label", "probability").toPandas()
    assert metrics["roc_auc"] == pytest.approx(rank_auc(local.label.to_numpy(), local.probability.to_numpy()), abs=1e-9)
    assert metrics["pr_auc"] == pytest.approx(trapezoid_pr_auc(local.label.to_numpy(), local.probability.to_numpy()), abs=1e-9)
    assert metrics["ece"] == pytest.approx(numpy_ece(local.label.to_numpy(), local.probability.to_numpy()), abs=1e-12)
    log_likelihood = np.sum(local.label * np.log(local.probability) + (1 - local.label) * np.log(1 - local.probability))
    assert metrics["log_likelihood"] == pytest.approx(log_likelihood, rel=1e-9)


def test_awkward_splits_are_reported_not_fatal(spark, tmp_path):
    path = synthetic_split(tmp_path / "tiny", DIFFERENT, {"recitation": 10, "reconstruction": 600, "recollection": 600}, 3)
    result = analyze_split(spark, path, "synthetic/tiny", FEATURES[:2], 1024, SETTINGS, [])
    recitation = [r for r in result["tables"]["performance"] if r["category"] == "recitation"]
    assert {r["status"] for r in recitation} == {"intercept_only"} and "train rows (< 20)" in recitation[0]["notes"]
    assert result["tables"]["lrt"][0]["degrees_of_freedom"] == 1 + 3 + 3 - 3

    memorized = pd.read_parquet(path).assign(memorization_score=1.0)
    (tmp_path / "all-memorized").mkdir()
    memorized.to_parquet(tmp_path / "all-memorized" / "part.parquet")
    with pytest.raises(DataSourceError, match="memorization_score is 1 for all 1210 analyzable rows"):
        analyze_split(spark, str(tmp_path / "all-memorized"), "synthetic/memorized", FEATURES[:2], 1, SETTINGS, [])


def rank_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Mann-Whitney: P(score of a positive > score of a negative) + ½ P(tie), from average ranks."""
    order = np.argsort(scores, kind="stable")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    start = 0
    while start < len(scores):
        stop = start
        while stop + 1 < len(scores) and sorted_scores[stop + 1] == sorted_scores[start]:
            stop += 1
        ranks[order[start : stop + 1]] = (start + stop) / 2 + 1
        start = stop + 1
    positives = labels == 1
    n_pos, n_neg = positives.sum(), (~positives).sum()
    return (ranks[positives].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


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


def test_a_missing_run_or_split_is_one_clear_error(spark, tmp_path, capsys):
    from calculate_metrics import main

    assert main(["analyze", str(tmp_path / "no-such-run"), "--master", "local[2]"]) == 2
    assert "no-such-run not found" in capsys.readouterr().err
    (tmp_path / "run" / "memories" / "duped.70m").mkdir(parents=True)
    assert main(["analyze", str(tmp_path / "run")]) == 2
    assert "has no Pile split (the control group)" in capsys.readouterr().err
    assert main(["analyze", str(tmp_path / "run"), "--split", "pile/duped.70m"]) == 2
    assert "has no split pile/duped.70m" in capsys.readouterr().err
