"""Correlations with the binary label against scipy on rows with many ties, per category and overall."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import pearsonr, spearmanr

from utils.analysis.correlations import label_correlations


def test_pearson_and_spearman_equal_scipy_with_ties_and_constants(spark):
    rng = np.random.default_rng(5)
    n = 3000
    frame = pd.DataFrame(
        {
            "label": (rng.random(n) < 0.3).astype(float),
            "counts": rng.integers(0, 6, n).astype(float),  # six values: heavy ties
            "smooth": rng.normal(size=n),
            "constant": np.full(n, 2.0),
            "group": rng.choice(["a", "b"], n),
        }
    )
    frame["smooth"] += frame["label"]  # a real association
    frame.loc[frame.group == "b", "label"] = np.where(frame.loc[frame.group == "b", "smooth"] > 10, 1.0, 0.0)  # b: one class
    from pyspark.sql import functions as F

    rows = label_correlations(spark.createDataFrame(frame), ["counts", "smooth", "constant"], F.col("group"))
    got = {(r["category"], r["feature"]): r for r in rows}
    for category, part in (("all", frame), ("a", frame[frame.group == "a"])):
        for feature in ("counts", "smooth"):
            row = got[(category, feature)]
            assert row["rows"] == len(part)
            assert row["pearson"] == pytest.approx(pearsonr(part[feature], part["label"])[0], abs=1e-10)
            assert row["spearman"] == pytest.approx(spearmanr(part[feature], part["label"])[0], abs=1e-10)
        assert math.isnan(got[(category, "constant")]["pearson"]) and math.isnan(got[(category, "constant")]["spearman"])
    assert math.isnan(got[("b", "smooth")]["pearson"]) and math.isnan(got[("b", "smooth")]["spearman"])  # one class
