"""Rows/s of the fused CPU pass (detokenize + compression + patterns) vs the reference project's execution style.

On realistic rows (benchmarks/realistic_rows.py: the labelled texts of ../shared tokenized with the Pythia
tokenizer; the sample's generated rows when ../shared is absent, and the output says so), it prints:

1. per kernel, rows/s on one core without Spark (process CPU time);
2. the whole CLI, `calculate_metrics.py --datasets local --filters detokenize,compression,patterns`, as a user
   runs it: wall time including Spark start-up, and the split's compute-and-write rows/s from its manifest;
3. in one Spark session on the same rows, both writing Parquet: our fused `mapInArrow` pass, and the reference's
   execution style (EleutherAI/semantic-memorization: one per-row Python UDF per metric, each filter's columns
   joined back on sequence_id). The baseline runs *our* per-row kernels (tokenizer.decode, zlib_ratio,
   huffman_coding_length, pattern_flags, token repetition of one row), not the reference's slower ones, so the
   ratio understates what a user of the reference sees.

    python benchmarks/fused_pass.py --rows 200000 --master "local[2]"
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

from utils.data.sources import SplitInput, read_split  # noqa: E402
from utils.data.splits import Split  # noqa: E402
from utils.pipeline.config import SampleConfig, SparkConfig, TokenizerConfig  # noqa: E402
from utils.pipeline.fused_pass import FusedPass, apply_plan  # noqa: E402
from utils.pipeline.plan import build_plan  # noqa: E402
from utils.pipeline.resources import FilterResources  # noqa: E402
from utils.runtime.spark_session import build_spark_session  # noqa: E402
from utils.runtime.tokenizers import TokenizerBroadcasts, parse_tokenizer  # noqa: E402
from utils.sample.build import ensure_sample  # noqa: E402

FILTERS = ("detokenize", "compression", "patterns")


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
    pass_ = FusedPass.for_plan(plan, FilterResources(tokenizer=handle), "bench", "null", tokenizer.get_vocab_size(with_added_tokens=True))
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


def cli_run(rows_path: Path, output: Path, master: str) -> tuple[float, dict]:
    """Wall seconds of the whole CLI run and its manifest."""
    command = [
        sys.executable,
        str(ROOT / "calculate_metrics.py"),
        "--datasets",
        "local",
        "--local-inputs",
        str(rows_path),
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


def fused(frame, handle, target: str) -> None:
    plan = build_plan(FILTERS)
    apply_plan(frame, plan, FilterResources(tokenizer=handle), "bench", "null", handle.vocab_size).write.mode("overwrite").parquet(target)


def reference_style(frame, tokenizer_json: str, target: str) -> None:
    """One per-row UDF per metric, each filter's columns joined back on sequence_id, with our per-row kernels."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    from metrics.compression import huffman_coding_length, zlib_ratio
    from metrics.patterns import pattern_flags
    from metrics.repetition import token_repetition

    cache = {}

    def decode(ids):
        if "t" not in cache:
            from tokenizers import Tokenizer

            cache["t"] = Tokenizer.from_str(tokenizer_json)
        return cache["t"].decode(ids, skip_special_tokens=False)

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
        F.udf(huffman_coding_length, T.DoubleType())("text").alias("huffman_coding_length"),
    )
    main = main.join(compression, "sequence_id", "left")
    flags = main.select("sequence_id", F.udf(lambda t: list(pattern_flags(t)), T.ArrayType(T.BooleanType()))("text").alias("f"))
    main = main.join(
        flags.select("sequence_id", F.col("f")[0].alias("is_incrementing"), F.col("f")[1].alias("is_repeating")), "sequence_id", "left"
    )
    repeats = main.select("sequence_id", F.udf(repetition, repetition_type)("tokens").alias("r")).select("sequence_id", "r.*")
    main = main.join(repeats, "sequence_id", "left")
    main.write.mode("overwrite").parquet(target)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--skip-cli", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    sample = ensure_sample(SampleConfig())
    ids, source = realistic_rows(args.rows, sample)
    tokenizer_path = TOKENIZER if TOKENIZER.is_file() else sample / "tokenizer.json"
    tokenizer_json = tokenizer_path.read_text(encoding="utf-8")
    print(f"rows: {args.rows:,} from {source}")

    print("\nper kernel, one core, no Spark (rows/s/core):")
    for name, rate in kernel_rates(ids[: min(len(ids), 50_000)], tokenizer_json).items():
        print(f"  {name:50s} {rate:10,.0f}")

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        rows_path = scratch / "rows.parquet"
        pq.write_table(pa.table({"index": np.arange(len(ids)), "tokens": tokens_array(ids)}), rows_path, row_group_size=50_000)
        if not args.skip_cli:
            wall, manifest = cli_run(rows_path, scratch / "cli", args.master)
            split = next(iter(manifest["splits"].values()))
            compute = split["seconds"]["compute_write_and_tally"]
            print(f"\nwhole CLI, master {args.master}: {wall:.1f} s wall ({args.rows / wall:,.0f} rows/s including start-up)")
            print(f"  split steps (s): {split['seconds']}")
            print(f"  compute, write and tally: {compute:.1f} s = {args.rows / compute:,.0f} rows/s")

        spark = build_spark_session(SparkConfig(master=args.master, driver_memory="4g", shuffle_partitions=8))
        split = Split("local", "", "", local_name="bench")
        frame = read_split(spark, SplitInput(split, str(rows_path), "parquet", "index", "tokens", None, 1.0)).cache()
        frame.count()
        handle = TokenizerBroadcasts(spark, TokenizerConfig(path=str(tokenizer_path))).for_split(split)
        fused(frame.limit(2000), handle, str(scratch / "warm"))  # Python workers, JIT and byte table outside the timing
        results = {}
        start = time.perf_counter()
        fused(frame, handle, str(scratch / "fused"))
        results["fused mapInArrow pass"] = time.perf_counter() - start
        if not args.skip_baseline:
            reference_style(frame.limit(2000), tokenizer_json, str(scratch / "warm-reference"))
            start = time.perf_counter()
            reference_style(frame, tokenizer_json, str(scratch / "reference"))
            results["reference style (row UDFs + joins)"] = time.perf_counter() - start
        cores = spark.sparkContext.defaultParallelism
        spark.stop()
    print(f"\none Spark session, master {args.master} ({cores} cores), compute + Parquet write, warm workers:")
    base = results.get("reference style (row UDFs + joins)")
    for name, seconds in results.items():
        ratio = f", {base / seconds:.1f}x the reference style" if base else ""
        print(f"  {name:38s} {seconds:8.1f} s  {args.rows / seconds:10,.0f} rows/s  {args.rows / seconds / cores:9,.0f} rows/s/core{ratio}")


if __name__ == "__main__":
    main()
