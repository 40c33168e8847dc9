"""The report's probe section: the probe table and its captioned figures, and nothing without them."""

import html

import pandas as pd

from utils.reporting.probes import CAPTIONS, is_probe_figure, probe_section
from utils.reporting.sections import Sections


def test_the_table_and_captioned_figures_when_analyze_probed(tmp_path):
    analysis = tmp_path / "_analysis"
    (analysis / "figures").mkdir(parents=True)
    row = {"split": "pile/duped.70m", "task": "memorized", "layer": 2, "representation": "prompt_last", "value": 0.91, "control_value": 0.5}
    pd.DataFrame([row]).to_parquet(analysis / "probes.parquet")
    for name in ("probe_by_layer_pile_duped_70m.png", "detection_pile_duped_70m.png"):
        (analysis / "figures" / name).write_bytes(b"")
    page = Sections(tmp_path)
    probe_section(page, tmp_path)
    text = "\n".join(page.parts)
    assert "pile/duped.70m" in text and "<td>0.91</td>" in text and "probe_by_layer_pile_duped_70m.png" in text
    assert "detection_pile" not in text and html.escape(CAPTIONS["probe_by_layer"]) in text
    assert page.contents == [("inside-the-model", "Inside the model: probes of hidden states")]


def test_nothing_without_probes_and_figures_are_told_apart(tmp_path):
    page = Sections(tmp_path)
    probe_section(page, tmp_path)
    assert page.parts == [] and is_probe_figure("probe_confusion_x.png") and not is_probe_figure("predictability_duped.png")
