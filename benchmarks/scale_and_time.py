"""Seconds and Spark jobs of analyze's comparisons across scale and time at the size of the real memorized-evals data.

Writes a run directory of memorized-evals splits shaped like the real ones (the 8 final sizes and the 6 intermediate
12B checkpoints of one scheme; a larger or later model memorizes a superset of most of what a smaller or earlier one
does, plus its own; ids are Pile indices), then times `predictability_tables` beside the same pairs computed with
pandas on the driver (ids collected, Python sets), and checks they agree.

    python benchmarks/scale_and_time.py --largest 1500000 --master "local[2]"
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from metrics.taxonomy import CATEGORIES  # noqa: E402
from utils.analysis.predictability import predictability_tables  # noqa: E402
from utils.data.splits import INTERMEDIATE_STEPS_12B, MODEL_SIZES  # noqa: E402

PILE_SEQUENCES = 146_432_000  # 143,000 steps x 1,024 sequences


def write_splits(root: Path, largest: int, seed: int = 0) -> list[str]:
    """Nested memorized sets: the final 12B split holds `largest` ids; each smaller or earlier one keeps ~80 % of the
    next one's and adds 5 % of its own."""
    rng = np.random.default_rng(seed)
    order = [f"duped.{size}" for size in MODEL_SIZES[:-1]] + [f"duped.12b.{step}" for step in INTERMEDIATE_STEPS_12B]
    ids = rng.choice(PILE_SEQUENCES, largest, replace=False)
    labels = []
    for name in ["duped.12b", *reversed(order)]:
        keep = ids[rng.random(len(ids)) < 0.8] if labels else ids
        ids = np.unique(np.concatenate([keep, rng.choice(PILE_SEQUENCES, len(keep) // 20, replace=False)]))
        category = np.array(CATEGORIES, dtype=object)[rng.integers(0, 3, len(ids))]
        path = root / "memories" / name
        path.mkdir(parents=True)
        pq.write_table(pa.table({"sequence_id": ids, "taxonomy": category.tolist()}), path / "part-0.parquet")
        labels.append(f"memories/{name}")
    return labels


def driver_pairs(root: Path, labels: list[str]) -> dict[tuple[str, str], int]:
    """|A ∩ B| of every pair with Python sets of ids read on the driver (the baseline)."""
    sets = {label: set(pq.read_table(root / label, columns=["sequence_id"]).column(0).to_numpy().tolist()) for label in labels}
    return {(a, b): len(sets[a] & sets[b]) for a in labels for b in labels if a != b}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--largest", type=int, default=1_500_000, help="ids memorized by the final 12B model")
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    from utils.runtime.spark_session import build_spark_session
    from utils.runtime.spark_settings import SparkSettings

    spark = build_spark_session(SparkSettings(master=args.master, driver_memory="4g", shuffle_partitions=8, log_level="ERROR"))
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        labels = write_splits(root, args.largest)
        rows = sum(pq.read_metadata(next((root / label).glob("*.parquet"))).num_rows for label in labels)
        print(f"{len(labels)} memorized-evals splits, {rows:,} rows in all (the final 12B: {args.largest:,})")
        for attempt in ("first", "second"):
            jobs = len(spark.sparkContext.statusTracker().getJobIdsForGroup(None))
            started = time.time()
            tables, _ = predictability_tables(spark, str(root), labels)
            seconds = time.time() - started
            jobs = len(spark.sparkContext.statusTracker().getJobIdsForGroup(None)) - jobs
            print(f"  predictability_tables ({attempt} run): {seconds:.1f} s, {jobs} Spark jobs, {len(tables['predictability'])} pairs")
        started = time.time()
        baseline = driver_pairs(root, labels)
        seconds_baseline = time.time() - started
        print(f"  baseline, ids to the driver and Python sets: {seconds_baseline:.1f} s")
        wrong = [row for row in tables["predictability"] if row["both"] != baseline[(row["predictor"], row["target"])]]
        print(f"  pairs that differ from the baseline: {len(wrong)}")
    spark.stop()
    return 0 if not wrong else 1


if __name__ == "__main__":
    sys.exit(main())
