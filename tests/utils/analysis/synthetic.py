"""Synthetic control splits drawn from known logistic models per taxonomy category, and the analysis recomputed
independently of utils/analysis: pandas for the train/test split and standardization, statsmodels for the fits,
scikit-learn and scipy for the metrics (the definitions of docs/METRICS.md, not our code)."""

from __future__ import annotations

import numpy as np
import pandas as pd

FEATURES = ["huffman_coding_length", "avg_frequency", "max_frequency", "min_frequency"]  # x1, x2, x1 + x2, constant
SETTINGS = {"recitation_threshold": 6, "semantic_thresholds": [0.8, 0.9]}
CATEGORY_NAMES = ("recitation", "reconstruction", "recollection")
DIFFERENT = {  # intercept, x1, x2 per category
    "recitation": (1.0, 2.0, 0.0),
    "reconstruction": (-0.5, -1.5, 1.0),
    "recollection": (-1.0, 0.0, 0.8),
}
SAME = {category: (-0.5, 1.0, -0.7) for category in DIFFERENT}


def synthetic_split(directory, coefficients: dict, rows_per_category: dict, seed: int, separated: str | None = None, scores: bool = False):
    """A split's Parquet with the columns the analysis reads; labels drawn from each category's logistic model. With
    `separated`, that category's label is x1 > 0 (perfect separation); with `scores`, nl_score and detection scores."""
    rng = np.random.default_rng(seed)
    parts = []
    for category, count in rows_per_category.items():
        x1, x2 = rng.normal(size=count), rng.normal(size=count)
        intercept, b1, b2 = coefficients[category]
        p = 1 / (1 + np.exp(-(intercept + b1 * x1 + b2 * x2)))
        memorized = (x1 > 0) if category == separated else rng.random(count) < p
        duplicates = rng.integers(6, 1000, count) if category == "recitation" else rng.integers(1, 6, count)
        templating = rng.random(count) < 0.5 if category == "recitation" else np.full(count, category == "reconstruction")
        part = pd.DataFrame(
            {
                "huffman_coding_length": x1,
                "avg_frequency": x2,
                "max_frequency": x1 + x2,
                "min_frequency": np.full(count, 5.0),
                "sequence_duplicates": duplicates,
                "is_templating": templating,
                "memorization_score": np.where(memorized, 1.0, rng.integers(0, 32, count) / 32),
            }
        )
        if scores:
            part["nl_score"] = rng.random(count)
            part["loss"] = np.round(rng.gamma(2.0, 1.0, count) - memorized * rng.random(count), 2)  # ties; lower when memorized
            part["min_k_prob"] = rng.normal(size=count) + memorized
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    frame.insert(0, "sequence_id", rng.permutation(len(frame)) * 7 + 3)
    directory.mkdir(parents=True)
    frame.to_parquet(directory / "part-00000.parquet")
    return str(directory)


def reference_rows(spark, path: str, seed: int = 1024, threshold: int = 6) -> pd.DataFrame:
    """The split's rows with label, is_train (per label, the ⌊0.8·n + ½⌋ rows of smallest hash), and the category."""
    frame = pd.read_parquet(path)
    hashes = spark.read.parquet(path).selectExpr("sequence_id", f"pmod(xxhash64(sequence_id, {seed}), {1 << 52}) AS h").toPandas()
    frame = frame.merge(hashes, on="sequence_id")
    frame["label"] = (frame["memorization_score"] == 1.0).astype(float)
    frame["is_train"] = False
    for _, part in frame.groupby("label"):
        keep = int(np.floor(0.8 * len(part) + 0.5))
        frame.loc[part.sort_values("h").index[:keep], "is_train"] = True
    frame["category"] = np.where(
        frame["sequence_duplicates"] >= threshold, "recitation", np.where(frame["is_templating"], "reconstruction", "recollection")
    )
    return frame


def standardize(frame: pd.DataFrame, features: list[str]) -> pd.DataFrame:
    """Continuous features scaled by the train rows' mean and sample standard deviation (1 where it is 0)."""
    out = frame.copy()
    train = frame[frame["is_train"]]
    for name in features:
        if name == "is_templating":
            out[name] = frame[name].astype(float)
            continue
        deviation = train[name].std(ddof=1)
        out[name] = (frame[name] - train[name].mean()) / (deviation or 1.0)
    return out


def statsmodels_fit(rows: pd.DataFrame, features: list[str]):
    """The statsmodels binomial GLM of label on the features (and an intercept), converged tightly."""
    import statsmodels.api as sm

    design = sm.add_constant(rows[features].to_numpy(dtype=float), has_constant="add")
    return sm.GLM(rows["label"].to_numpy(), design, family=sm.families.Binomial()).fit(tol=1e-13, maxiter=100)


def firth_reference(rows: pd.DataFrame, features: list[str]) -> np.ndarray:
    """Firth's estimate by direct maximization of ℓ(β) + ½ log det I(β) (Nelder-Mead, no gradient from our kernels)."""
    from scipy.optimize import minimize
    from scipy.special import expit

    x = np.c_[np.ones(len(rows)), rows[features].to_numpy(dtype=float)]
    y = rows["label"].to_numpy()

    def negative_penalized(beta: np.ndarray) -> float:
        eta = x @ beta
        weight = expit(eta) * expit(-eta)
        log_det = np.linalg.slogdet(x.T @ (x * weight[:, None]))[1]
        return -(np.sum(y * eta - np.logaddexp(0.0, eta)) + 0.5 * log_det)

    options = {"xatol": 1e-10, "fatol": 1e-14, "maxiter": 40_000, "maxfev": 40_000}
    return minimize(negative_penalized, np.zeros(x.shape[1]), method="Nelder-Mead", options=options).x
