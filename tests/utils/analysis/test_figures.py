"""The analysis figures: one PNG per table and split that the tables allow, none from an empty analysis, and the marks
a coefficient carries."""

import math

import pandas as pd

from utils.analysis.figures import draw_figures, slug, stars


def test_slug_and_significance_stars():
    assert slug("pile/deduped.160m") == "pile_deduped.160m" and slug("a b//c") == "a_b_c"
    assert [stars(p) for p in (0.0009, 0.001, 0.009, 0.04, 0.05, math.nan)] == ["***", "**", "**", "*", "", ""]


def test_no_table_no_figure(tmp_path):
    assert draw_figures(tmp_path) == [] and (tmp_path / "figures").is_dir()


def test_one_figure_of_each_kind_per_split(tmp_path):
    split = "pile/duped.70m"
    base = {"split": split, "group": "all"}
    coefficient = {**base, "coefficient": 0.5, "p_value": 0.01, "status": "converged", "estimator": "maximum_likelihood"}
    pd.DataFrame(
        [
            {**coefficient, "model": "baseline", "category": "all", "feature": "x"},
            {**coefficient, "model": "taxonomic", "category": "recitation", "feature": "x", "status": "separated", "estimator": "firth"},
            {**coefficient, "model": "baseline", "category": "all", "feature": "(intercept)"},
        ]
    ).to_parquet(tmp_path / "coefficients.parquet")
    pd.DataFrame([{**base, "model": m, "fpr": 0.5, "tpr": 0.7, "precision": 0.6} for m in ("baseline", "taxonomic")]).to_parquet(
        tmp_path / "curves.parquet"
    )
    pd.DataFrame(
        [{**base, "part": "test", "model": "baseline", "category": "all", "mean_predicted": 0.3, "observed_rate": 0.4}]
    ).to_parquet(tmp_path / "calibration.parquet")
    pd.DataFrame(
        [
            {"split": split, "recitation_threshold": t, "taxonomic_test_pr_auc": 0.6, "baseline_test_pr_auc": 0.5, "status": s}
            for t, s in ((2, "combined"), (6, "separated"))
        ]
    ).to_parquet(tmp_path / "threshold_sweep.parquet")
    pd.DataFrame(
        [{**base, "score": "loss", "direction": "lower", "category": c, "roc_auc": 0.7} for c in ("all", "recitation")]
    ).to_parquet(tmp_path / "detection.parquet")
    drawn = draw_figures(tmp_path)
    names = sorted(p.name for p in drawn)
    kinds = ("calibration", "coefficients", "detection", "roc_pr", "threshold_sweep")
    assert names == [f"{kind}_pile_duped.70m.png" for kind in kinds]
    assert all(p.parent == tmp_path / "figures" and p.stat().st_size > 1000 for p in drawn)
