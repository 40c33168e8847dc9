"""Rows/s of the fused CPU pass (detokenize + compression + patterns) vs the reference project's execution style.

On realistic rows (benchmarks/realistic_rows.py: the labelled texts of ../shared tokenized with the Pythia
tokenizer; the sample's generated rows when ../shared is absent, and the output says so), it prints:

1. per kernel, rows/s on one core without Spark (process CPU time);
2. the whole CLI, `calculate_metrics.py --datasets local --filters detokenize,compression,patterns`, as a user
   runs it, once per `--cli-rows` count (a real split holds 411,448 to 2,382,326 rows) on `--cli-splits` splits
   of that many rows: wall time including Spark start-up, and per split the rows/s of its steps from the
   manifest (the first split pays the run's warm-up; the later ones show the steady state);
3. in one Spark session on the same `--rows` rows read from Parquet, all writing Parquet, each run twice (the
   first pays for starting Python workers and the JVM's just-in-time compilation): our fused `mapInArrow` pass,
   the same with the row-local `sensitive_content` filter added, and the reference's execution style
   (EleutherAI/semantic-memorization: one per-row Python UDF per metric, each filter's columns joined back on
   sequence_id). With `--reference-repo` (a checkout of it) the baseline's text metrics run the reference's own
   kernels (benchmarks/reference_kernels.py); without, *our* per-row kernels (tokenizer.decode,
   huffman_coding_length, pattern_flags), much faster than its, so that ratio understates what a user of the
   reference sees. zlib_ratio and the token repetition of one row are ours in both.

    python benchmarks/fused_pass.py --rows 200000 --cli-rows 411448 1000000 --cli-splits 2 --master "local[2]" \\
        [--reference-repo ../semantic-memorization]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from realistic_rows import TOKENIZER, realistic_rows, tokens_array  # noqa: E402
from reference_kernels import reference_kernels  # noqa: E402

from filters.sensitive_content import SensitiveContentSettings  # noqa: E402
from utils.core.resources import Resources  # noqa: E402
from utils.data.sources import SplitInput, read_split  # noqa: E402
from utils.data.splits import Split  # noqa: E402
from utils.pipeline.fused_pass import FusedPass, apply_plan  # noqa: E402
from utils.pipeline.plan import build_plan  # noqa: E402
from utils.runtime.spark_session import build_spark_session  # noqa: E402
from utils.runtime.spark_settings import SparkSettings  # noqa: E402
from utils.runtime.tokenizers import (  # noqa: E402
    TokenizerBroadcasts,
    TokenizerSettings,  # noqa: E402
    parse_tokenizer,
)
from utils.sample.build import ensure_sample  # noqa: E402
from utils.sample.settings import SampleSettings  # noqa: E402

FILTERS = ("detokenize", "compression", "patterns")
BASELINE = "reference style (row UDFs + joins)"


def kernel_rates(ids: np.ndarray, tokenizer_json: str) -> dict[str, float]:
    """Rows/s on one core of each kernel and of the whole fused pass over 10,000-row Arrow batches."""
    from metrics.compression import huffman_coding_lengths, zlib_ratios
    from metrics.detokenize import Detokenizer, decode_batch
    from metrics.patterns import pattern_columns
    from metrics.repetition import token_repetition

    tokenizer = parse_tokenizer(tokenizer_json, "benchmark")
    detokenizer = Detokenizer.for_tokenizer(tokenizer)
    tokens = tokens_array(ids)
    texts = detokenizer.decode(tokens)
    lists = ids.tolist()
    kernels = {
        "decode (byte table)": lambda: detokenizer.decode(tokens),
        "decode (tokenizers decode_batch)": lambda: decode_batch(tokenizer, lists),
        "zlib_ratio": lambda: zlib_ratios(texts),
        "huffman_coding_length": lambda: huffman_coding_lengths(texts),
        "pattern flags and coverage": lambda: pattern_columns(texts),
        "token repetition": lambda: token_repetition(tokens),
    }
    rates = {name: len(ids) / _cpu_seconds(kernel) for name, kernel in kernels.items()}
    batch = pa.RecordBatch.from_pydict({"sequence_id": np.arange(len(ids)), "tokens": tokens})
    handle = _LocalHandle(tokenizer, detokenizer)
    plan = build_plan(FILTERS)
    pass_ = FusedPass.for_plan(plan, Resources(tokenizer=handle), "bench", "null", tokenizer.get_vocab_size(with_added_tokens=True))
    schema_batch = _with_identity_columns(batch)
    rates["whole fused pass (validate, 3 filters, assemble)"] = len(ids) / _cpu_seconds(
        lambda: list(pass_(iter(schema_batch.to_batches(max_chunksize=10_000))))
    )
    return rates


class _LocalHandle:
    """Stands in for a broadcast TokenizerHandle outside Spark."""

    def __init__(self, tokenizer, detokenizer):
        self._tokenizer, self._detokenizer = tokenizer, detokenizer

    def get(self):
        return self._tokenizer

    def detokenizer(self):
        return self._detokenizer


def _with_identity_columns(batch: pa.RecordBatch) -> pa.Table:
    rows = batch.num_rows
    return pa.table(
        {
            "sequence_id": batch.column("sequence_id"),
            "tokens": batch.column("tokens"),
            "memorization_score": pa.nulls(rows, pa.float64()),
            "dataset": pa.array(["local"] * rows),
            "split": pa.array(["bench"] * rows),
            "scheme": pa.nulls(rows, pa.string()),
            "model": pa.nulls(rows, pa.string()),
            "checkpoint": pa.nulls(rows, pa.int64()),
        }
    )


def _cpu_seconds(work, repeats: int = 2) -> float:
    work()  # JIT, caches
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return max(best, 1e-9)


def cli_run(rows_paths: list[Path], output: Path, master: str) -> tuple[float, dict]:
    """Wall seconds of the whole CLI run (one split per file) and its manifest."""
    command = [
        sys.executable,
        str(ROOT / "calculate_metrics.py"),
        "--datasets",
        "local",
        "--local-inputs",
        ",".join(str(path) for path in rows_paths),
        "--tokenizer",
        str(TOKENIZER),
        "--filters",
        ",".join(FILTERS),
        "--output",
        str(output),
        "--run-id",
        "bench",
        "--master",
        master,
        "--quiet",
    ]
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, capture_output=True)
    seconds = time.perf_counter() - start
    return seconds, json.loads((output / "bench" / "_manifest.json").read_text())


def fused(frame, handle, target: str, filters: tuple[str, ...] = FILTERS) -> None:
    resources = Resources([SensitiveContentSettings()], tokenizer=handle)
    apply_plan(frame, build_plan(filters), resources, "bench", "null", handle.vocab_size).write.mode("overwrite").parquet(target)


def reference_style(frame, tokenizer_json: str, target: str, kernels=None) -> None:
    """One per-row UDF per metric, each filter's columns joined back on sequence_id.

    With `kernels` (benchmarks/reference_kernels.py) the text metrics run the reference's own code: transformers'
    `tokenizer.decode`, its `is_pattern` and `calculate_huffman_code_length`; without, our per-row kernels. zlib_ratio
    (not in the reference) and the token repetition (ours: the reference's `highly_repetitive` ran on other inputs
    and was dropped from its HEAD) are ours in both.
    """
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    from metrics.compression import huffman_coding_length, zlib_ratio
    from metrics.patterns import pattern_flags
    from metrics.repetition import token_repetition

    cache = {}

    def decode(ids):
        if "t" not in cache:
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_str(tokenizer_json)
            if kernels is None:
                cache["t"] = lambda ids: tokenizer.decode(ids, skip_special_tokens=False)
            else:
                from transformers import PreTrainedTokenizerFast

                cache["t"] = PreTrainedTokenizerFast(tokenizer_object=tokenizer).decode  # the reference's call
        return cache["t"](ids)

    flags = kernels.is_pattern if kernels is not None else pattern_flags
    huffman = kernels.huffman_coding_length if kernels is not None else huffman_coding_length

    def repetition(ids):
        columns = token_repetition(pa.array([ids], pa.list_(pa.int64())))
        return int(columns["num_repeating"][0]), int(columns["repeating_offset"][0]), columns["smallest_repeating_chunk"][0].as_py()

    repetition_type = T.StructType(
        [
            T.StructField("num_repeating", T.IntegerType()),
            T.StructField("repeating_offset", T.IntegerType()),
            T.StructField("smallest_repeating_chunk", T.ArrayType(T.IntegerType())),
        ]
    )
    main = frame.select("sequence_id", "tokens")
    texts = main.select("sequence_id", F.udf(decode, T.StringType())("tokens").alias("text"))
    main = main.join(texts, "sequence_id", "left")
    compression = main.select(
        "sequence_id",
        F.udf(zlib_ratio, T.DoubleType())("text").alias("zlib_ratio"),
        F.udf(huffman, T.DoubleType())("text").alias("huffman_coding_length"),
    )
    main = main.join(compression, "sequence_id", "left")
    pattern = main.select("sequence_id", F.udf(lambda t: list(flags(t)), T.ArrayType(T.BooleanType()))("text").alias("f"))
    main = main.join(
        pattern.select("sequence_id", F.col("f")[0].alias("is_incrementing"), F.col("f")[1].alias("is_repeating")), "sequence_id", "left"
    )
    repeats = main.select("sequence_id", F.udf(repetition, repetition_type)("tokens").alias("r")).select("sequence_id", "r.*")
    main = main.join(repeats, "sequence_id", "left")
    main.write.mode("overwrite").parquet(target)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000, help="rows of the same-session comparison")
    parser.add_argument(
        "--cli-rows", type=int, nargs="*", default=[411_448, 1_000_000], help="rows of each split of a whole-CLI run (none: no CLI run)"
    )
    parser.add_argument("--cli-splits", type=int, default=2, help="splits of --cli-rows rows each in one CLI run (>= 1)")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--skip-baseline", action="store_true", help="time our passes only")
    parser.add_argument(
        "--reference-repo", type=Path, help="a checkout of EleutherAI/semantic-memorization: the baseline runs its own text kernels"
    )
    args = parser.parse_args()
    if args.cli_splits < 1:
        parser.error("--cli-splits must be at least 1")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    sample = ensure_sample(SampleSettings())
    ids, source = realistic_rows(max([args.rows, *args.cli_rows]), sample)
    tokenizer_path = TOKENIZER if TOKENIZER.is_file() else sample / "tokenizer.json"
    tokenizer_json = tokenizer_path.read_text(encoding="utf-8")
    print(f"rows from {source}")

    print("\nper kernel, one core, no Spark (rows/s/core):")
    for name, rate in kernel_rates(ids[: min(len(ids), 50_000)], tokenizer_json).items():
        print(f"  {name:50s} {rate:10,.0f}")

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        for rows in args.cli_rows:
            # Several splits of the same rows: the first pays the JVM's and the Python workers' warm-up once per
            # run, the later ones run as every further split of a real run (16 model splits and the Pile's) does.
            paths = [write_rows(ids[:rows], scratch / f"rows-{rows}-{k}.parquet") for k in range(args.cli_splits)]
            wall, manifest = cli_run(paths, scratch / f"cli-{rows}", args.master)
            total = rows * len(paths)
            print(f"\nwhole CLI, {len(paths)} split(s) of {rows:,} rows, master {args.master}: {wall:.1f} s wall", end="")
            print(f" ({total / wall:,.0f} rows/s including start-up)")
            for k, split in enumerate(manifest["splits"].values()):
                steps = split["seconds"]
                compute = steps["compute_write_and_tally"]
                both = compute + steps["read_count_and_duplicate_check"]
                which = "first split (JVM warm-up)" if k == 0 else f"split {k + 1} (steady state)"
                print(
                    f"  {which:28s} compute, write and tally {compute:5.1f} s = {rows / compute:7,.0f} rows/s; "
                    f"with the count and duplicate check {both:5.1f} s = {rows / both:7,.0f} rows/s"
                )

        # Both passes read the rows from Parquet, as the CLI does, and each runs twice: the first run pays for
        # starting Python workers and the JVM's just-in-time compilation, the second is the steady state.
        rows_path = write_rows(ids[: args.rows], scratch / "rows.parquet")
        spark = build_spark_session(SparkSettings(master=args.master, driver_memory="4g", shuffle_partitions=8))
        split = Split("local", "", "", local_name="bench")
        frame = read_split(spark, SplitInput(split, str(rows_path), "parquet", "index", "tokens", None, 1.0))
        handle = TokenizerBroadcasts(spark, TokenizerSettings(path=str(tokenizer_path))).for_split(split)
        passes = {
            "fused mapInArrow pass": lambda target: fused(frame, handle, target),
            "the same + sensitive_content": lambda target: fused(frame, handle, target, (*FILTERS, "sensitive_content")),
        }
        baselines = []
        if not args.skip_baseline:
            baselines.append(f"{BASELINE}, our kernels")
            passes[baselines[-1]] = lambda target: reference_style(frame, tokenizer_json, target)
        if args.reference_repo and not args.skip_baseline:
            kernels = reference_kernels(args.reference_repo)
            baselines.append(f"{BASELINE}, its own kernels")
            passes[baselines[-1]] = lambda target: reference_style(frame, tokenizer_json, target, kernels)
        results = {}
        for name, run in passes.items():
            results[name] = []
            for attempt in ("first", "second"):
                start = time.perf_counter()
                run(str(scratch / f"{len(results)}-{attempt}"))
                results[name].append(time.perf_counter() - start)
        cores = spark.sparkContext.defaultParallelism
        spark.stop()
    print(f"\none Spark session, master {args.master} ({cores} cores), {args.rows:,} rows, compute + Parquet write:")
    for name, seconds in results.items():
        for attempt, run_seconds in zip(("first run", "second run"), seconds):
            print(
                f"  {name:52s} {attempt:10s} {run_seconds:8.1f} s  {args.rows / run_seconds:10,.0f} rows/s  "
                f"{args.rows / run_seconds / cores:9,.0f} rows/s/core"
            )
    for baseline in baselines:
        print(f"\nratios to the second run of the {baseline}:")
        for name in passes:
            if name not in baselines:
                first, second = (results[baseline][1] / seconds for seconds in results[name])
                print(f"  {name:52s} first run {first:5.1f}x, second run {second:5.1f}x")


def write_rows(ids: np.ndarray, path: Path) -> Path:
    pq.write_table(pa.table({"index": np.arange(len(ids)), "tokens": tokens_array(ids)}), path, row_group_size=50_000)
    return path


if __name__ == "__main__":
    main()
