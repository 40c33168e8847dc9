"""Figures of an analysis (matplotlib, PNG) drawn from the tables in RUN_DIR/_analysis: per split, the coefficients per
category (heatmap, significance marked), ROC and PR curves of baseline vs taxonomic, calibration, and the threshold sweep."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from filters.taxonomy import CATEGORIES

FIGURES_DIR = "figures"
COLOUR_LIMIT = 3.0  # |standardized coefficient| at full colour


def slug(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "_", label)


def stars(p_value: float) -> str:
    if not p_value == p_value:  # NaN: no standard error
        return ""
    return "***" if p_value < 0.001 else "**" if p_value < 0.01 else "*" if p_value < 0.05 else ""


def draw_figures(analysis_dir: Path) -> list[Path]:
    """Draws every figure the tables allow into analysis_dir/figures; returns their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def table(name: str) -> pd.DataFrame:
        path = analysis_dir / f"{name}.json"
        return pd.read_json(path, orient="records") if path.is_file() else pd.DataFrame()

    out = analysis_dir / FIGURES_DIR
    out.mkdir(exist_ok=True)
    drawn: list[Path] = []

    def save(figure, name: str) -> None:
        figure.tight_layout()
        figure.savefig(out / name, dpi=90)
        plt.close(figure)
        drawn.append(out / name)

    coefficients, curves, calibration, sweep = table("coefficients"), table("curves"), table("calibration"), table("threshold_sweep")
    for split in coefficients["split"].unique() if len(coefficients) else []:
        part = coefficients[
            (coefficients["split"] == split) & (coefficients["group"] == "all") & (coefficients["feature"] != "(intercept)")
        ]
        part = part.assign(column=part["model"] + "\n" + part["category"])
        order = [c for c in ("baseline\nall", *(f"taxonomic\n{k}" for k in CATEGORIES)) if c in set(part["column"])]
        values = part.pivot_table(index="feature", columns="column", values="coefficient", aggfunc="first").reindex(columns=order)
        p_values = part.pivot_table(index="feature", columns="column", values="p_value", aggfunc="first").reindex_like(values)
        figure, axis = plt.subplots(figsize=(2 + 1.6 * values.shape[1], 1 + 0.4 * values.shape[0]))
        limit = COLOUR_LIMIT  # colours saturate beyond it (a separated fit's estimates run to thousands); numbers are printed
        image = axis.imshow(values.to_numpy(dtype=float), cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
        for (i, j), value in np.ndenumerate(values.to_numpy(dtype=float)):
            if value == value:
                colour = "white" if abs(value) > 0.6 * COLOUR_LIMIT else "black"
                axis.text(j, i, f"{value:+.2f}{stars(p_values.iat[i, j])}", ha="center", va="center", fontsize=7, color=colour)
        axis.set_xticks(range(values.shape[1]), values.columns, fontsize=7)
        axis.set_yticks(range(values.shape[0]), values.index, fontsize=7)
        axis.set_title(f"{split}: standardized coefficients (* p<.05, ** p<.01, *** p<.001; blank: left out)", fontsize=8)
        figure.colorbar(image, ax=axis, shrink=0.8)
        save(figure, f"coefficients_{slug(split)}.png")

    for split in curves["split"].unique() if len(curves) else []:
        part = curves[(curves["split"] == split) & (curves["group"] == "all")]
        figure, (roc, pr) = plt.subplots(1, 2, figsize=(9, 4))
        for model, points in part.groupby("model"):
            roc.plot(np.r_[0, points["fpr"]], np.r_[0, points["tpr"]], label=model)
            pr.plot(points["tpr"], points["precision"], label=model)
        roc.plot([0, 1], [0, 1], color="grey", linestyle=":")
        roc.set(xlabel="false positive rate", ylabel="true positive rate", title=f"{split}: ROC (test)")
        pr.set(xlabel="recall", ylabel="precision", title=f"{split}: precision-recall (test)")
        roc.legend(fontsize=8)
        pr.legend(fontsize=8)
        save(figure, f"roc_pr_{slug(split)}.png")

    if len(calibration):
        test = calibration[(calibration["part"] == "test") & (calibration["group"] == "all") & (calibration["category"] == "all")]
        for split, part in test.groupby("split"):
            figure, axis = plt.subplots(figsize=(4.5, 4.5))
            for model, points in part.groupby("model"):
                axis.plot(points["mean_predicted"], points["observed_rate"], marker="o", label=model)
            axis.plot([0, 1], [0, 1], color="grey", linestyle=":")
            axis.set(
                xlabel="mean predicted probability", ylabel="observed memorization rate", title=f"{split}: calibration (test, 10 bins)"
            )
            axis.legend(fontsize=8)
            save(figure, f"calibration_{slug(split)}.png")

    for split, part in sweep.groupby("split") if len(sweep) else []:
        figure, axis = plt.subplots(figsize=(5.5, 3.5))
        axis.plot(part["recitation_threshold"], part["taxonomic_test_pr_auc"], marker="o", label="taxonomic")
        axis.plot(part["recitation_threshold"], part["baseline_test_pr_auc"], linestyle="--", label="baseline")
        axis.set_xscale("log")
        axis.set(xlabel="taxonomy.recitation_threshold", ylabel="test PR-AUC", title=f"{split}: recitation threshold sweep")
        axis.legend(fontsize=8)
        save(figure, f"threshold_sweep_{slug(split)}.png")
    return drawn
