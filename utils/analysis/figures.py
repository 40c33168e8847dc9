"""Figures of an analysis (matplotlib, PNG) drawn from the tables in RUN_DIR/_analysis: per split, the coefficients per
category (heatmap, significance marked, separated fits hatched and their Firth or ridge values marked), ROC and PR curves of
baseline vs taxonomic, calibration, the threshold sweep (thresholds with a separated fit hollow), and the detection
scores' ROC-AUC per category; then the scale-and-time figures (utils/analysis/scale_figures.py)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from metrics.taxonomy import CATEGORIES

FIGURES_DIR = "figures"
COLOUR_LIMIT = 3.0  # |standardized coefficient| at full colour
FALLBACK_MARKS = {"firth": " F", "ridge": " R"}  # estimates that stand in for a diverged maximum-likelihood fit


def slug(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "_", label)


def stars(p_value: float) -> str:
    if not p_value == p_value:  # NaN: no standard error
        return ""
    return "***" if p_value < 0.001 else "**" if p_value < 0.01 else "*" if p_value < 0.05 else ""


def read_table(analysis_dir: Path, name: str) -> pd.DataFrame:
    path = analysis_dir / f"{name}.parquet"
    return pd.read_parquet(path) if path.is_file() else pd.DataFrame()


def draw_figures(analysis_dir: Path) -> list[Path]:
    """Draws every figure the tables allow into analysis_dir/figures; returns their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = analysis_dir / FIGURES_DIR
    out.mkdir(exist_ok=True)
    drawn: list[Path] = []

    def save(figure, name: str) -> None:
        figure.tight_layout()
        figure.savefig(out / name, dpi=90)
        plt.close(figure)
        drawn.append(out / name)

    coefficients = read_table(analysis_dir, "coefficients")
    for split in coefficients["split"].unique() if len(coefficients) else []:
        save(
            coefficient_heatmap(plt, coefficients[(coefficients["split"] == split) & (coefficients["group"] == "all")], split),
            f"coefficients_{slug(split)}.png",
        )

    curves = read_table(analysis_dir, "curves")
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

    calibration = read_table(analysis_dir, "calibration")
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

    sweep = read_table(analysis_dir, "threshold_sweep")
    for split, part in sweep.groupby("split") if len(sweep) else []:
        figure, axis = plt.subplots(figsize=(5.5, 3.5))
        axis.plot(part["recitation_threshold"], part["taxonomic_test_pr_auc"], color="C0", label="taxonomic")
        clean = part["status"] != "separated"
        axis.scatter(part.loc[clean, "recitation_threshold"], part.loc[clean, "taxonomic_test_pr_auc"], color="C0", zorder=3)
        axis.scatter(
            part.loc[~clean, "recitation_threshold"], part.loc[~clean, "taxonomic_test_pr_auc"], facecolors="white", edgecolors="C0",
            zorder=3, label="a category fit separated (Firth)",
        )  # fmt: skip
        axis.plot(part["recitation_threshold"], part["baseline_test_pr_auc"], linestyle="--", color="C1", label="baseline")
        axis.set_xscale("log")
        axis.set(xlabel="taxonomy.recitation_threshold", ylabel="test PR-AUC", title=f"{split}: recitation threshold sweep")
        axis.legend(fontsize=8)
        save(figure, f"threshold_sweep_{slug(split)}.png")

    detection = read_table(analysis_dir, "detection")
    for split, part in detection[detection["group"] == "all"].groupby("split") if len(detection) else []:
        values = part.pivot_table(index="score", columns="category", values="roc_auc", aggfunc="first")
        values = values.reindex(columns=[c for c in ("all", *CATEGORIES) if c in values.columns])
        direction = part.drop_duplicates("score").set_index("score")["direction"].reindex(values.index)
        figure, axis = plt.subplots(figsize=(2.5 + 1.3 * values.shape[1], 1 + 0.35 * values.shape[0]))
        image = axis.imshow(values.to_numpy(dtype=float), cmap="RdBu_r", vmin=0, vmax=1, aspect="auto")
        for (i, j), value in np.ndenumerate(values.to_numpy(dtype=float)):
            if value == value:
                axis.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=7)
        axis.set_xticks(range(values.shape[1]), values.columns, fontsize=7)
        axis.set_yticks(range(values.shape[0]), [f"{s} ({d})" for s, d in zip(values.index, direction)], fontsize=7)
        axis.set_title(f"{split}: ROC-AUC of each score alone (direction: which end means memorized)", fontsize=8)
        figure.colorbar(image, ax=axis, shrink=0.8)
        save(figure, f"detection_{slug(split)}.png")

    from utils.analysis.scale_figures import draw_scale_figures

    draw_scale_figures(plt, lambda name: read_table(analysis_dir, name), save)
    from utils.analysis.probe_figures import draw_probe_figures

    draw_probe_figures(plt, lambda name: read_table(analysis_dir, name), save)
    return drawn


def coefficient_heatmap(plt, part: pd.DataFrame, split: str):
    """Standardized coefficients, feature × model/category; a separated fit's column is hatched and its fallback values
    carry F (Firth) or R (ridge)."""
    from matplotlib.patches import Rectangle

    part = part[part["feature"] != "(intercept)"]
    part = part.assign(column=part["model"] + "\n" + part["category"])
    order = [c for c in ("baseline\nall", *(f"taxonomic\n{k}" for k in CATEGORIES)) if c in set(part["column"])]

    def pivot(values: str) -> pd.DataFrame:
        return part.pivot_table(index="feature", columns="column", values=values, aggfunc="first").reindex(columns=order)

    values = pivot("coefficient")
    p_values = pivot("p_value").reindex_like(values)
    status = part.drop_duplicates("column").set_index("column")["status"].reindex(order)
    estimator = part.drop_duplicates("column").set_index("column")["estimator"].reindex(order)
    figure, axis = plt.subplots(figsize=(2 + 1.6 * values.shape[1], 1.3 + 0.4 * values.shape[0]))
    image = axis.imshow(values.to_numpy(dtype=float), cmap="RdBu_r", vmin=-COLOUR_LIMIT, vmax=COLOUR_LIMIT, aspect="auto")
    for j, column in enumerate(order):
        if status[column] == "separated":
            axis.add_patch(Rectangle((j - 0.5, -0.5), 1, values.shape[0], fill=False, hatch="///", edgecolor="grey", linewidth=0))
    for (i, j), value in np.ndenumerate(values.to_numpy(dtype=float)):
        if value == value:
            mark = FALLBACK_MARKS.get(estimator.iloc[j], "")
            colour = "white" if abs(value) > 0.6 * COLOUR_LIMIT else "black"
            axis.text(j, i, f"{value:+.2f}{stars(p_values.iat[i, j])}{mark}", ha="center", va="center", fontsize=7, color=colour)
    labels = [f"{c}\n(separated)" if status[c] == "separated" else c for c in order]
    axis.set_xticks(range(values.shape[1]), labels, fontsize=7)
    axis.set_yticks(range(values.shape[0]), values.index, fontsize=7)
    axis.set_title(
        f"{split}: standardized coefficients (* p<.05, ** p<.01, *** p<.001; blank: left out;\n"
        "hatched: maximum likelihood diverged (separation); F: Firth-penalized estimate, R: ridge estimate)",
        fontsize=8,
    )
    figure.colorbar(image, ax=axis, shrink=0.8)
    return figure
