"""Logistic regressions on Spark ML: `GeneralizedLinearRegression` (binomial family, logit link, IRLS, no penalty), which
reports standard errors, Wald z and p-values of the coefficients (docs/METRICS.md, 'Predictive model of memorization').

A fit that cannot be made (too few rows, one class only, every feature constant) falls back to an intercept-only model
(the train positive rate) and says why. A feature that is constant in the fit's rows, or a linear combination of the
features before it (R's glm reports such a coefficient as NA), is left out of that fit and listed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

MIN_ROWS = 20  # fewer train rows than this: no regression, the positive rate is the model
MAX_ITERATIONS = 25  # IRLS iterations, as R's glm
RATE_FLOOR = 1e-6  # an intercept-only model of a one-class category predicts within [floor, 1 - floor]


@dataclass
class Fit:
    """One fitted model: its coefficients (feature -> estimate, SE, z, p) and how the fit went."""

    features: list[str]  # the features the model uses (constant and collinear ones left out)
    model: object | None  # GeneralizedLinearRegressionModel, or None for an intercept-only model
    intercept: float
    coefficients: list[dict] = field(default_factory=list)
    train_rows: int = 0
    train_positives: int = 0
    status: str = "fitted"  # fitted | intercept_only
    notes: list[str] = field(default_factory=list)

    @property
    def parameters(self) -> int:
        return len(self.features) + 1


def fit_logistic(train, features: list[str]) -> Fit:
    """Fits label ~ features on `train` (a DataFrame with `label` and the feature columns)."""
    from pyspark.sql import functions as F

    aggregates = [F.count(F.lit(1)).alias("rows"), F.sum("label").alias("positives")]
    aggregates += [F.stddev_samp(f"`{name}`").alias(f"sd_{i}") for i, name in enumerate(features)]
    row = train.agg(*aggregates).first()
    rows, positives = int(row["rows"]), int(row["positives"] or 0)
    constant = [name for i, name in enumerate(features) if not (row[f"sd_{i}"] or 0.0) > 0.0]
    used = [name for name in features if name not in constant]
    notes = [f"constant in these rows, left out: {', '.join(constant)}"] if constant else []
    if len(used) > 1 and rows >= MIN_ROWS:
        collinear = collinear_features(train, used)
        used = [name for name in used if name not in collinear]
        if collinear:
            notes.append(f"a linear combination of the features before it, left out: {', '.join(collinear)}")
    reason = None
    if rows < MIN_ROWS:
        reason = f"{rows} train rows (< {MIN_ROWS})"
    elif positives in (0, rows):
        reason = f"one class only ({positives} memorized of {rows})"
    elif not used:
        reason = "every feature is constant"
    if reason:
        return _intercept_only(rows, positives, [*notes, f"no regression: {reason}; the train positive rate is the model"])
    return _glm(train, used, rows, positives, notes)


def collinear_features(train, features: list[str], tolerance: float = 1e-9) -> list[str]:
    """Features whose variance is explained (1 − R² < tolerance) by the features kept before them, from the train rows'
    Pearson correlation matrix (one Spark job)."""
    import numpy as np
    from pyspark.ml.feature import VectorAssembler
    from pyspark.ml.stat import Correlation

    vectors = VectorAssembler(inputCols=features, outputCol="v").transform(train).select("v")
    matrix = Correlation.corr(vectors, "v", "pearson").first()[0].toArray()
    kept: list[int] = []
    dropped = []
    for i, name in enumerate(features):
        if kept:
            within, towards = matrix[np.ix_(kept, kept)], matrix[kept, i]
            explained = float(towards @ np.linalg.lstsq(within, towards, rcond=None)[0])
            if 1.0 - explained < tolerance:
                dropped.append(name)
                continue
        kept.append(i)
    return dropped


def _glm(train, features: list[str], rows: int, positives: int, notes: list[str]) -> Fit:
    from pyspark.ml.feature import VectorAssembler
    from pyspark.ml.regression import GeneralizedLinearRegression

    assembled = VectorAssembler(inputCols=features, outputCol="features").transform(train)
    estimator = GeneralizedLinearRegression(family="binomial", link="logit", maxIter=MAX_ITERATIONS, regParam=0.0, tol=1e-8)
    model = estimator.fit(assembled)
    summary = model.summary
    estimates = [*model.coefficients.toArray().tolist(), model.intercept]
    names = [*features, "(intercept)"]
    try:
        errors, z_values, p_values = summary.coefficientStandardErrors, summary.tValues, summary.pValues
    except Exception as error:  # a singular design: Spark solved it another way and has no standard errors
        errors = z_values = p_values = [math.nan] * len(names)
        notes.append(f"no standard errors ({type(error).__name__}: collinear features)")
    if summary.numIterations >= MAX_ITERATIONS:
        notes.append(f"did not converge in {MAX_ITERATIONS} iterations (separation?): estimates are unreliable")
    coefficients = [
        {"feature": n, "coefficient": e, "std_error": s, "wald_z": z, "p_value": p}
        for n, e, s, z, p in zip(names, estimates, errors, z_values, p_values)
    ]
    return Fit(features, model, model.intercept, coefficients, rows, positives, "fitted", notes)


def _intercept_only(rows: int, positives: int, notes: list[str]) -> Fit:
    rate = positives / rows if rows else 0.5
    rate = min(max(rate, RATE_FLOOR), 1 - RATE_FLOOR)
    intercept = math.log(rate / (1 - rate))
    coefficient = {"feature": "(intercept)", "coefficient": intercept, "std_error": math.nan, "wald_z": math.nan, "p_value": math.nan}
    return Fit([], None, intercept, [coefficient], rows, positives, "intercept_only", notes)


def predict(fit: Fit, frame):
    """`frame` with `probability`: the model's P(memorized) for each row."""
    from pyspark.ml.feature import VectorAssembler
    from pyspark.sql import functions as F

    if fit.model is None:
        return frame.withColumn("probability", F.lit(1.0 / (1.0 + math.exp(-fit.intercept))))
    assembled = VectorAssembler(inputCols=fit.features, outputCol="features").transform(frame)
    return fit.model.setPredictionCol("probability").transform(assembled).drop("features")
