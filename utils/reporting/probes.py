"""The report's section on the model's insides, from the probe tables and figures `analyze` wrote (docs/METRICS.md,
'Probes'): does a linear probe of a layer's hidden states tell memorized sequences from others, and the taxonomy
categories apart, better than the same probe on shuffled labels?"""

from __future__ import annotations

from pathlib import Path

from utils.analysis.probe_figures import PROBE_FIGURES
from utils.reporting.sections import Sections, figure_html, html_table

CAPTIONS = {
    "probe_by_layer": "Held-out score of a linear probe per layer (solid) and of the same probe on shuffled labels (dashed): "
    "the gap is what the layer's states say.",
    "probe_confusion": "True vs predicted category at the best layer: which kinds of memorization the states keep apart.",
}


def is_probe_figure(name: str) -> bool:
    return name.startswith(PROBE_FIGURES)


def probe_section(page: Sections, run_dir: Path) -> None:
    """The probe table and figures when `analyze` probed hidden states; nothing otherwise."""
    from utils.analysis.figures import read_table

    analysis = run_dir / "_analysis"
    probes = read_table(analysis, "probes")
    if probes.empty:
        return
    page.open(
        "inside-the-model", "Inside the model: probes of hidden states", "From calculate_metrics.py analyze on the hidden_states columns."
    )
    columns = [
        "split",
        "task",
        "layer",
        "representation",
        "train_rows",
        "test_rows",
        "metric",
        "value",
        "control_value",
        "selectivity",
        "penalty",
    ]
    page.add("<h3>Linear probes per layer and representation (held-out)</h3>" + html_table(probes, columns))
    for figure in sorted(p for p in (analysis / "figures").glob("*.png") if is_probe_figure(p.name)):
        kind = next((kind for kind in CAPTIONS if figure.stem.startswith(kind)), "")
        page.add(figure_html(f"../_analysis/figures/{figure.name}", figure.stem.replace("_", " "), CAPTIONS.get(kind, "")))
