"""`calculate_metrics.py analyze RUN_DIR`: the predictive model of memorization on one or more splits of a run, written
to RUN_DIR/_analysis/ as tables (Parquet and CSV, full precision) and, for a local run directory, figures
(docs/METRICS.md, 'Predictive model of memorization'). `_`-prefixed, so `pd.read_parquet(RUN_DIR)` still loads only
the run.

A split's rows go to the driver when they fit `driver_budget` bytes (one Spark job reads them), else stay cached on
the cluster (one Spark job per Newton iteration of all fits together, and one for every metric); the same code
computes on either (utils/analysis/blocks.py)."""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pandas as pd

from utils.analysis.blocks import DriverBlocks, SparkBlocks, numpy_block
from utils.analysis.data import DETECTION_SCORES, FEATURES, load_rows
from utils.analysis.design import Design, fit_specs, standardized, train_cuts
from utils.analysis.evaluation import evaluate
from utils.analysis.fitting import fit_all
from utils.analysis.pile_control import pile_control_tables
from utils.analysis.predictability import predictability_tables, scale_splits
from utils.analysis.probes import probe_tables
from utils.analysis.tables import TABLES, split_tables
from utils.core.errors import ConfigError, DataSourceError

log = logging.getLogger(__name__)
ANALYSIS_DIR = "_analysis"
SWEEP_THRESHOLDS = (2, 4, 6, 10, 20, 50)
ENGINES = ("auto", "driver", "cluster")
DRIVER_BUDGET = 2 << 30  # bytes of analysis columns a split may bring to the driver (8 per value)


class LocalFiles:
    """The two reads `analyze` makes before Spark starts, on a local run directory."""

    def exists(self, path: str) -> bool:
        return Path(path.removeprefix("file:")).exists()

    def read_json(self, path: str):
        return json.loads(Path(path.removeprefix("file:")).read_text())


def is_local(path: str) -> bool:
    return "://" not in path or path.startswith("file:")


def run_settings(run_dir: str, files) -> dict:
    """The run's recitation threshold, semantic thresholds and splits from its manifest (defaults when it has none)."""
    manifest = files.read_json(f"{run_dir}/_manifest.json") if files.exists(f"{run_dir}/_manifest.json") else {}
    config = manifest.get("config", {})
    return {
        "recitation_threshold": int(config.get("taxonomy", {}).get("recitation_threshold", 6)),
        "semantic_thresholds": [float(t) for t in config.get("semantic", {}).get("thresholds", [0.8, 0.9])],
        "splits": list(manifest.get("splits", {})),
        "columns": [entry.split(":")[0] for entry in manifest.get("output_schema", [])],
    }


def choose_splits(run_dir: str, files, wanted: list[str] | None) -> tuple[list[str], dict]:
    """(the named splits (dataset/split) or every Pile split of the run: the control group, the run's settings)."""
    if not files.exists(run_dir):
        raise DataSourceError(f"Run directory {run_dir} not found (give the directory a run wrote, e.g. outputs/RUN_ID).")
    settings = run_settings(run_dir, files)
    if wanted:
        for label in wanted:
            if not files.exists(f"{run_dir}/{label}"):
                listed = ", ".join(settings["splits"]) or "none in its manifest"
                raise DataSourceError(f"{run_dir} has no split {label} (splits: {listed}).")
        return wanted, settings
    pile = [label for label in settings["splits"] if label.startswith("pile/")]
    if not pile and has_scale_comparison(settings["splits"]):
        return [], settings  # only the comparisons across scale and time apply
    if not pile:
        raise DataSourceError(
            f"{run_dir} has no Pile split (the control group): give --split, e.g. --split pile/deduped.12b; memorized-evals "
            "splits alone cannot be fitted, every row there is memorized (two of one scheme are compared across scale and time)."
        )
    return pile, settings


def has_scale_comparison(labels: list[str]) -> bool:
    """Whether the run holds two memorized-evals splits of one scheme to compare across scale or time."""
    by_scheme, _ = scale_splits(labels)
    return any(len(splits) > 1 for splits in by_scheme.values())


def spark_jobs(spark) -> int:
    """Jobs this application has started so far."""
    return len(spark.sparkContext.statusTracker().getJobIdsForGroup(None))


def analyze_split(
    spark,
    split_path: str,
    label: str,
    features: list[str],
    seed: int,
    settings: dict,
    sweep: list[int],
    engine: str = "auto",
    driver_budget: int = DRIVER_BUDGET,
) -> dict:
    """Every table of one split: the baseline and taxonomic model on all rows (and on natural language and code when
    nl_score exists), the threshold sweep, correlations and detection scores."""
    if engine not in ENGINES:
        raise ConfigError(f"engine {engine!r}: one of {', '.join(ENGINES)}")
    started, jobs = time.time(), spark_jobs(spark)
    rows = load_rows(spark, split_path, label, features, settings["semantic_thresholds"], seed)
    if rows.positives in (0, rows.complete_rows):
        raise DataSourceError(
            f"split {label}: memorization_score is {'1' if rows.positives else 'below 1'} for all {rows.complete_rows} analyzable "
            "rows; the model needs memorized and non-memorized rows (a Pile split is the control group)"
        )
    size = rows.complete_rows * (len(rows.columns) + 2) * 8
    if engine == "driver" or (engine == "auto" and size <= driver_budget):
        spark.sparkContext.setJobDescription(f"analyze {label}: rows to the driver")
        blocks = DriverBlocks(numpy_block(rows.frame.toArrow()))
    else:
        blocks = SparkBlocks(rows.frame, rows.complete_rows)
    try:
        tables, summary = fit_and_measure(blocks, rows, label, settings, sweep)
    finally:
        if isinstance(blocks, SparkBlocks):
            blocks.release()
    summary.update(engine=blocks.engine, spark_jobs=spark_jobs(spark) - jobs, seconds=round(time.time() - started, 2))
    return {"tables": tables, "summary": summary}


def fit_and_measure(blocks, rows, label: str, settings: dict, sweep: list[int]) -> tuple[dict, dict]:
    """The fits, the value summaries and the tables of one split's rows, wherever they are held."""
    design = Design(features=tuple(rows.features), taxonomy=rows.has_taxonomy_inputs, nl=rows.has_nl_score)
    threshold = settings["recitation_threshold"] if rows.has_taxonomy_inputs else None
    thresholds = tuple(sorted({threshold, *sweep})) if threshold is not None else ()
    cuts, category_rows = train_cuts(blocks, design, thresholds, label)
    design = standardized(blocks, replace(design, cuts=cuts), label)
    fits = fit_all(blocks, design, fit_specs(design, threshold, sweep), label)
    columns = {name: DETECTION_SCORES.get(name) for name in [*rows.features, *rows.scores]}
    summaries = evaluate(blocks, design, fits, threshold, sweep, columns, label)
    scores = {name: DETECTION_SCORES[name] for name in rows.scores}
    tables = split_tables(label, fits, summaries, threshold, sweep, category_rows, rows.features, scores, design.groups)
    summary = {
        "rows": rows.rows,
        "analyzed_rows": rows.complete_rows,
        "memorized_rows": rows.positives,
        "rows_with_null_inputs": rows.rows - rows.complete_rows,
        "features": rows.features,
        "missing_features": rows.missing,
        "detection_scores": rows.scores,
        "train_means": dict(zip(design.continuous, design.means)),
        "train_standard_deviations": dict(zip(design.continuous, design.scales)),
        "recitation_threshold": threshold,
        "taxonomic_model": "fitted" if threshold is not None else "skipped: no sequence_duplicates and is_templating columns",
        "nl_groups": "natural_language (nl_score > 0.525), code (< 0.4)" if rows.has_nl_score else "skipped: no nl_score column",
        "fits": len(fits),
        "separated_fits": [
            f"{fit.spec.group}/{fit.spec.model}/{fit.spec.category or 'all'}@{fit.spec.threshold}"
            for fit in fits
            if fit.status == "separated"
        ],
    }
    return tables, summary


def analyze(
    spark,
    storage,
    run_dir: str,
    splits: list[str] | None,
    features: list[str] | None,
    seed: int,
    sweep=SWEEP_THRESHOLDS,
    engine: str = "auto",
    driver_budget: int = DRIVER_BUDGET,
    progress: Callable[[str], None] = log.info,
) -> dict:
    """Analyzes the splits and writes RUN_DIR/_analysis; returns {directory, analyzed, skipped}."""
    chosen, settings = choose_splits(run_dir, storage, splits)
    wanted = list(features or FEATURES)
    results, skipped = {}, {}
    for label in chosen:
        try:
            result = analyze_split(spark, f"{run_dir}/{label}", label, wanted, seed, settings, list(sweep), engine, driver_budget)
        except DataSourceError as error:
            if splits:  # a split the user named: its problem is the answer
                raise
            skipped[label] = str(error)
            progress(f"{label}: skipped ({error})")
            continue
        results[label] = result
        progress(progress_line(label, result["summary"]))
    scale, scale_summary = {}, {"note": "not asked for: --split names the splits"}
    control, control_summary = {}, scale_summary
    probes, probe_summary = {}, scale_summary
    if not splits:
        scale, scale_summary = predictability_tables(spark, run_dir, settings["splits"])
        control, control_summary = pile_control_tables(spark, run_dir, settings["splits"])
        probes, probe_summary = probe_tables(spark, run_dir, settings["splits"], settings["columns"], seed)
    if scale:
        progress(f"scale and time: {len(scale['predictability'])} predictor/target pair(s) in {', '.join(scale_summary['compared'])}")
    if control:
        progress(f"Pile control: {len(control['pile_memorization'])} size(s), {len(control['pile_agreement'])} pair(s) compared")
    if probes:
        progress(f"probes: {len(probes['probes'])} probe(s) of hidden states in {', '.join(probe_summary['splits'])}")
    if not results and not scale:
        raise DataSourceError("No split could be analyzed:\n" + "\n".join(f"  {label}: {why}" for label, why in skipped.items()))
    out = f"{run_dir}/{ANALYSIS_DIR}"
    storage.delete(out)
    storage.mkdirs(out)
    for name in TABLES:
        frame = pd.DataFrame([row for result in results.values() for row in result["tables"][name]])
        if not frame.empty:
            write_table(storage, frame, f"{out}/{name}")
    for name, rows in {**scale, **control, **probes}.items():
        if rows:
            write_table(storage, pd.DataFrame(rows), f"{out}/{name}")
    summary = {
        "seed": seed,
        "splits": {label: r["summary"] for label, r in results.items()},
        "skipped_splits": skipped,
        "scale_and_time": scale_summary,
        "pile_control": control_summary,
        "probes": probe_summary,
    }
    storage.write_json(f"{out}/summary.json", summary)
    local = Path(run_dir.removeprefix("file:"))
    if local.is_dir():
        from utils.analysis.figures import draw_figures

        draw_figures(local / ANALYSIS_DIR)
    return {"directory": out, "analyzed": list(results), "skipped": skipped}


def progress_line(label: str, summary: dict) -> str:
    separated = len(summary["separated_fits"])
    return (
        f"{label}: {summary['analyzed_rows']:,} rows ({summary['memorized_rows']:,} memorized), {summary['fits']} fits"
        + (f" ({separated} separated: Firth or ridge estimates)" if separated else "")
        + f", {summary['engine']} engine, {summary['spark_jobs']} Spark jobs, {summary['seconds']:.1f} s"
    )


def write_table(storage, frame: pd.DataFrame, stem: str) -> None:
    """`stem`.parquet and `stem`.csv (floats written as their shortest round-trip repr: nothing is rounded)."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    storage.write_bytes(f"{stem}.parquet", buffer.getvalue())
    storage.write_text(f"{stem}.csv", frame.to_csv(index=False))
