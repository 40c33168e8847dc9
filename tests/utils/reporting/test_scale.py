"""The report's scale-and-time section: its tables and figures with their captions, and nothing without them."""

import html

import pandas as pd

from utils.reporting.scale import caption, is_scale_figure, scale_section
from utils.reporting.sections import Sections


def test_tables_and_captioned_figures_when_analyze_wrote_them(tmp_path):
    analysis = tmp_path / "_analysis"
    (analysis / "figures").mkdir(parents=True)
    pair = {"scheme": "duped", "predictor": "memories/duped.70m", "target": "memories/duped.12b", "both": 3, "recall": 0.25}
    pd.DataFrame([pair]).to_parquet(analysis / "predictability.parquet")
    pd.DataFrame([{"split": "pile/duped.70m", "rows": 10, "share_memorized": 0.1}]).to_parquet(analysis / "pile_memorization.parquet")
    for name in ("predictability_recall_duped.png", "pile_skew_duped.png", "roc_pr_pile_duped.70m.png"):
        (analysis / "figures" / name).write_bytes(b"")
    page = Sections(tmp_path)
    scale_section(page, tmp_path)
    text = "\n".join(page.parts)
    assert "memories/duped.12b" in text and "<td>0.25</td>" in text and "pile/duped.70m" in text
    assert "predictability_recall_duped.png" in text and "pile_skew_duped.png" in text and "roc_pr" not in text
    assert html.escape(caption("predictability_recall_duped")) in text
    assert caption("pile_skew_duped").startswith("Left:")


def test_nothing_without_the_tables(tmp_path):
    page = Sections(tmp_path)
    scale_section(page, tmp_path)
    assert page.parts == []


def test_figures_are_told_apart_and_the_longest_caption_prefix_wins():
    assert is_scale_figure("taxonomy_by_size_duped.png") and not is_scale_figure("coefficients_pile_duped.70m.png")
    assert caption("predictability_recall_duped") != caption("predictability_duped") and caption("other") == ""
