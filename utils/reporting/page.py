"""A run's report: RUN_DIR/_report/index.html with PNG figures (matplotlib), from the Parquet output alone.

Reads only the columns a figure needs (pyarrow), so it runs on a laptop against a run computed on a
cluster. Figures whose columns are missing are skipped and listed in the page.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.dataset as pads

from metrics.taxonomy import CATEGORIES
from utils.core.errors import DataSourceError
from utils.data.splits import MODEL_SIZES
from utils.reporting.extraction import extraction_section
from utils.reporting.probes import is_probe_figure, probe_section
from utils.reporting.scale import is_scale_figure, scale_section
from utils.reporting.sections import COLOURS, Sections, figure_html, html_table
from utils.reporting.sensitive import sensitive_section
from utils.reporting.summary import run_summary

HEAVY_TAILED = {
    "sequence_duplicates",
    "max_frequency",
    "min_frequency",
    "avg_frequency",
    "median_frequency",
    "p25_frequency",
    "p75_frequency",
    "sequence_perplexity",
    "prompt_perplexity",
    "generation_perplexity",
}
# Which family's section shows a metric's distribution (the rest are text metrics).
CORPUS_STATISTICS = {"sequence_duplicates", "max_frequency", "min_frequency", "avg_frequency", "median_frequency", "p25_frequency",
                     "p75_frequency"}  # fmt: skip
LIKELIHOOD = {"loss", "sequence_perplexity", "prompt_perplexity", "generation_perplexity", "min_k_prob", "min_k_plus_plus",
              "mean_token_entropy", "continuation_log_prob", "zlib_likelihood_ratio", "model_memorization_score",
              "exact_prefix_length"}  # fmt: skip
FAMILIES = (
    ("text-metrics", "Text metrics", "Compressibility, templating patterns, code vs natural language, semantic duplicates."),
    ("corpus-statistics", "Corpus statistics", "Duplication of the continuation and token frequencies in the training corpus."),
    ("likelihood", "Likelihood", "The model's scores of each sequence."),
)
ANALYSIS_CAPTIONS = {
    "coefficients": "Standardized coefficients per category: a feature that matters in one category only is what the taxonomy adds.",
    "roc_pr": "Test ROC and precision-recall of the baseline and the taxonomic model: the gap is what the categories buy.",
    "calibration": "Predicted vs observed memorization rate: points on the diagonal mean the probabilities can be taken at face value.",
    "threshold_sweep": "Test PR-AUC as the recitation threshold moves: a peak says where duplication starts to mean recitation.",
    "detection": "ROC-AUC of each score alone per category: which single column finds memorized rows.",
}
NOT_METRICS = {"sequence_id", "checkpoint", "memorization_score", "num_repeating", "repeating_offset"}


def split_dataset(run_dir: Path):
    """All split Parquet files of a run (<dataset>/<split>/*.parquet, nothing under `_` directories)."""
    files = [p for p in run_dir.glob("*/*/*.parquet") if not p.parts[-3].startswith("_")]
    if not files:
        raise DataSourceError(f"{run_dir} holds no split output (<dataset>/<split>/*.parquet); is it a run directory?")
    return pads.dataset([str(p) for p in files], format="parquet")


def load_columns(dataset, wanted: list[str]) -> pd.DataFrame:
    """The wanted columns that exist, from every split's Parquet files (identity columns always)."""
    present = [c for c in dict.fromkeys(["dataset", "split", "scheme", "model", "checkpoint", *wanted]) if c in dataset.schema.names]
    return dataset.to_table(columns=present).to_pandas()


def split_order(frame: pd.DataFrame) -> list[str]:
    """Splits by dataset, scheme, model size, then checkpoint step (scale and time)."""
    keys = frame[["dataset", "split", "scheme", "model", "checkpoint"]].drop_duplicates(["dataset", "split"])
    size = {m: i for i, m in enumerate(MODEL_SIZES)}
    keys = keys.assign(size=keys["model"].map(size).fillna(len(size)), label=keys["dataset"] + "/" + keys["split"])
    return keys.sort_values(["dataset", "scheme", "size", "checkpoint"])["label"].tolist()


def analysis_section(page: Sections, run_dir: Path) -> None:
    """The predictive model's tables and figures when `calculate_metrics.py analyze` has written RUN_DIR/_analysis."""
    from utils.analysis.figures import read_table

    analysis = run_dir / "_analysis"
    performance = read_table(analysis, "performance")
    if performance.empty:
        return
    test = performance[performance["part"] == "test"]
    page.open("analysis", "Predictive model of memorization", "From calculate_metrics.py analyze: the fits on the Pile control splits.")
    page.add(
        "<h3>Performance on the test rows</h3>"
        + html_table(
            test, ["split", "group", "model", "category", "rows", "positives", "roc_auc", "pr_auc", "ece", "status", "estimator", "notes"]
        )
    )
    lrt = read_table(analysis, "lrt")
    if not lrt.empty:
        page.add(
            "<h3>Likelihood-ratio test, taxonomic vs baseline (in-sample, train fits)</h3>"
            + html_table(
                lrt, ["split", "group", "statistic", "degrees_of_freedom", "p_value", "log10_p", "heldout_gain_per_row", "status", "notes"]
            )
        )
    detection = read_table(analysis, "detection")
    if not detection.empty:
        best = detection[detection["group"] == "all"].sort_values(["split", "category", "roc_auc"], ascending=[True, True, False])
        page.add(
            "<h3>Which single score detects memorization (all rows)</h3>"
            + html_table(best, ["split", "category", "score", "direction", "rows", "roc_auc", "tpr_at_1pct_fpr", "tpr_at_0_1pct_fpr"])
        )
    for figure in sorted(p for p in (analysis / "figures").glob("*.png") if not is_scale_figure(p.name) and not is_probe_figure(p.name)):
        kind = next((kind for kind in ANALYSIS_CAPTIONS if figure.stem.startswith(kind)), "")
        page.add(figure_html(f"../_analysis/figures/{figure.name}", figure.stem.replace("_", " "), ANALYSIS_CAPTIONS.get(kind, "")))


def taxonomy_section(page: Sections, frame: pd.DataFrame, numeric: list[str], order: list[str]) -> None:
    """Category shares per split, then each metric's distribution per category, one section per metric family."""
    import matplotlib.pyplot as plt

    if "taxonomy" not in frame:
        page.skip("category shares and per-category distributions (no taxonomy column: run the taxonomy filter)")
        return
    page.open("taxonomy", "Taxonomy: recitation, reconstruction, recollection")
    shares = frame.groupby("label")["taxonomy"].value_counts(normalize=True).unstack(fill_value=0).reindex(order)
    figure, axis = plt.subplots(figsize=(max(6, 0.6 * len(order)), 4))
    bottom = np.zeros(len(shares))
    for category in CATEGORIES:
        values = shares[category].to_numpy() if category in shares else np.zeros(len(shares))
        axis.bar(range(len(shares)), values, bottom=bottom, color=COLOURS[category], label=category)
        bottom += values
    axis.set_xticks(range(len(shares)), shares.index, rotation=60, ha="right", fontsize=8)
    axis.set_ylabel("share of rows")
    axis.legend(fontsize=8)
    page.figure(
        figure,
        "taxonomy_shares.png",
        "Category shares per split (by dataset, scheme, model size, checkpoint)",
        "Memorized splits against the Pile control: a category larger among memorized rows is the kind of memorization the model favours.",
    )
    for anchor, title, intro in FAMILIES:
        members = [c for c in numeric if family_of(c) == anchor]
        if not members:
            continue
        page.open(anchor, title, intro)
        for column in members:
            distribution_figure(page, plt, frame, column)


def family_of(column: str) -> str:
    return "corpus-statistics" if column in CORPUS_STATISTICS else "likelihood" if column in LIKELIHOOD else "text-metrics"


def distribution_figure(page: Sections, plt, frame: pd.DataFrame, column: str) -> None:
    """One metric's distribution per category (log bins for heavy-tailed positive metrics)."""
    values = frame[[column, "taxonomy"]].dropna()
    if values.empty:
        return
    figure, axis = plt.subplots(figsize=(6, 3.5))
    data = values[column].astype(float)
    log = column in HEAVY_TAILED and (data > 0).all()
    bins = np.geomspace(data.min(), data.max(), 40) if log and data.max() > data.min() else 40
    for category in CATEGORIES:
        part = data[values["taxonomy"] == category]
        if len(part):
            axis.hist(part, bins=bins, alpha=0.5, density=True, color=COLOURS[category], label=f"{category} ({len(part)})")
    if log:
        axis.set_xscale("log")
    axis.set_xlabel(column)
    axis.legend(fontsize=7)
    caption = "Where the categories' histograms separate, this metric tells them apart."
    page.figure(figure, f"distribution_{column}.png", f"{column} by category", caption)


def pile_rate_section(page: Sections, frame: pd.DataFrame, numeric: list[str]) -> None:
    """In the Pile control splits: the memorization rate by decile of each metric, and its Spearman correlation."""
    import matplotlib.pyplot as plt

    pile = frame[frame["dataset"] == "pile"] if "memorization_score" in frame else frame.iloc[0:0]
    if not len(pile):
        page.skip("memorization rate and correlations (no pile splits with memorization_score)")
        return
    page.open("pile-control", "Pile control: memorization rate by metric", "The non-memorized control group, per decile of each metric.")
    memorized = (pile["memorization_score"] == 1.0).astype(float)
    rows = []
    for column in numeric:
        values = pile[column].astype(float)
        keep = values.notna()
        if keep.sum() < 10 or values[keep].nunique() < 2:
            continue
        rows.append((column, values[keep].rank().corr(pile.loc[keep, "memorization_score"].rank())))  # Spearman: Pearson of ranks
        bins = pd.qcut(values[keep], 10, duplicates="drop")
        rate = memorized[keep].groupby(bins, observed=True).mean()
        figure, axis = plt.subplots(figsize=(6, 3.2))
        axis.plot([interval.mid for interval in rate.index], rate.to_numpy(), marker="o")
        if column in HEAVY_TAILED and (values[keep] > 0).all():
            axis.set_xscale("log")
        axis.set_xlabel(f"{column} (decile bins)")
        axis.set_ylabel("memorization rate")
        caption = "A line that climbs (or falls) across deciles: the metric predicts memorization in the control group."
        page.figure(figure, f"rate_{column}.png", f"Pile: memorization rate by {column}", caption)
    table = "".join(
        f"<tr><td>{html.escape(c)}</td><td>{r:+.3f}</td></tr>" for c, r in sorted(rows, key=lambda x: -abs(x[1]) if x[1] == x[1] else 0)
    )
    page.add(f"<h3>Pile: Spearman correlation with memorization_score</h3><table><tr><th>metric</th><th>rho</th></tr>{table}</table>")


def manifest_section(page: Sections, run_dir: Path) -> None:
    """Rows, flagged rows and seconds per split, from the run's manifest."""
    manifest_path = run_dir / "_manifest.json"
    if not manifest_path.is_file():
        page.skip("row counts and timings (no _manifest.json)")
        return
    manifest = json.loads(manifest_path.read_text())
    lines = []
    for label, entry in manifest.get("splits", {}).items():
        flagged = sum((entry.get("flagged_rows") or {}).values())
        seconds = sum((entry.get("seconds") or {}).values())
        lines.append(
            f"<tr><td>{html.escape(label)}</td><td>{entry.get('input_rows')}</td><td>{entry.get('output_rows')}</td><td>{flagged}</td><td>{seconds:.1f}</td></tr>"
        )
    page.open("run", "The run: rows, flagged rows and timings")
    page.add(
        "<table><tr><th>split</th><th>input rows</th><th>output rows</th>"
        f"<th>flagged</th><th>seconds</th></tr>{''.join(lines)}</table><p>run {html.escape(str(manifest.get('run_id')))}, "
        f"status {html.escape(str(manifest.get('status')))}, {manifest.get('seconds')} s</p>"
    )


def build_report(run_dir: str | Path) -> Path:
    """Write RUN_DIR/_report/index.html (figures, tables, CSVs) from the run's Parquet output; returns the page's path."""
    import matplotlib

    matplotlib.use("Agg")

    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise DataSourceError(f"Run directory {run_dir} not found (give the directory a run wrote, e.g. outputs/RUN_ID).")
    out = run_dir / "_report"  # pandas, pyarrow and Spark skip `_` paths, so the run still loads as one table
    out.mkdir(exist_ok=True)
    dataset = split_dataset(run_dir)
    schema_names = dataset.schema.names
    numeric = [
        c
        for c in schema_names
        if c not in NOT_METRICS and c not in ("dataset", "split", "scheme", "model", "invalid_reason", "taxonomy", "text", "tokens")
    ]
    frame = load_columns(dataset, ["taxonomy", "memorization_score", *numeric])
    frame["label"] = frame["dataset"] + "/" + frame["split"]
    numeric = [c for c in numeric if c in frame and (pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c]))]
    page = Sections(out)

    order = split_order(frame)
    taxonomy_section(page, frame, numeric, order)
    pile_rate_section(page, frame, numeric)
    page.open("extraction", "Extraction risk")
    extraction_section(page, frame, dataset, order)
    page.drop_if_empty()
    page.open("sensitive-content", "Sensitive content")
    sensitive_section(page, dataset)
    page.drop_if_empty()
    analysis_section(page, run_dir)
    scale_section(page, run_dir)
    probe_section(page, run_dir)
    manifest_section(page, run_dir)
    notes = "".join(f"<li>{html.escape(s)}</li>" for s in page.skipped)
    document = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Run report {html.escape(run_dir.name)}</title>"
        "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}td,th{padding:2px 8px;text-align:right}"
        ".caption{color:#555;font-style:italic}</style></head><body>"
        f"<h1>Run {html.escape(run_dir.name)}</h1>"
        + run_summary(frame, order, run_dir)
        + page.table_of_contents()
        + (f"<h2>Skipped</h2><ul>{notes}</ul>" if page.skipped else "")
        + "\n".join(page.parts)
        + "</body></html>"
    )
    (out / "index.html").write_text(document, encoding="utf-8")
    (out / "skipped.json").write_text(json.dumps(page.skipped, indent=1))
    return out / "index.html"
