"""The baseline and the taxonomic model of one group of rows (docs/METRICS.md, 'Predictive model of memorization'):
one logistic regression on all rows, and one per taxonomy category whose prediction for a row is its category's model;
their train/test metrics, coefficients, the likelihood-ratio test of taxonomic vs baseline on the test rows, and the
per-category correlations of each feature with the label."""

from __future__ import annotations

from filters.taxonomy import CATEGORIES
from metrics.classification import likelihood_ratio_test
from utils.analysis.correlations import label_correlations
from utils.analysis.data import category_column
from utils.analysis.evaluation import evaluate
from utils.analysis.fitting import Fit, fit_logistic, predict


def performance_rows(fit: Fit | None, train_predictions, test_predictions, keys: dict, curves: bool) -> tuple[list[dict], list[dict], dict]:
    """(performance rows for train and test, calibration rows, the test metrics) of one model."""
    rows, calibration, test = [], [], {}
    for part, predictions in (("train", train_predictions), ("test", test_predictions)):
        metrics = evaluate(predictions, with_curves=curves and part == "test")
        rows.append(
            {
                **keys,
                "part": part,
                "rows": metrics["rows"],
                "positives": metrics["positives"],
                "roc_auc": metrics["roc_auc"],
                "pr_auc": metrics["pr_auc"],
                "ece": metrics["ece"],
                "log_likelihood": metrics["log_likelihood"],
                "parameters": fit.parameters if fit else None,
                "status": fit.status if fit else "combined",
                "notes": "; ".join(fit.notes) if fit else "",
            }
        )
        calibration += [{**keys, "part": part, **entry} for entry in metrics["calibration"]]
        if part == "test":
            test = metrics
    return rows, calibration, test


def curve_rows(test_metrics: dict, keys: dict) -> list[dict]:
    """One row per point of the test ROC and PR curves (none when they were not computed)."""
    curve = test_metrics.get("curve")
    if not curve:
        return []
    return [{**keys, **dict(zip(curve, values))} for values in zip(*curve.values())]


def coefficient_rows(fit: Fit, keys: dict) -> list[dict]:
    return [{**keys, **entry} for entry in fit.coefficients]


def fit_group(frame, features: list[str], keys: dict, recitation_threshold: int | None, sweep: list[int] = ()) -> dict:
    """Baseline and (when the taxonomy inputs exist) taxonomic model of `frame` (a group's rows with `is_train`), and the
    taxonomic model refitted at each recitation threshold of `sweep` (its test metrics and LRT only)."""
    from pyspark.sql import functions as F

    train, test = frame.filter(F.col("is_train")), frame.filter(~F.col("is_train"))
    out = {"performance": [], "calibration": [], "coefficients": [], "curves": [], "lrt": [], "threshold_sweep": []}
    baseline = fit_logistic(train, features)
    base_keys = {**keys, "model": "baseline", "category": "all"}
    rows, calibration, base_test = performance_rows(baseline, predict(baseline, train), predict(baseline, test), base_keys, True)
    out["performance"] += rows
    out["calibration"] += calibration
    out["coefficients"] += coefficient_rows(baseline, base_keys)
    out["curves"] += curve_rows(base_test, base_keys)
    if recitation_threshold is None:
        return out
    taxonomic = taxonomic_model(frame, features, keys, recitation_threshold, out)
    out["lrt"].append(lrt_row(keys, base_test, baseline, taxonomic))
    for threshold in sweep:
        refit = taxonomic_model(frame, features, keys, threshold, None)
        counts = frame.groupBy(category_column(threshold).alias("category")).count().toPandas()
        per_category = dict(zip(counts["category"], counts["count"]))
        out["threshold_sweep"].append(
            {
                **keys,
                "recitation_threshold": threshold,
                "taxonomic_test_pr_auc": refit["test"]["pr_auc"],
                "taxonomic_test_roc_auc": refit["test"]["roc_auc"],
                "baseline_test_pr_auc": base_test["pr_auc"],
                **{f"{category}_rows": int(per_category.get(category, 0)) for category in CATEGORIES},
                "lrt_p_value": lrt_row(keys, base_test, baseline, refit)["p_value"],
            }
        )
    return out


def taxonomic_model(frame, features: list[str], keys: dict, threshold: int, out: dict | None) -> dict:
    """One logistic regression per category at `threshold`; the combined predictions' test metrics and parameter count.
    With `out`, every category's coefficients and train/test metrics and the combined model's are added to it."""
    from pyspark.sql import functions as F

    categorized = frame.withColumn("category", category_column(threshold))
    train_parts, test_parts, parameters = [], [], 0
    for category in CATEGORIES:
        category_train = categorized.filter(F.col("is_train") & (F.col("category") == category))
        category_test = categorized.filter(~F.col("is_train") & (F.col("category") == category))
        fit = fit_logistic(category_train, features)
        parameters += fit.parameters
        train_predictions, test_predictions = predict(fit, category_train), predict(fit, category_test)
        if out is not None:
            category_keys = {**keys, "model": "taxonomic", "category": category}
            rows, calibration, _ = performance_rows(fit, train_predictions, test_predictions, category_keys, curves=False)
            out["performance"] += rows
            out["calibration"] += calibration
            out["coefficients"] += coefficient_rows(fit, category_keys)
        train_parts.append(train_predictions.select("label", "probability"))
        test_parts.append(test_predictions.select("label", "probability"))
    union = lambda parts: parts[0].unionByName(parts[1]).unionByName(parts[2])  # noqa: E731
    if out is None:
        return {"test": evaluate(union(test_parts)), "parameters": parameters}
    combined_keys = {**keys, "model": "taxonomic", "category": "all"}
    rows, calibration, test = performance_rows(None, union(train_parts), union(test_parts), combined_keys, True)
    for row in rows:
        row["parameters"] = parameters
    out["performance"] += rows
    out["calibration"] += calibration
    out["curves"] += curve_rows(test, combined_keys)
    return {"test": test, "parameters": parameters}


def lrt_row(keys: dict, base_test: dict, baseline: Fit, taxonomic: dict) -> dict:
    """Likelihood-ratio test of the taxonomic model against the baseline on the test rows."""
    extra = taxonomic["parameters"] - baseline.parameters
    statistic, p_value = likelihood_ratio_test(taxonomic["test"]["log_likelihood"], base_test["log_likelihood"], extra)
    return {
        **keys,
        "baseline_log_likelihood": base_test["log_likelihood"],
        "taxonomic_log_likelihood": taxonomic["test"]["log_likelihood"],
        "statistic": statistic,
        "degrees_of_freedom": extra,
        "p_value": p_value,
        "test_rows": taxonomic["test"]["rows"],
    }


def correlation_rows(frame, features: list[str], keys: dict, recitation_threshold: int | None) -> list[dict]:
    """Pearson and Spearman correlation of each feature with the label, on all rows and within each category."""
    category = category_column(recitation_threshold) if recitation_threshold is not None else None
    return [{**keys, **row} for row in label_correlations(frame, features, category)]
