"""The report's section on memorization across scale and time, from the tables and figures `analyze` wrote
(docs/METRICS.md, 'Memorization across scale and time'): predictability of a larger or later model's memorized set,
taxonomy shares over size and step, and the Pile control's memorization and skew per size."""

from __future__ import annotations

from pathlib import Path

from utils.reporting.sections import Sections, figure_html, html_table

SCALE_FIGURES = ("taxonomy_by_", "predictability", "pile_skew_")  # file-name prefixes of the scale-and-time figures
CAPTIONS = {
    "taxonomy_by_size": "Share of each category among the memorized sequences as models grow: does recitation dominate at every size?",
    "taxonomy_by_step": "The same over the 12B model's training: which kind of memorization arrives first?",
    "predictability_recall": "Recall of each target's memorized set by each predictor: along a row, how far a small or early model gets.",
    "predictability": "Precision and recall of a smaller or earlier model's memorized set against each larger or later one, by compute.",
    "pile_skew": "Left: the share of all memorization the top rows hold (above the diagonal: concentrated). Right: the score tail.",
}


def is_scale_figure(name: str) -> bool:
    return name.startswith(SCALE_FIGURES)


def caption(stem: str) -> str:
    """The figure's one-line reading guide (the longest matching prefix)."""
    matches = [prefix for prefix in CAPTIONS if stem.startswith(prefix)]
    return CAPTIONS[max(matches, key=len)] if matches else ""


def scale_section(page: Sections, run_dir: Path) -> None:
    """Tables and figures of scale and time when `analyze` wrote them; nothing otherwise."""
    from utils.analysis.figures import read_table

    analysis = run_dir / "_analysis"
    predictability = read_table(analysis, "predictability")
    control = read_table(analysis, "pile_memorization")
    if predictability.empty and control.empty:
        return
    page.open("scale-and-time", "Memorization across scale and time")
    if not predictability.empty:
        columns = ["scheme", "predictor", "target", "predictor_ids", "target_ids", "both", "precision", "recall", "jaccard"]
        page.add(
            "<h3>Does a smaller or earlier model predict what a larger or later one memorizes?</h3>" + html_table(predictability, columns)
        )
    shares = read_table(analysis, "taxonomy_shares")
    if not shares.empty:
        page.add("<h3>Taxonomy of the memorized sequences per split</h3>" + html_table(shares, ["split", "category", "rows", "share"]))
    if not control.empty:
        columns = ["split", "rows", "share_memorized", "share_at_least_half", "mean", "quantile_0.99", "top_1pct_share", "top_10pct_share"]
        page.add("<h3>The Pile control sample at each size</h3>" + html_table(control, columns))
    for figure in sorted(p for p in (analysis / "figures").glob("*.png") if is_scale_figure(p.name)):
        page.add(figure_html(f"../_analysis/figures/{figure.name}", figure.stem.replace("_", " "), caption(figure.stem)))
