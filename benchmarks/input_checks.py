"""What the input checks cost, on realistic rows (benchmarks/realistic_rows.py: the labelled texts of ../shared
tokenized with the Pythia tokenizer), in one Spark session, each timing the best of two runs:

1. JSON Lines read with each row's file and line (`utils/data/sources.json_lines`: the lines counted per file
   block in the same query) vs Spark's own JSON reader with the same schema (no line numbers), both counted and
   written to Parquet;
2. a Parquet directory of int32 and int64 files read with the widest type (the footers read first) vs the same rows
   in int64 files only (Spark's inferred schema);
3. under `--bad-records raise`, the row checks' own job (`first_bad_record`) vs the fused pass
   (detokenize + compression + patterns) that follows it;
4. on one core without Spark, the row checks of one batch (tokens, id, score) vs the fused pass on it.

    python benchmarks/input_checks.py --rows 400000 --master "local[2]"
"""

from __future__ import annotations

import argparse
import json
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

from utils.core.resources import Resources  # noqa: E402
from utils.data.sources import locate_path, read_split  # noqa: E402
from utils.pipeline.fused_pass import FusedPass, apply_plan, first_bad_record  # noqa: E402
from utils.pipeline.plan import build_plan  # noqa: E402
from utils.runtime.spark_session import build_spark_session  # noqa: E402
from utils.runtime.spark_settings import SparkSettings  # noqa: E402
from utils.runtime.tokenizers import TokenizerBroadcasts, TokenizerSettings  # noqa: E402

FILTERS = ("detokenize", "compression", "patterns")


def best_of_two(work) -> float:
    seconds = []
    for _ in range(2):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    return min(seconds)


def write_inputs(ids: np.ndarray, folder: Path) -> dict[str, Path]:
    """The rows as JSON Lines, as Parquet with int32 and int64 files side by side, and as int64 Parquet only."""
    rows = len(ids)
    scores = (np.arange(rows) % 33) / 32
    paths = {"jsonl": folder / "rows.jsonl", "mixed": folder / "mixed", "int64": folder / "int64"}
    with paths["jsonl"].open("w") as handle:
        for i in range(rows):
            handle.write(json.dumps({"sequence_id": i, "tokens": ids[i].tolist(), "memorization_score": scores[i]}) + "\n")
    for name in ("mixed", "int64"):
        paths[name].mkdir()
        for part, chunk in enumerate(np.array_split(np.arange(rows), 8)):
            width = pa.int32() if name == "mixed" and part % 2 else pa.int64()
            tokens = tokens_array(ids[chunk]).cast(pa.list_(width))
            table = pa.table({"sequence_id": pa.array(chunk, width), "tokens": tokens, "memorization_score": scores[chunk]})
            pq.write_table(table, paths[name] / f"part-{part}.parquet")
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    ids, source = realistic_rows(args.rows)
    print(f"rows: {args.rows:,} of {source}")
    folder = Path(tempfile.mkdtemp(prefix="input-checks-"))
    paths = write_inputs(ids, folder)
    spark = build_spark_session(SparkSettings(master=args.master, driver_memory="4g", shuffle_partitions=8))
    spark.sparkContext.setLogLevel("ERROR")
    target = str(folder / "out")

    def write(frame) -> None:
        frame.count()
        frame.write.mode("overwrite").parquet(target)

    json_source = locate_path(str(paths["jsonl"]), "rows")
    schema = "sequence_id long, tokens array<double>, memorization_score double"
    numbered = best_of_two(lambda: write(read_split(spark, json_source)))
    plain = best_of_two(lambda: write(spark.read.schema(schema).json(str(paths["jsonl"]))))
    print(f"1. JSON Lines with file and line: {numbered:.1f} s; Spark's JSON reader alone: {plain:.1f} s (ratio {numbered / plain:.2f})")

    mixed_source = locate_path(str(paths["mixed"]), "mixed")
    widest = best_of_two(lambda: write(read_split(spark, locate_path(str(paths["mixed"]), "mixed"))))
    inferred = best_of_two(lambda: write(spark.read.parquet(str(paths["int64"]))))
    print(
        f"2. int32 + int64 files read as int64 (footers included): {widest:.1f} s; int64 files, Spark's own schema: "
        f"{inferred:.1f} s (ratio {widest / inferred:.2f}); read type {mixed_source.read_schema.field('tokens').type}"
    )

    handle = TokenizerBroadcasts(spark, TokenizerSettings(path=str(TOKENIZER))).for_split(mixed_source.split)
    resources, plan = Resources(tokenizer=handle), build_plan(FILTERS)
    frame = read_split(spark, mixed_source)
    check = best_of_two(lambda: first_bad_record(spark, frame, plan, resources, "local/mixed", handle.vocab_size))
    passed = best_of_two(lambda: write(apply_plan(frame, plan, resources, "local/mixed", "raise", handle.vocab_size)))
    print(f"3. raise: the row checks' job {check:.1f} s beside the fused pass and write {passed:.1f} s (+{check / passed:.0%})")

    batch = frame.limit(20_000).toArrow().combine_chunks().to_batches()[0]
    fused = FusedPass.for_plan(plan, resources, "local/mixed", "null", handle.vocab_size)
    instances = [cls(resources) for cls in plan.filters]
    checks = best_of_two(lambda: fused.checked(batch))
    whole = best_of_two(lambda: fused.process(batch, instances))
    share = f"row checks {checks * 1e3:.1f} ms of the fused pass's {whole * 1e3:.0f} ms ({checks / whole:.1%})"
    print(f"4. one core, {batch.num_rows:,} rows: {share}")
    spark.stop()


if __name__ == "__main__":
    main()
