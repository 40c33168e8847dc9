"""Scale-and-time figures: one PNG of each kind per scheme the tables allow, and the concentration curve by hand."""

import numpy as np
import pandas as pd
import pytest

from utils.analysis.figures import draw_figures
from utils.analysis.scale_figures import _mass_curve


def test_one_figure_of_each_kind_per_scheme(tmp_path):
    shares = [
        {"scheme": "duped", "split": f"memories/duped.{name}", "model": m, "step": step, "category": c, "share": share}
        for name, m, step in (("70m", "70m", 143000), ("1b", "1b", 143000), ("12b.23000", "12b", 23000), ("12b", "12b", 143000))
        for c, share in (("recitation", 0.5), ("recollection", 0.5))
    ]
    pd.DataFrame(shares).to_parquet(tmp_path / "taxonomy_shares.parquet")
    pairs = [
        {"scheme": "duped", "predictor": a, "target": b, "predictor_compute": ca, "target_compute": cb, "precision": 0.5, "recall": 0.3}
        for a, ca, b, cb in (("memories/duped.70m", 1.0, "memories/duped.12b", 3.0), ("memories/duped.1b", 2.0, "memories/duped.12b", 3.0))
    ]
    pd.DataFrame(pairs).to_parquet(tmp_path / "predictability.parquet")
    histogram = [
        {"scheme": "deduped", "model": m, "score": s, "rows": r} for m in ("70m", "160m") for s, r in ((0.0, 90), (0.5, 8), (1.0, 2))
    ]
    pd.DataFrame(histogram).to_parquet(tmp_path / "pile_score_histogram.parquet")
    names = sorted(path.name for path in draw_figures(tmp_path))
    assert names == [
        "pile_skew_deduped.png",
        "predictability_duped.png",
        "predictability_recall_duped.png",
        "taxonomy_by_size_duped.png",
        "taxonomy_by_step_duped.png",
    ]


def test_the_concentration_curve_takes_rows_from_the_highest_score_down():
    rows, held = _mass_curve(np.array([0.0, 0.5, 1.0]), np.array([90, 8, 2]))
    assert rows.tolist() == pytest.approx([0, 0.02, 0.10, 1.0]) and held.tolist() == pytest.approx([0, 2 / 6, 1.0, 1.0])
