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

from filters.taxonomy import CATEGORIES
from utils.data.splits import MODEL_SIZES
from utils.pipeline.errors import DataSourceError
from utils.reporting.extraction import discoverability_table, prefix_curves, table_html
from utils.reporting.sensitive import by_category, memorized_vs_base_rate, rates_html

COLOURS = {"recitation": "#d95f02", "reconstruction": "#7570b3", "recollection": "#1b9e77"}
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


def analysis_sections(run_dir: Path) -> list[str]:
    """The predictive model's tables and figures when `calculate_metrics.py analyze` has written RUN_DIR/_analysis."""
    analysis = run_dir / "_analysis"
    if not (analysis / "performance.json").is_file():
        return []
    performance = pd.read_json(analysis / "performance.json", orient="records")
    test = performance[performance["part"] == "test"]
    rows = "".join(
        f"<tr><td>{html.escape(r.split)}</td><td>{html.escape(r.group)}</td><td>{html.escape(r.model)}</td><td>{html.escape(r.category)}</td>"
        f"<td>{r.rows}</td><td>{r.positives}</td><td>{r.roc_auc:.3f}</td><td>{r.pr_auc:.3f}</td><td>{r.ece:.3f}</td>"
        f"<td>{html.escape(str(r.notes or ''))}</td></tr>"
        for r in test.itertuples()
    )
    sections = [
        "<h2>Predictive model of memorization (test rows)</h2><table><tr><th>split</th><th>group</th><th>model</th><th>category</th>"
        f"<th>rows</th><th>memorized</th><th>ROC-AUC</th><th>PR-AUC</th><th>ECE</th><th>notes</th></tr>{rows}</table>"
    ]
    if (analysis / "lrt.json").is_file():
        lrt = pd.read_json(analysis / "lrt.json", orient="records")
        rows = "".join(
            f"<tr><td>{html.escape(r.split)}</td><td>{html.escape(r.group)}</td><td>{r.statistic:.2f}</td>"
            f"<td>{r.degrees_of_freedom}</td><td>{r.p_value:.3g}</td></tr>"
            for r in lrt.itertuples()
        )
        sections.append(
            "<h2>Likelihood-ratio test, taxonomic vs baseline (test rows)</h2><table><tr><th>split</th><th>group</th>"
            f"<th>statistic</th><th>df</th><th>p-value</th></tr>{rows}</table>"
        )
    for figure in sorted((analysis / "figures").glob("*.png")):
        title = html.escape(figure.stem.replace("_", " "))
        sections.append(f'<h2>{title}</h2>\n<img src="../_analysis/figures/{figure.name}" alt="{title}">')
    return sections


def build_report(run_dir: str | Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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
    sections: list[str] = []
    skipped: list[str] = []

    def save(figure, name: str, title: str) -> None:
        figure.tight_layout()
        figure.savefig(out / name, dpi=90)
        plt.close(figure)
        sections.append(f'<h2>{html.escape(title)}</h2>\n<img src="{name}" alt="{html.escape(title)}">')

    order = split_order(frame)
    if "taxonomy" in frame:
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
        save(figure, "taxonomy_shares.png", "Category shares per split (by dataset, scheme, model size, checkpoint)")
        for column in numeric:
            values = frame[[column, "taxonomy"]].dropna()
            if values.empty:
                continue
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
            save(figure, f"distribution_{column}.png", f"{column} by category")
    else:
        skipped.append("category shares and per-category distributions (no taxonomy column: run the taxonomy filter)")

    pile = frame[frame["dataset"] == "pile"] if "memorization_score" in frame else frame.iloc[0:0]
    if len(pile):
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
            save(figure, f"rate_{column}.png", f"Pile: memorization rate by {column}")
        table = "".join(
            f"<tr><td>{html.escape(c)}</td><td>{r:+.3f}</td></tr>" for c, r in sorted(rows, key=lambda x: -abs(x[1]) if x[1] == x[1] else 0)
        )
        sections.append(
            f"<h2>Pile: Spearman correlation with memorization_score</h2><table><tr><th>metric</th><th>rho</th></tr>{table}</table>"
        )
    else:
        skipped.append("memorization rate and correlations (no pile splits with memorization_score)")

    if "continuation_log_prob" in frame:
        table = discoverability_table(frame, order)
        table.to_csv(out / "extraction_discoverability.csv", index=False)
        sections.append(
            "<h2>Extraction risk: share of rows (n, 0.5)-discoverable by n samples (Hayes et al. 2024), beside greedy</h2>"
            "<p>A row is (n, 0.5)-discoverable when n samples from the prompt reproduce its 32-token continuation with "
            "probability at least 0.5; the sampler is the run's extraction settings (manifest). log10 P: quantiles of "
            "the probability that one sample reproduces it. Table: extraction_discoverability.csv.</p>" + table_html(table)
        )
        scored = frame[frame["continuation_log_prob"].notna()]
        for dataset_name in sorted(scored["dataset"].unique()):
            part = scored[scored["dataset"] == dataset_name]
            log10_p = part["continuation_log_prob"].to_numpy(np.float64) / np.log(10.0)
            finite = np.isfinite(log10_p)
            if not finite.any():
                continue
            low, high = np.floor(log10_p[finite].min()), 0.0
            bins = np.linspace(low, high, 50) if high > low else 50
            figure, axis = plt.subplots(figsize=(6, 3.5))
            for category in CATEGORIES if "taxonomy" in part else ():
                chosen = finite & (part["taxonomy"] == category).to_numpy()
                if chosen.any():
                    axis.hist(
                        log10_p[chosen], bins=bins, alpha=0.5, density=True, color=COLOURS[category], label=f"{category} ({chosen.sum()})"
                    )
            if "taxonomy" not in part:
                axis.hist(log10_p[finite], bins=bins, density=True)
            axis.set_yscale("log")
            axis.set_xlabel("log10 P(one sample reproduces the continuation)")
            if "taxonomy" in part:
                axis.legend(fontsize=7)
            save(figure, f"extraction_log_prob_{dataset_name}.png", f"{dataset_name}: continuation log-probability by category (log scale)")
        if "token_log_probs" in schema_names:
            curves = prefix_curves(dataset, order)
            curves.to_csv(out / "extraction_prefix_curves.csv", index=False)
            for label in [label for label in order if label in set(curves["split"])]:
                figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2))
                for category, curve in curves[curves["split"] == label].groupby("category"):
                    colour = COLOURS.get(category, "black")
                    left.plot(curve["prefix_tokens"], curve["mean_log10_p"], color=colour, label=category)
                    right.plot(curve["prefix_tokens"], curve["share_p_at_least_half"], color=colour, label=category)
                left.set_xlabel("first j continuation tokens")
                left.set_ylabel("mean log10 P")
                right.set_xlabel("first j continuation tokens")
                right.set_ylabel("share with P >= 0.5")
                right.legend(fontsize=7)
                save(
                    figure,
                    f"extraction_prefix_{label.replace('/', '_')}.png",
                    f"{label}: probability of reproducing the first j tokens (Li et al. 2025)",
                )
        else:
            skipped.append("memorization by length (no token_log_probs: run likelihood_with_token_log_probs)")
    else:
        skipped.append("extraction risk (no continuation_log_prob: run the likelihood filter)")

    if "sensitive_kinds" in schema_names:
        rates = memorized_vs_base_rate(dataset)
        categories = by_category(dataset)
        rates.to_csv(out / "sensitive_content_rates.csv", index=False)
        categories.to_csv(out / "sensitive_content_by_category.csv", index=False)
        if not rates.empty:
            sections.append(
                "<h2>Sensitive content: memorized rows vs the Pile base rate of the same scheme</h2><p>Share of rows "
                "whose text holds each kind (sensitive_content filter); ratio above 1: memorized more often than the "
                "control sample holds it. Tables: sensitive_content_rates.csv, sensitive_content_by_category.csv.</p>" + rates_html(rates)
            )
            shown = rates[rates["kind"] == "any"]
            figure, axis = plt.subplots(figsize=(max(6, 0.7 * len(shown)), 3.5))
            labels = (shown["scheme"] + "." + shown["model"]).tolist()
            positions = np.arange(len(shown))
            axis.bar(positions - 0.2, shown["memorized_share"], width=0.4, label="memorized")
            axis.bar(positions + 0.2, shown["pile_share"].fillna(0), width=0.4, label="Pile (same scheme)")
            axis.set_xticks(positions, labels, rotation=60, ha="right", fontsize=8)
            axis.set_ylabel("share of rows with any kind")
            axis.legend(fontsize=8)
            save(figure, "sensitive_content_rates.png", "Rows holding personal data or secrets: memorized vs Pile")
        if not categories.empty:
            table = categories[categories["kind"] == "any"]
            body = "".join(
                f"<tr><td>{html.escape(str(r.dataset))}</td><td>{html.escape(str(r.scheme))}</td><td>{html.escape(str(r.taxonomy))}</td>"
                f"<td>{r.rows:,}</td><td>{100 * r.share:.3f} %</td></tr>"
                for r in table.itertuples()
            )
            sections.append(
                "<h2>Sensitive content per taxonomy category (any kind)</h2><table><tr><th>dataset</th><th>scheme</th>"
                f"<th>category</th><th>rows</th><th>with any kind</th></tr>{body}</table>"
            )
    else:
        skipped.append("sensitive content rates (no sensitive_kinds: run the sensitive_content filter)")

    sections += analysis_sections(run_dir)
    manifest_path = run_dir / "_manifest.json"
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text())
        lines = []
        for label, entry in manifest.get("splits", {}).items():
            flagged = sum((entry.get("flagged_rows") or {}).values())
            seconds = sum((entry.get("seconds") or {}).values())
            lines.append(
                f"<tr><td>{html.escape(label)}</td><td>{entry.get('input_rows')}</td><td>{entry.get('output_rows')}</td><td>{flagged}</td><td>{seconds:.1f}</td></tr>"
            )
        sections.append(
            "<h2>Rows, flagged rows and timings (manifest)</h2><table><tr><th>split</th><th>input rows</th><th>output rows</th>"
            f"<th>flagged</th><th>seconds</th></tr>{''.join(lines)}</table><p>run {html.escape(str(manifest.get('run_id')))}, "
            f"status {html.escape(str(manifest.get('status')))}, {manifest.get('seconds')} s</p>"
        )
    else:
        skipped.append("row counts and timings (no _manifest.json)")
    notes = "".join(f"<li>{html.escape(s)}</li>" for s in skipped)
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Run report {html.escape(run_dir.name)}</title>"
        "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}td,th{padding:2px 8px;text-align:right}</style></head><body>"
        f"<h1>Run {html.escape(run_dir.name)}</h1><p>{len(frame)} rows in {len(order)} split(s).</p>"
        + (f"<h2>Skipped</h2><ul>{notes}</ul>" if skipped else "")
        + "\n".join(sections)
        + "</body></html>"
    )
    (out / "index.html").write_text(page, encoding="utf-8")
    (out / "skipped.json").write_text(json.dumps(skipped, indent=1))
    return out / "index.html"
