"""Probe figures: a score-by-layer figure per probed split and a confusion heatmap per taxonomy split."""

import pandas as pd

from metrics.taxonomy import CATEGORIES
from utils.analysis.figures import draw_figures


def test_one_by_layer_figure_per_split_and_one_confusion_per_taxonomy_split(tmp_path):
    probes = [
        {"split": split, "layer": layer, "representation": r, "metric": metric, "value": 0.8, "control_value": 0.5, "majority_share": 0.4}
        for split, metric in (("pile/duped.70m", "test_roc_auc"), ("memories/duped.70m", "test_accuracy"))
        for layer in (1, 2)
        for r in ("prompt_last", "continuation_mean")
    ]
    pd.DataFrame(probes).to_parquet(tmp_path / "probes.parquet")
    confusion = [
        {"split": "memories/duped.70m", "layer": 1, "representation": "prompt_last", "true": t, "predicted": p, "rows": 3}
        for t in CATEGORIES
        for p in CATEGORIES
    ]
    pd.DataFrame(confusion).to_parquet(tmp_path / "probe_confusion.parquet")
    names = sorted(path.name for path in draw_figures(tmp_path))
    assert names == ["probe_by_layer_memories_duped_70m.png", "probe_by_layer_pile_duped_70m.png", "probe_confusion_memories_duped_70m.png"]
