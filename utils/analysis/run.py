"""`calculate_metrics.py analyze RUN_DIR`: the predictive model of memorization on one or more splits of a run, written
to RUN_DIR/_analysis/ as tables (Parquet and JSON) and, for a local run directory, figures (docs/METRICS.md,
'Predictive model of memorization'). `_`-prefixed, so `pd.read_parquet(RUN_DIR)` still loads only the run."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pandas as pd

from utils.analysis.data import FEATURES, load_table, nl_group_column
from utils.analysis.models import correlation_rows, fit_group
from utils.pipeline.errors import DataSourceError

log = logging.getLogger(__name__)
ANALYSIS_DIR = "_analysis"
SWEEP_THRESHOLDS = (2, 4, 6, 10, 20, 50)
TABLES = ("performance", "coefficients", "lrt", "correlations", "calibration", "curves", "threshold_sweep")


def run_settings(run_dir: str, storage) -> dict:
    """The run's recitation threshold and semantic thresholds from its manifest (defaults when it has none)."""
    manifest = storage.read_json(f"{run_dir}/_manifest.json") if storage.exists(f"{run_dir}/_manifest.json") else {}
    config = manifest.get("config", {})
    return {
        "recitation_threshold": int(config.get("taxonomy", {}).get("recitation_threshold", 6)),
        "semantic_thresholds": [float(t) for t in config.get("semantic", {}).get("thresholds", [0.8, 0.9])],
        "splits": list(manifest.get("splits", {})),
    }


def choose_splits(run_dir: str, storage, wanted: list[str] | None, from_manifest: list[str]) -> list[str]:
    """The named splits (dataset/split), or every Pile split of the run: the control group, whose rows are mostly not memorized."""
    if wanted:
        for label in wanted:
            if not storage.exists(f"{run_dir}/{label}"):
                raise DataSourceError(f"{run_dir} has no split {label} (splits: {', '.join(from_manifest) or 'none in its manifest'}).")
        return wanted
    pile = [label for label in from_manifest if label.startswith("pile/")]
    if not pile:
        raise DataSourceError(
            f"{run_dir} has no Pile split (the control group): give --split, e.g. --split pile/deduped.12b; memorized-evals "
            "splits alone cannot be analyzed, every row there is memorized."
        )
    return pile


def analyze_split(spark, split_path: str, label: str, features: list[str], seed: int, settings: dict, sweep: list[int]) -> dict:
    """Every table of one split: the baseline and taxonomic model on all rows (and on natural language and code when
    nl_score exists), the correlations, and the threshold sweep."""
    from pyspark.sql import functions as F

    started = time.time()
    table = load_table(spark, split_path, features, settings["semantic_thresholds"], seed)
    counts = table.frame.agg(F.count(F.lit(1)).alias("rows"), F.sum("label").alias("positives")).first()
    rows, positives = int(counts["rows"]), int(counts["positives"] or 0)
    if positives in (0, rows):
        table.frame.unpersist()
        raise DataSourceError(
            f"Split {label}: memorization_score is {'1' if positives else 'below 1'} for all {rows} analyzable rows; the model "
            "needs memorized and non-memorized rows (a Pile split is the control group)."
        )
    threshold = settings["recitation_threshold"] if table.has_taxonomy_inputs else None
    tables: dict[str, list[dict]] = {name: [] for name in TABLES}
    groups = [("all", table.frame)]
    if table.has_nl_score:
        grouped = table.frame.withColumn("nl_group", nl_group_column())
        groups += [(name, grouped.filter(F.col("nl_group") == name).drop("nl_group")) for name in ("natural_language", "code")]
    for group, frame in groups:
        keys = {"split": label, "group": group}
        result = fit_group(frame, table.features, keys, threshold, sweep if group == "all" else [])
        for name, entries in result.items():
            tables[name] += entries
        tables["correlations"] += correlation_rows(frame, table.features, keys, threshold)
    table.frame.unpersist()
    summary = {
        "rows": table.rows,
        "analyzed_rows": rows,
        "memorized_rows": positives,
        "rows_with_null_inputs": table.rows_with_nulls,
        "features": table.features,
        "missing_features": table.missing,
        "train_means": table.means,
        "train_standard_deviations": table.deviations,
        "recitation_threshold": threshold,
        "taxonomic_model": "fitted" if threshold is not None else "skipped: no sequence_duplicates and is_templating columns",
        "nl_groups": "natural_language (nl_score > 0.525), code (< 0.4)" if table.has_nl_score else "skipped: no nl_score column",
        "seconds": round(time.time() - started, 2),
    }
    return {"tables": tables, "summary": summary}


def analyze(spark, storage, run_dir: str, splits: list[str] | None, features: list[str] | None, seed: int, sweep=SWEEP_THRESHOLDS) -> str:
    """Analyzes the splits and writes RUN_DIR/_analysis; returns that directory."""
    if not storage.exists(run_dir):
        raise DataSourceError(f"Run directory {run_dir} not found (give the directory a run wrote, e.g. outputs/RUN_ID).")
    settings = run_settings(run_dir, storage)
    chosen = choose_splits(run_dir, storage, splits, settings["splits"])
    wanted = list(features or FEATURES)
    results, skipped = {}, {}
    for label in chosen:
        try:
            results[label] = analyze_split(spark, f"{run_dir}/{label}", label, wanted, seed, settings, list(sweep))
        except DataSourceError as error:
            if splits:  # a split the user named: its problem is the answer
                raise
            skipped[label] = str(error)
            log.warning("%s", error)
    if not results:
        raise DataSourceError("No split could be analyzed: " + "; ".join(skipped.values()))
    out = f"{run_dir}/{ANALYSIS_DIR}"
    storage.delete(out)
    storage.mkdirs(out)
    for name in TABLES:
        frame = pd.DataFrame([row for result in results.values() for row in result["tables"][name]])
        if frame.empty:
            continue
        storage.write_text(f"{out}/{name}.json", frame.to_json(orient="records", indent=1))
        write_parquet(spark, frame, f"{out}/{name}.parquet")
    summary = {"seed": seed, "splits": {label: r["summary"] for label, r in results.items()}, "skipped_splits": skipped}
    storage.write_json(f"{out}/summary.json", summary)
    local = Path(run_dir.removeprefix("file:"))
    if local.is_dir():
        from utils.analysis.figures import draw_figures

        draw_figures(local / ANALYSIS_DIR)
    return out


def write_parquet(spark, frame: pd.DataFrame, path: str) -> None:
    """A small table as one Parquet file under `path` (a directory, as Spark writes; any Hadoop file system)."""
    spark.createDataFrame(frame).coalesce(1).write.mode("overwrite").parquet(path)
