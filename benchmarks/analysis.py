"""Fit time of `calculate_metrics.py analyze` (utils/analysis) on a large synthetic control split, and the share of the
time spent in Spark jobs (summed from the Spark UI's REST API) vs on the driver.

The split has the 14 features of docs/METRICS.md with realistic shapes (heavy-tailed counts and perplexities, one flag),
three categories drawn from the duplication count and the flag, and labels from a different logistic model per category.

    python benchmarks/analysis.py [--rows 5000000] [--master "local[2]"] [--thresholds 6] [--directory /tmp/analysis-bench]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from utils.analysis.data import FEATURES  # noqa: E402
from utils.analysis.run import analyze_split  # noqa: E402
from utils.pipeline.config import SparkConfig  # noqa: E402
from utils.runtime.spark_session import build_spark_session  # noqa: E402


def write_split(directory: Path, rows: int, seed: int = 0, per_file: int = 500_000) -> None:
    """The synthetic split in files of `per_file` rows (reused when present)."""
    if (directory / "_done").is_file():
        return
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for number, start in enumerate(range(0, rows, per_file)):
        n = min(per_file, rows - start)
        duplicates = np.floor(rng.lognormal(0.5, 1.5, n)).astype(np.int64) + 1
        templating = rng.random(n) < 0.1
        frequency = rng.lognormal(10, 1, (n, 7))
        perplexity = rng.lognormal(2.5, 0.8, (n, 3))
        columns = {
            "sequence_id": np.arange(start, start + n, dtype=np.int64),
            "sequence_duplicates": duplicates,
            "is_templating": templating,
        }
        for i, name in enumerate(("max_frequency", "avg_frequency", "min_frequency", "median_frequency", "p25_frequency", "p75_frequency")):
            columns[name] = frequency[:, i]
        for i, name in enumerate(("generation_perplexity", "prompt_perplexity", "sequence_perplexity")):
            columns[name] = perplexity[:, i]
        columns["huffman_coding_length"] = rng.normal(4.5, 0.5, n)
        snowclones = rng.poisson(3, n)
        columns["semantic_snowclones"] = list(np.stack([snowclones, snowclones // 2], axis=1))
        columns["semantic_templates"] = list(np.stack([snowclones // 3, snowclones // 6], axis=1))
        recitation, reconstruction = duplicates >= 6, ~(duplicates >= 6) & templating
        z = -np.log(perplexity[:, 0]) + 0.3 * (columns["huffman_coding_length"] - 4.5)
        logit = np.where(recitation, -1 + 0.6 * np.log(duplicates) + z, np.where(reconstruction, 0.5 + 0.5 * z, -3 + 0.8 * z))
        memorized = rng.random(n) < 1 / (1 + np.exp(-logit))
        columns["memorization_score"] = np.where(memorized, 1.0, rng.integers(0, 32, n) / 32)
        pd.DataFrame(columns).to_parquet(directory / f"part-{number:05d}.parquet")
    (directory / "_done").write_text(str(rows))


def job_seconds(spark) -> float:
    """Sum of the durations of every finished Spark job of this application (Spark UI REST API)."""
    url = f"{spark.sparkContext.uiWebUrl}/api/v1/applications/{spark.sparkContext.applicationId}/jobs"
    jobs = json.load(urllib.request.urlopen(url))

    def parse(stamp: str) -> float:
        return pd.Timestamp(stamp.replace("GMT", "Z")).timestamp()

    return sum(parse(j["completionTime"]) - parse(j["submissionTime"]) for j in jobs if j.get("completionTime"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--thresholds", default="6", help="recitation thresholds of the sweep")
    parser.add_argument("--directory", default="/tmp/analysis-bench")
    args = parser.parse_args()
    split = Path(args.directory) / f"rows-{args.rows}"
    clock = time.time()
    write_split(split, args.rows)
    print(f"synthetic split: {args.rows:,} rows at {split} ({time.time() - clock:.0f} s to write or find)")
    spark = build_spark_session(SparkConfig(master=args.master, driver_memory="4g", shuffle_partitions=8, ui_port=4070))
    before = job_seconds(spark)
    clock = time.time()
    thresholds = [int(t) for t in args.thresholds.split(",") if t]
    settings = {"recitation_threshold": 6, "semantic_thresholds": [0.8, 0.9]}
    result = analyze_split(spark, str(split), "bench", list(FEATURES), 1024, settings, thresholds)
    wall = time.time() - clock
    in_jobs = job_seconds(spark) - before
    jobs = len(spark.sparkContext.statusTracker().getJobIdsForGroup(None))
    performance = pd.DataFrame(result["tables"]["performance"])
    test = performance[(performance.part == "test") & (performance.category == "all")][["model", "rows", "roc_auc", "pr_auc", "ece"]]
    print(test.to_string(index=False))
    driver = wall - in_jobs
    print(f"analyze_split: {wall:.1f} s wall, {in_jobs:.1f} s in {jobs} Spark jobs ({in_jobs / wall:.0%}), {driver:.1f} s on the driver")
    print(f"fits: {1 + 3 * (1 + len(thresholds))}; master {args.master}")


if __name__ == "__main__":
    main()
