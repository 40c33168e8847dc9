"""What the run found, in a few lines at the top of the report: rows and splits, category shares, the taxonomic model's
test ROC-AUC beside the baseline's, the best single detector, and how well the smallest model and the earliest
checkpoint predict the final 12B model's memorized set (docs/ANALYSIS.md)."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from metrics.taxonomy import CATEGORIES


def run_summary(frame: pd.DataFrame, order: list[str], run_dir: Path) -> str:
    """The summary as an HTML list (each line only when the run holds what it needs)."""
    from utils.analysis.figures import read_table

    analysis = run_dir / "_analysis"
    lines = [f"{len(frame):,} rows in {len(order)} split(s): {', '.join(order)}."]
    lines += category_lines(frame)
    lines += model_lines(read_table(analysis, "performance"), read_table(analysis, "detection"))
    lines += predictability_lines(read_table(analysis, "predictability"))
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    return f"<h2>Summary</h2><ul>{items}</ul>"


def category_lines(frame: pd.DataFrame) -> list[str]:
    if "taxonomy" not in frame:
        return []
    lines = []
    for dataset, part in frame.groupby("dataset"):
        shares = part["taxonomy"].value_counts(normalize=True)
        listed = ", ".join(f"{category} {shares.get(category, 0):.0%}" for category in CATEGORIES)
        lines.append(f"Categories of the {dataset} rows: {listed}.")
    return lines


def model_lines(performance: pd.DataFrame, detection: pd.DataFrame) -> list[str]:
    lines = []
    if not performance.empty:
        test = performance[(performance["part"] == "test") & (performance["group"] == "all") & (performance["category"] == "all")]
        for split, part in test.groupby("split"):
            auc = part.set_index("model")["roc_auc"]
            if {"baseline", "taxonomic"} <= set(auc.index):
                lines.append(f"{split}: test ROC-AUC {auc['taxonomic']:.3f} with the taxonomy, {auc['baseline']:.3f} without.")
    if not detection.empty:
        overall = detection[(detection["group"] == "all") & (detection["category"] == "all")].dropna(subset=["roc_auc"])
        for split, part in overall.groupby("split"):
            best = part.loc[part["roc_auc"].idxmax()]
            lines.append(f"{split}: the best single detector is {best['score']} (ROC-AUC {best['roc_auc']:.3f}).")
    return lines


def predictability_lines(pairs: pd.DataFrame) -> list[str]:
    """Per scheme, the recall of the target of most compute by the smallest final model and by the earliest checkpoint."""
    lines = []
    for scheme, part in pairs.groupby("scheme") if not pairs.empty else []:
        target = part.loc[part["target_compute"].idxmax(), "target"]
        against = part[part["target"] == target].sort_values("predictor_compute")
        chosen = {"the smallest model": against[~against["predictor"].str.contains(r"\.12b\.")].head(1)}
        chosen["the earliest checkpoint"] = against[against["predictor"].str.contains(r"\.12b\.")].head(1)
        for who, row in chosen.items():
            if len(row):
                row = row.iloc[0]
                lines.append(f"{scheme}: {who} ({row['predictor']}) recalls {row['recall']:.0%} of {target}'s memorized sequences.")
    return lines
