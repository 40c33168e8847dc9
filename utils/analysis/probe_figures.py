"""Figures of the hidden-state probes (matplotlib, PNG), from the tables in RUN_DIR/_analysis: the probe's held-out
score by layer beside its shuffled-label control, and the taxonomy probe's confusion at its best layer
(docs/METRICS.md, 'Probes')."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from metrics.taxonomy import CATEGORIES

PROBE_FIGURES = ("probe_",)  # file-name prefixes of these figures


def slug(label: str) -> str:
    return label.replace("/", "_").replace(".", "_")


def draw_probe_figures(plt, tables: Callable[[str], pd.DataFrame], save: Callable[[object, str], None]) -> None:
    """One score-by-layer figure per split, one confusion heatmap per taxonomy split."""
    probes = tables("probes")
    for split, part in probes.groupby("split") if len(probes) else []:
        figure, axis = plt.subplots(figsize=(5.5, 3.5))
        for representation, rows in part.groupby("representation"):
            rows = rows.sort_values("layer")
            line = axis.plot(rows["layer"], rows["value"], marker="o", label=representation)[0]
            axis.plot(
                rows["layer"], rows["control_value"], linestyle="--", color=line.get_color(), label=f"{representation}, shuffled labels"
            )
        metric = part["metric"].iloc[0]
        if metric == "test_accuracy":
            axis.axhline(part["majority_share"].iloc[0], color="grey", linestyle=":", label="majority class")
        else:
            axis.axhline(0.5, color="grey", linestyle=":", label="chance")
        axis.set(xlabel="layer (block; 0 = embeddings)", ylabel=metric.replace("_", " "), ylim=(0, 1.02))
        axis.set_xticks(sorted(part["layer"].unique()))
        axis.set_title(f"{split}: linear probe of {'memorization' if metric == 'test_roc_auc' else 'the taxonomy'} by layer", fontsize=9)
        axis.legend(fontsize=7)
        save(figure, f"probe_by_layer_{slug(split)}.png")
    confusion = tables("probe_confusion")
    for split, part in confusion.groupby("split") if len(confusion) else []:
        matrix = part.pivot_table(index="true", columns="predicted", values="rows", aggfunc="sum").reindex(
            index=CATEGORIES, columns=CATEGORIES
        )
        values = matrix.to_numpy(dtype=float)
        shares = values / np.maximum(values.sum(1, keepdims=True), 1)
        figure, axis = plt.subplots(figsize=(4.5, 3.5))
        image = axis.imshow(shares, cmap="Blues", vmin=0, vmax=1)
        for (i, j), value in np.ndenumerate(values):
            axis.text(j, i, f"{int(value)}", ha="center", va="center", fontsize=8)
        axis.set_xticks(range(len(CATEGORIES)), CATEGORIES, fontsize=7)
        axis.set_yticks(range(len(CATEGORIES)), CATEGORIES, fontsize=7)
        axis.set(xlabel="predicted", ylabel="true")
        layer, representation = part["layer"].iloc[0], part["representation"].iloc[0]
        axis.set_title(f"{split}: taxonomy probe, layer {layer} ({representation})", fontsize=8)
        figure.colorbar(image, ax=axis, shrink=0.8, label="share of the true category")
        save(figure, f"probe_confusion_{slug(split)}.png")
