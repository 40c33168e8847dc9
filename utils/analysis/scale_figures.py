"""Figures of memorization across scale and time (matplotlib, PNG), from the tables in RUN_DIR/_analysis: taxonomy
shares vs parameters and vs training step, precision and recall vs the predictor's training compute, a recall heatmap
over (predictor, target), and the Pile control's skew curves (docs/METRICS.md, 'Memorization across scale and time')."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from metrics.predictability import PYTHIA_PARAMETERS
from metrics.score_skew import collapse
from metrics.taxonomy import CATEGORIES
from utils.data.splits import FINAL_STEP

CATEGORY_ORDER = (*CATEGORIES, "null")
TOP_GRID = np.logspace(-4, 0, 200)  # top shares of rows at which the concentration curve is drawn


def draw_scale_figures(plt, tables: Callable[[str], pd.DataFrame], save: Callable[[object, str], None]) -> None:
    """Every scale-and-time figure the tables allow; `tables(name)` reads one (empty when absent)."""
    shares = tables("taxonomy_shares")
    for scheme, part in shares.groupby("scheme") if len(shares) else []:
        final = part[part["step"] == FINAL_STEP].assign(parameters=lambda p: p["model"].map(PYTHIA_PARAMETERS))
        if final["split"].nunique() > 1:
            save(_shares_figure(plt, final, "parameters", f"{scheme}: taxonomy of memorized sequences by model size", log=True),
                 f"taxonomy_by_size_{scheme}.png")  # fmt: skip
        checkpoints = part[part["model"] == "12b"]
        if checkpoints["split"].nunique() > 1:
            save(_shares_figure(plt, checkpoints, "step", f"{scheme}: taxonomy of the 12B model's memorized sequences by step"),
                 f"taxonomy_by_step_{scheme}.png")  # fmt: skip

    pairs = tables("predictability")
    for scheme, part in pairs.groupby("scheme") if len(pairs) else []:
        figure, axes = plt.subplots(1, 2, figsize=(10, 4))
        for target, rows in part.groupby("target"):
            rows = rows.sort_values("predictor_compute")
            for axis, measure in zip(axes, ("precision", "recall")):
                axis.plot(rows["predictor_compute"], rows[measure], marker="o", label=target)
        for axis, measure in zip(axes, ("precision", "recall")):
            axis.set_xscale("log")
            axis.set(xlabel="predictor's training compute (FLOPs, 6·N·D)", ylabel=measure, ylim=(0, 1.02))
            axis.set_title(f"{scheme}: {measure} of a smaller or earlier model's memorized set", fontsize=9)
        axes[1].legend(title="target", fontsize=7)
        save(figure, f"predictability_{scheme}.png")
        save(_recall_heatmap(plt, part, scheme), f"predictability_recall_{scheme}.png")

    histogram = tables("pile_score_histogram")
    for scheme, part in histogram.groupby("scheme") if len(histogram) else []:
        figure, (mass, tail) = plt.subplots(1, 2, figsize=(10, 4))
        for model, rows in sorted(part.groupby("model"), key=lambda item: list(PYTHIA_PARAMETERS).index(item[0])):
            values, counts = collapse(rows["score"].to_numpy(), rows["rows"].to_numpy())
            top, held = _mass_curve(values, counts)
            mass.plot(TOP_GRID, np.interp(TOP_GRID, top, held), label=model)  # exact: linear within a run of tied scores
            survival = 1 - np.cumsum(counts) / counts.sum() + counts / counts.sum()  # share of rows with score >= value
            tail.step(values, survival, where="post", label=model)
        mass.plot(TOP_GRID, TOP_GRID, color="grey", linestyle=":", label="no concentration")
        mass.set_xscale("log")
        mass.set(xlabel="top share of rows by score", ylabel="share of all memorization score held", xlim=(1e-4, 1))
        mass.set_title(f"{scheme} Pile sample: how concentrated memorization is", fontsize=9)
        tail.set_yscale("log")
        tail.set(xlabel="memorization score", ylabel="share of rows with at least this score")
        tail.set_title(f"{scheme} Pile sample: score distribution per size", fontsize=9)
        tail.legend(title="model", fontsize=7)
        save(figure, f"pile_skew_{scheme}.png")


def _shares_figure(plt, part: pd.DataFrame, x: str, title: str, log: bool = False):
    figure, axis = plt.subplots(figsize=(6, 3.8))
    for category in (c for c in CATEGORY_ORDER if c in set(part["category"])):
        rows = part[part["category"] == category].sort_values(x)
        axis.plot(rows[x], rows["share"], marker="o", label=category)
    if log:
        axis.set_xscale("log")
    axis.set(xlabel="parameters" if x == "parameters" else "training step", ylabel="share of memorized sequences", ylim=(0, 1))
    axis.set_title(title, fontsize=9)
    axis.legend(fontsize=7)
    return figure


def _recall_heatmap(plt, part: pd.DataFrame, scheme: str):
    order = part.drop_duplicates("predictor").sort_values("predictor_compute")["predictor"].tolist()
    targets = part.drop_duplicates("target").sort_values("target_compute")["target"].tolist()
    values = part.pivot_table(index="predictor", columns="target", values="recall", aggfunc="first").reindex(index=order, columns=targets)
    figure, axis = plt.subplots(figsize=(2.5 + 1.1 * len(targets), 1.2 + 0.45 * len(order)))
    image = axis.imshow(values.to_numpy(dtype=float), cmap="viridis", vmin=0, vmax=1, aspect="auto")
    for (i, j), value in np.ndenumerate(values.to_numpy(dtype=float)):
        if value == value:
            axis.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=7, color="white" if value < 0.6 else "black")
    axis.set_xticks(range(len(targets)), [t.split("/")[-1] for t in targets], fontsize=7, rotation=30)
    axis.set_yticks(range(len(order)), [p.split("/")[-1] for p in order], fontsize=7)
    axis.set(xlabel="target", ylabel="predictor")
    axis.set_title(f"{scheme}: recall of the target's memorized set", fontsize=9)
    figure.colorbar(image, ax=axis, shrink=0.8)
    return figure


def _mass_curve(values: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(share of rows, share of the total score they hold), taking rows from the highest score down."""
    total = float(values @ counts)
    rows = np.cumsum(counts[::-1]) / counts.sum()
    held = np.cumsum((values * counts)[::-1]) / total if total > 0 else np.zeros(len(values))
    return np.r_[0.0, rows], np.r_[0.0, held]
