"""One run: preflight checks, every split read once and its resources prepared once, then for each split the named
steps check, annotate, write and record, whose typed result is the split's manifest entry."""

from __future__ import annotations

import datetime as dt
import logging
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from utils.core.errors import BadRecordError, PipelineError
from utils.core.schema import INCOMPLETE_REASON, INVALID_REASON, own_columns
from utils.data.run_lock import RunLock
from utils.data.sources import SplitInput, read_split
from utils.data.writer import TEMPORARY, completed_rows, split_path, write_split
from utils.pipeline.config import Config
from utils.pipeline.fused_pass import apply_plan, first_bad_record
from utils.pipeline.manifest import MANIFEST, RUN_LOG, MemoryLog, package_versions
from utils.pipeline.plan import Plan
from utils.pipeline.preflight import Prepared, check_extra_columns, prepare
from utils.pipeline.resources import RunResources
from utils.runtime.spark_session import job_description

log = logging.getLogger(__name__)
DUPLICATE_ID_EXAMPLES = 10


@dataclass
class SplitResult:
    """What the manifest records about one split (its entry under `splits`)."""

    source: str
    path: str
    input_rows: int
    output_rows: int
    skipped: str | None = None  # why the split was not computed again (resume)
    sampled: bool = False
    flagged_rows: dict[str, int] = field(default_factory=dict)  # invalid_reason -> rows kept with null metrics
    incomplete_rows: dict[str, int] = field(default_factory=dict)  # incomplete_metrics_reason -> rows
    duplicate_sequence_ids: int = 0
    duplicate_sequence_id_examples: list[int] = field(default_factory=list)
    tallies: dict[str, dict[str, Any]] = field(default_factory=dict)  # a filter's tallied column -> counts and shares
    vocab_size: int | None = None
    resources: dict[str, Any] = field(default_factory=dict)  # what each provider gave the split (tokenizer, model...)
    seconds: dict[str, float] = field(default_factory=dict)

    def manifest_entry(self) -> dict[str, Any]:
        entry = asdict(self)
        return {**{k: v for k, v in entry.items() if k not in ("tallies", "resources")}, **entry["tallies"], **entry["resources"]}


@dataclass(frozen=True)
class RunContext:
    """What every split of a run shares."""

    spark: Any
    storage: Any
    config: Config
    plan: Plan
    resources: RunResources
    run_dir: str


@dataclass(frozen=True)
class RowCount:
    rows: int
    duplicate_ids: int
    examples: list[int]


def run(config: Config) -> dict[str, Any]:
    from utils.data.storage import Storage
    from utils.runtime.spark_session import build_spark_session

    started = time.time()
    prepared = prepare(config)
    run_id = config.run.run_id or dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    spark = build_spark_session(config.spark)
    print(f"Spark UI: {spark.sparkContext.uiWebUrl or 'disabled'}", file=sys.stderr, flush=True)  # also under --quiet
    storage = Storage(spark)
    run_dir = storage.qualify(f"{config.run.output.rstrip('/')}/{run_id}")
    lock = RunLock(storage, run_dir, "calculate_metrics", config.run.break_lock, config.run.lock_stale_seconds)
    try:
        storage.check_writable(run_dir)
    except Exception as error:
        raise PipelineError(
            f"Output directory {run_dir} is not writable ({str(error).splitlines()[0]}). Choose another --output."
        ) from None
    lock.acquire()
    try:
        log.info("Run %s -> %s", run_id, run_dir)
        return _run_locked(config, prepared, spark, storage, run_id, run_dir, started)
    finally:
        lock.release()


def _run_locked(config: Config, prepared: Prepared, spark, storage, run_id: str, run_dir: str, started: float) -> dict[str, Any]:
    """Every split, with the run directory's lock held; the manifest and the run log are written whatever happens."""
    memory_log = MemoryLog()
    logging.getLogger().addHandler(memory_log)
    manifest = _manifest(config, prepared, spark, run_id, run_dir, started)
    context = RunContext(spark, storage, config, prepared.plan, prepared.resources, run_dir)
    try:
        frames = read_splits(context, prepared.inputs)
        clock = time.time()
        manifest.update(prepared.resources.prepare(spark, prepared.inputs, frames))
        manifest["resources_seconds"] = round(time.time() - clock, 3)

        def record(source: SplitInput, result: SplitResult) -> None:
            manifest["splits"][source.split.label] = result.manifest_entry()
            storage.write_json(f"{run_dir}/{MANIFEST}", manifest)

        _for_each_split(
            prepared.inputs, lambda source: run_split(context, source, frames[source.split]), record, config.run.concurrent_splits
        )
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


def _manifest(config: Config, prepared: Prepared, spark, run_id: str, run_dir: str, started: float) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "run_dir": run_dir,
        "started_utc": dt.datetime.fromtimestamp(started, dt.UTC).isoformat(),
        "config": config.to_dict(),
        "filters": [cls.name for cls in prepared.plan.filters],
        "output_schema": [f"{f.name}: {f.type}" for f in prepared.plan.output_schema],
        "versions": package_versions(),
        "spark": {"master": spark.sparkContext.master, "ui": spark.sparkContext.uiWebUrl, "version": spark.version},
        "splits": {},
    }


def read_splits(context: RunContext, inputs: list[SplitInput]) -> dict:
    """Each split's normalized DataFrame, read once for the whole run; a remote input's own columns are checked here,
    once Spark has read its schema (local inputs were checked before Spark started)."""
    frames = {}
    for source in inputs:
        # Local inputs and hub splits are read with the schema their footers gave: no job; a remote one's is inferred.
        with job_description(context.spark, f"{source.split.label}: read the input's schema"):
            frame = read_split(context.spark, source)
        if source.extra_columns is None:
            check_extra_columns(context.plan, source, own_columns(frame.columns))
        frames[source.split] = frame
    return frames


def run_split(context: RunContext, source: SplitInput, frame) -> SplitResult:
    """check (count rows and repeated ids) -> skip when already complete -> annotate -> write -> record."""
    split, data, storage = source.split, context.config.data, context.storage
    clock = time.time()
    counted = count_rows(context.spark, frame, split.label)
    seconds = {"read_count_and_duplicate_check": round(time.time() - clock, 3)}
    expected = min(counted.rows, data.sample_size) if data.sample_size else counted.rows
    path = split_path(context.run_dir, split)
    done = completed_rows(storage, context.run_dir, split)
    if done is not None and done == expected and not context.config.run.overwrite:
        log.info("Split %s is already complete in this run (%d rows); skipped (use --overwrite to redo it).", split.label, done)
        return SplitResult(source.location, path, counted.rows, done, skipped="already complete")
    if not context.config.run.overwrite and storage.exists(path):
        why = "its marker or files are missing or changed" if done is None else f"it holds {done} rows, the input {expected}"
        log.warning("Split %s: the output already in this run is not usable (%s); it is redone.", split.label, why)

    resources = context.resources.for_split(split)
    rows = sampled(frame, data)
    if data.bad_records == "raise":
        clock = time.time()
        bad = first_bad_record(context.spark, rows, context.plan, resources.resources, split.label, resources.vocab_size)
        seconds["bad_record_check"] = round(time.time() - clock, 3)
        if bad is not None:
            raise bad
    annotated = apply_plan(rows, context.plan, resources.resources, split.label, data.bad_records, resources.vocab_size)
    clock = time.time()
    log.info("Split %s: computing %d rows with %s", split.label, expected, ", ".join(c.name for c in context.plan.filters) or "no filters")
    tallied = [column for cls in context.plan.filters for column in cls.tallied]
    with job_description(context.spark, f"{split.label}: compute the metrics and write {expected} rows"):
        written, tallies = write_split(
            context.spark, storage, annotated, context.run_dir, split, expected, [INVALID_REASON, INCOMPLETE_REASON, *tallied]
        )
    seconds["compute_write_and_tally"] = round(time.time() - clock, 3)
    log.info(
        "Split %s: %d rows written in %.1f s (%.0f rows/s)",
        split.label,
        written,
        seconds["compute_write_and_tally"],
        written / max(seconds["compute_write_and_tally"], 1e-9),
    )
    return SplitResult(
        source=source.location,
        path=path,
        input_rows=counted.rows,
        output_rows=written,
        sampled=bool(data.sample_size),
        flagged_rows=_reasons(tallies[INVALID_REASON], split.label, "rows kept with null metrics"),
        incomplete_rows=_reasons(tallies[INCOMPLETE_REASON], split.label, "rows too short for some metrics (those are null)"),
        duplicate_sequence_ids=counted.duplicate_ids,
        duplicate_sequence_id_examples=counted.examples,
        tallies={column: _shares(tallies[column], written) for column in tallied},
        vocab_size=resources.vocab_size,
        resources=resources.record,
        seconds=seconds,
    )


def count_rows(spark, frame, label: str) -> RowCount:
    """Rows of the split and the sequence_ids that occur more than once, from one Spark job (examples from a second
    one only when there are repeated ids)."""
    from pyspark.sql import functions as F

    per_id = frame.groupBy("sequence_id").count()
    with job_description(spark, f"{label}: count rows and repeated sequence_ids"):
        totals = per_id.agg(F.sum("count").alias("rows"), F.sum(F.when(F.col("count") > 1, 1).otherwise(0)).alias("repeated")).first()
        rows, repeated = int(totals["rows"] or 0), int(totals["repeated"] or 0)
        examples = []
        if repeated:
            duplicates = per_id.filter(F.col("count") > 1).orderBy("sequence_id").limit(DUPLICATE_ID_EXAMPLES)
            examples = [row["sequence_id"] for row in duplicates.collect()]
            log.warning(
                "Split %s: %d sequence_id value(s) occur more than once (e.g. %s); every row is kept once.", label, repeated, examples
            )
    return RowCount(rows, repeated, examples)


def sampled(frame, data):
    """The split's rows, or the random sample of them the run asked for (`data.sample_size`, seeded)."""
    from pyspark.sql import functions as F

    return frame.orderBy(F.rand(data.sample_seed)).limit(data.sample_size) if data.sample_size else frame


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


def _reasons(counts: dict[str | None, int], label: str, what: str) -> dict[str, int]:
    """The non-null reasons and their row counts, logged as a warning when there are any."""
    found = {reason: count for reason, count in counts.items() if reason is not None}
    if found:
        log.warning("Split %s: %s: %s", label, what, found)
    return found


def _shares(counts: dict[str | None, int], rows: int) -> dict[str, Any]:
    """Count and share of each value of a tallied column (null: rows whose inputs were null)."""
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
