"""One run: preflight checks, then for each split read, run the fused pass, write, and record the manifest."""

from __future__ import annotations

import datetime as dt
import logging
import sys
import time
from typing import Any

from utils.core.errors import BadRecordError, PipelineError
from utils.core.schema import INCOMPLETE_REASON, INVALID_REASON, own_columns
from utils.corpus.lookups import CorpusStatistics
from utils.corpus.semantic import SemanticProvider
from utils.corpus.statistics import StatisticsProvider
from utils.data.sources import SplitInput, read_split
from utils.data.writer import TEMPORARY, completed_rows, split_path, write_split
from utils.pipeline.config import Config, check_run_id
from utils.pipeline.fused_pass import apply_plan
from utils.pipeline.manifest import MANIFEST, RUN_LOG, MemoryLog, package_versions
from utils.pipeline.plan import Plan
from utils.pipeline.preflight import check_extra_columns, prepare
from utils.pipeline.resources import FilterResources
from utils.runtime.models import model_for_split

log = logging.getLogger(__name__)


def run(config: Config) -> dict[str, Any]:
    from pyspark.sql import functions as F

    from utils.data.storage import Storage
    from utils.runtime.spark_session import build_spark_session
    from utils.runtime.tokenizers import TokenizerBroadcasts

    started = time.time()
    prepared = prepare(config)
    plan, inputs = prepared.plan, prepared.inputs
    run_id = check_run_id(config.run.run_id or dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ"))
    memory_log = MemoryLog()
    logging.getLogger().addHandler(memory_log)
    spark = build_spark_session(config.spark)
    print(f"Spark UI: {spark.sparkContext.uiWebUrl or 'disabled'}", file=sys.stderr, flush=True)  # also under --quiet
    storage = Storage(spark)
    run_dir = storage.qualify(f"{config.run.output.rstrip('/')}/{run_id}")
    try:
        storage.check_writable(run_dir)
    except Exception as error:
        raise PipelineError(
            f"Output directory {run_dir} is not writable ({str(error).splitlines()[0]}). Choose another --output."
        ) from None
    log.info("Run %s -> %s", run_id, run_dir)
    manifest: dict[str, Any] = {
        "run_id": run_id,
        "run_dir": run_dir,
        "started_utc": dt.datetime.fromtimestamp(started, dt.UTC).isoformat(),
        "config": config.to_dict(),
        "filters": [cls.name for cls in plan.filters],
        "output_schema": [f"{f.name}: {f.type}" for f in plan.output_schema],
        "versions": package_versions(),
        "spark": {"master": spark.sparkContext.master, "ui": spark.sparkContext.uiWebUrl, "version": spark.version},
        "splits": {},
    }
    tokenizers = TokenizerBroadcasts(spark, config.tokenizer) if plan.needs & {"tokenizer", "semantic_counts"} else None
    statistics = StatisticsProvider(spark, config, plan.needs)
    nl_classifier = prepared.nl_classifier
    try:
        clock = time.time()
        if statistics.needs:  # reading a split's schema costs a Spark round trip: only when statistics use the frames
            statistics.prepare({source.split: read_split(spark, source) for source in inputs})
            manifest["statistics"] = {**statistics.summary, "seconds": round(time.time() - clock, 3)}
        semantic = SemanticProvider(spark, config, tokenizers, plan.needs)
        semantic.prepare(inputs, config.data.vocab_size)
        if semantic.active:
            manifest["semantic_duplicates"] = semantic.summary

        def compute(source: SplitInput) -> dict[str, Any]:
            return _run_split(
                spark,
                storage,
                config,
                plan,
                source,
                run_dir,
                tokenizers,
                statistics.for_split(source.split),
                semantic.for_split(source.split),
                nl_classifier,
                F,
            )

        def record(source: SplitInput, result: dict[str, Any]) -> None:
            manifest["splits"][source.split.label] = result
            storage.write_json(f"{run_dir}/{MANIFEST}", manifest)

        _for_each_split(inputs, compute, record, config.run.concurrent_splits)
        manifest["status"] = "complete"
        storage.delete(f"{run_dir}/{TEMPORARY}")
    except Exception as error:
        manifest["status"] = "failed"
        manifest["error"] = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise _clean_worker_error(error) from None
    finally:
        manifest["seconds"] = round(time.time() - started, 3)
        storage.write_json(f"{run_dir}/{MANIFEST}", manifest)
        storage.write_text(f"{run_dir}/{RUN_LOG}", "\n".join(memory_log.lines) + "\n")
        logging.getLogger().removeHandler(memory_log)
    return manifest


def _for_each_split(inputs: list[SplitInput], compute, record, concurrent: int) -> None:
    """compute(split) for every split, `concurrent` at a time from driver threads (Spark runs their jobs side by side);
    record(split, result) on this thread as each finishes. The first failure cancels the splits not yet started and the
    Spark jobs of those running, then is raised."""
    if concurrent <= 1:
        for source in inputs:
            record(source, compute(source))
        return
    from concurrent.futures import ThreadPoolExecutor, as_completed

    from pyspark import SparkContext

    with ThreadPoolExecutor(max_workers=concurrent, thread_name_prefix="split") as pool:
        futures = {pool.submit(compute, source): source for source in inputs}
        try:
            for future in as_completed(futures):
                record(futures[future], future.result())
        except BaseException:
            for future in futures:
                future.cancel()
            context = SparkContext._active_spark_context
            if context is not None:
                context.cancelAllJobs()
            raise


def _run_split(
    spark,
    storage,
    config: Config,
    plan: Plan,
    source: SplitInput,
    run_dir: str,
    tokenizers,
    statistics: CorpusStatistics,
    semantic_counts,
    nl_classifier,
    F,
) -> dict[str, Any]:
    split, data = source.split, config.data
    timings: dict[str, float] = {}
    clock = time.time()
    frame = read_split(spark, source)
    if source.extra_columns is None:  # a remote input's own columns are known once Spark has read its schema
        check_extra_columns(plan, source, own_columns(frame.columns))
    # One job counts the rows and the sequence_ids that occur more than once.
    per_id = frame.groupBy("sequence_id").count()
    totals = per_id.agg(F.sum("count").alias("rows"), F.sum(F.when(F.col("count") > 1, 1).otherwise(0)).alias("repeated")).first()
    input_rows, duplicate_ids = int(totals["rows"] or 0), int(totals["repeated"] or 0)
    timings["read_count_and_duplicate_check"] = round(time.time() - clock, 3)
    expected = min(input_rows, data.sample_size) if data.sample_size else input_rows
    done = completed_rows(storage, run_dir, split)
    if done is not None and done == expected and not config.run.overwrite:
        log.info("Split %s is already complete in this run (%d rows); skipped (use --overwrite to redo it).", split.label, done)
        return {"input_rows": input_rows, "output_rows": done, "skipped": "already complete", "path": split_path(run_dir, split)}
    if not config.run.overwrite and storage.exists(split_path(run_dir, split)):
        why = "its marker or files are missing or changed" if done is None else f"it holds {done} rows, the input {expected}"
        log.warning("Split %s: the output already in this run is not usable (%s); it is redone.", split.label, why)

    examples = []
    if duplicate_ids:
        duplicates = per_id.filter(F.col("count") > 1)
        examples = [row["sequence_id"] for row in duplicates.orderBy("sequence_id").limit(10).collect()]
        log.warning(
            "Split %s: %d sequence_id value(s) occur more than once (e.g. %s); every row is kept once.",
            split.label,
            duplicate_ids,
            examples,
        )

    tokenizer = tokenizers.for_split(split) if tokenizers is not None else None
    vocab_size = data.vocab_size or (tokenizer.vocab_size if tokenizer else None)
    resources = FilterResources(
        tokenizer=tokenizer,
        model=model_for_split(config.model, split, config.extraction) if "model" in plan.needs else None,
        nl_classifier=nl_classifier,
        sequence_duplicates=statistics.sequence_duplicates,
        token_counts=statistics.token_counts,
        taxonomy=config.taxonomy,
        semantic_counts=semantic_counts,
        sensitive_content=config.sensitive_content if "sensitive_content" in plan.needs else None,
    )
    if data.sample_size:
        frame = frame.orderBy(F.rand(data.sample_seed)).limit(data.sample_size)
    frame = apply_plan(frame, plan, resources, split.label, data.bad_records, vocab_size)

    clock = time.time()
    log.info("Split %s: computing %d rows with %s", split.label, expected, ", ".join(cls.name for cls in plan.filters) or "no filters")
    has_taxonomy = "taxonomy" in plan.output_schema.names
    tally_columns = [INVALID_REASON, INCOMPLETE_REASON, *(["taxonomy"] if has_taxonomy else [])]
    written, tallies = write_split(spark, storage, frame, run_dir, split, expected, tally_columns)
    timings["compute_write_and_tally"] = round(time.time() - clock, 3)
    rows_per_second = written / max(timings["compute_write_and_tally"], 1e-9)
    log.info("Split %s: %d rows written in %.1f s (%.0f rows/s)", split.label, written, timings["compute_write_and_tally"], rows_per_second)
    path = split_path(run_dir, split)
    flagged = {reason: count for reason, count in tallies[INVALID_REASON].items() if reason is not None}
    if flagged:
        log.warning("Split %s: rows kept with null metrics: %s", split.label, flagged)
    incomplete = {reason: count for reason, count in tallies[INCOMPLETE_REASON].items() if reason is not None}
    if incomplete:
        log.warning("Split %s: rows too short for some metrics (those are null): %s", split.label, incomplete)
    taxonomy = _taxonomy_shares(tallies["taxonomy"], written) if has_taxonomy else None
    return {
        "input_rows": input_rows,
        "output_rows": written,
        "sampled": bool(data.sample_size),
        "flagged_rows": flagged,
        "incomplete_rows": incomplete,
        "duplicate_sequence_ids": duplicate_ids,
        "taxonomy": taxonomy,
        "duplicate_sequence_id_examples": examples,
        "vocab_size": vocab_size,
        "tokenizer": resources.tokenizer.source if resources.tokenizer else None,
        "model": resources.model.label if resources.model else None,
        "nl_classifier": f"{nl_classifier.label} (class {nl_classifier.nl_index} {nl_classifier.nl_label!r})" if nl_classifier else None,
        "source": source.location,
        "path": path,
        "seconds": timings,
    }


def _taxonomy_shares(counts: dict[str | None, int], rows: int) -> dict[str, Any]:
    """Count and share of each category (null: rows whose inputs were null)."""
    counts = {name or "null": count for name, count in counts.items()}
    return {"counts": counts, "shares": {name: round(count / max(rows, 1), 6) for name, count in counts.items()}}


def _clean_worker_error(error: Exception) -> Exception:
    """A BadRecordError raised in a Python worker reaches the driver wrapped by Spark; unwrap its message."""
    if isinstance(error, PipelineError):
        return error
    text = str(error)
    marker = "BadRecordError: "
    if marker in text:
        message = text.split(marker, 1)[1].split("\n", 1)[0]
        return BadRecordError(message)
    return error
