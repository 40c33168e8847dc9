"""How well predicted probabilities fit the labels, computed by Spark over any number of rows: ROC-AUC and PR-AUC
(Spark ML's `BinaryClassificationEvaluator`, without down-sampling), expected calibration error over 10 equal-width bins,
the Bernoulli log-likelihood, and ROC/PR curve points over the distinct probabilities rounded to 1e-3."""

from __future__ import annotations

import numpy as np

from metrics.classification import curve_points, expected_calibration_error

CALIBRATION_BINS = 10
CURVE_DECIMALS = 3
PROBABILITY_CLIP = 1e-15


def evaluate(predictions, with_curves: bool = False) -> dict:
    """Metrics of `predictions` (columns `label`, `probability`); NaN AUCs when the rows hold one class only."""
    from pyspark.ml.evaluation import BinaryClassificationEvaluator
    from pyspark.sql import functions as F

    p = F.least(F.greatest(F.col("probability"), F.lit(PROBABILITY_CLIP)), F.lit(1 - PROBABILITY_CLIP))
    calibration_bin = F.least(F.floor(F.col("probability") * CALIBRATION_BINS), F.lit(CALIBRATION_BINS - 1)).cast("int")
    bins = (
        predictions.groupBy(calibration_bin.alias("bin"))
        .agg(
            F.count(F.lit(1)).alias("rows"),
            F.sum("label").alias("positives"),
            F.mean("probability").alias("mean_predicted"),
            F.sum(F.col("label") * F.log(p) + (1 - F.col("label")) * F.log(1 - p)).alias("log_likelihood"),
        )
        .toPandas()
        .sort_values("bin")
    )
    rows, positives = int(bins["rows"].sum()), int(bins["positives"].sum())
    bins["observed_rate"] = bins["positives"] / bins["rows"]
    result = {
        "rows": rows,
        "positives": positives,
        "log_likelihood": float(bins["log_likelihood"].sum()),
        "ece": expected_calibration_error(bins["rows"], bins["mean_predicted"], bins["observed_rate"]),
        "calibration": bins[["bin", "rows", "mean_predicted", "observed_rate"]].to_dict("records"),
        "roc_auc": float("nan"),
        "pr_auc": float("nan"),
    }
    if 0 < positives < rows:
        for metric in ("areaUnderROC", "areaUnderPR"):
            evaluator = BinaryClassificationEvaluator(rawPredictionCol="probability", labelCol="label", metricName=metric, numBins=0)
            result["roc_auc" if metric == "areaUnderROC" else "pr_auc"] = float(evaluator.evaluate(predictions))
        if with_curves:
            grouped = (
                predictions.groupBy(F.round("probability", CURVE_DECIMALS).alias("score"))
                .agg(F.count(F.lit(1)).alias("rows"), F.sum("label").alias("positives"))
                .toPandas()
            )
            points = curve_points(grouped["score"].to_numpy(), grouped["rows"].to_numpy(), grouped["positives"].to_numpy())
            result["curve"] = {name: np.round(values, 6).tolist() for name, values in points.items()}
    return result
