"""Rows/s of the fused CPU pass (detokenize + compression + patterns) vs the reference project's style.

Baseline, measured in the same run on the same rows and the same metric kernels: one per-row Python
UDF per metric and a join back on sequence_id per filter (as EleutherAI/semantic-memorization did).
Both write Parquet, so both pay for the same I/O.

    python benchmarks/fused_pass.py --rows 200000 --master "local[2]"
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from utils.data.sources import SplitInput, read_split  # noqa: E402
from utils.data.splits import Split  # noqa: E402
from utils.pipeline.config import SampleConfig, SparkConfig, TokenizerConfig  # noqa: E402
from utils.pipeline.fused_pass import apply_plan  # noqa: E402
from utils.pipeline.plan import build_plan  # noqa: E402
from utils.pipeline.resources import FilterResources  # noqa: E402
from utils.runtime.spark_session import build_spark_session  # noqa: E402
from utils.runtime.tokenizers import TokenizerBroadcasts  # noqa: E402
from utils.sample.build import ensure_sample  # noqa: E402


def make_rows(sample: Path, rows: int, directory: Path) -> Path:
    base = pq.read_table(sample / "hub/EleutherAI/pythia-memorized-evals/duped.160m")
    tokens = np.array(base.column("tokens").to_pylist(), dtype=np.int64)
    picks = np.random.default_rng(0).integers(0, len(tokens), rows)
    path = directory / "rows.parquet"
    pq.write_table(
        pa.table({"index": np.arange(rows), "tokens": pa.array(tokens[picks].tolist(), pa.list_(pa.int64()))}), path, row_group_size=50_000
    )
    return path


def fused(spark, frame, handle, target: str) -> None:
    plan = build_plan(("detokenize", "compression", "patterns"))
    apply_plan(frame, plan, FilterResources(tokenizer=handle), "bench", "null", handle.vocab_size).write.mode("overwrite").parquet(target)


def reference_style(spark, frame, tokenizer_json: str, target: str) -> None:
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    from metrics.compression import huffman_coding_length, zlib_ratio
    from metrics.patterns import pattern_flags
    from metrics.repetition import repetition_columns

    cache = {}

    def decode(ids):
        if "t" not in cache:
            from tokenizers import Tokenizer

            cache["t"] = Tokenizer.from_str(tokenizer_json)
        return cache["t"].decode(ids, skip_special_tokens=False)

    def repetition(ids):
        num, offset, chunks = repetition_columns(np.array([ids]))
        return int(num[0]), int(offset[0]), chunks[0].tolist()

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
    args = parser.parse_args()
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    sample = ensure_sample(SampleConfig())
    spark = build_spark_session(SparkConfig(master=args.master, driver_memory="4g", shuffle_partitions=8))
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        rows_path = make_rows(sample, args.rows, scratch)
        split = Split("local", "", "", local_name="bench")
        frame = read_split(spark, SplitInput(split, str(rows_path), "parquet", "index", "tokens", None, 1.0)).repartition(8).cache()
        frame.count()
        handle = TokenizerBroadcasts(spark, TokenizerConfig(path=str(sample / "tokenizer.json"))).for_split(split)
        fused(spark, frame.limit(2000), handle, str(scratch / "warm"))  # JIT and worker start-up outside the timing
        results = {}
        start = time.perf_counter()
        fused(spark, frame, handle, str(scratch / "fused"))
        results["fused mapInArrow pass"] = time.perf_counter() - start
        if not args.skip_baseline:
            start = time.perf_counter()
            reference_style(spark, frame, (sample / "tokenizer.json").read_text(), str(scratch / "reference"))
            results["reference style (row UDFs + joins)"] = time.perf_counter() - start
        cores = spark.sparkContext.defaultParallelism
    print(f"{args.rows} rows, master {args.master} ({cores} cores)")
    base = results.get("reference style (row UDFs + joins)")
    for name, seconds in results.items():
        ratio = f", {base / seconds:.1f}x the reference style" if base else ""
        print(f"  {name:38s} {seconds:8.1f} s  {args.rows / seconds:10.0f} rows/s  {args.rows / seconds / cores:9.0f} rows/s/core{ratio}")


if __name__ == "__main__":
    main()
