"""Time of `calculate_metrics.py analyze` (utils/analysis) against the same work done in one process with pandas,
statsmodels, scikit-learn and scipy (benchmarks/analysis_reference.py), and the number of Spark jobs it starts.

Three measurements, each with its baseline in the same run:
- large: one synthetic control split of --rows rows, the default command (nl groups, six sweep thresholds,
  correlations, detection), time after the Spark session is up; then the same split with one sweep threshold (the
  Spark jobs must not change); then the reference on the same Parquet, in this process.
- small: --small-splits splits of --small-rows rows, `calculate_metrics.py analyze` as a command (Spark start-up
  included) against the reference as a command.
- sample (with --sample-run RUN_DIR, a run of `calculate_metrics.py --sample`): `analyze` on it after the session is up.

The synthetic split has the 14 features of docs/METRICS.md with realistic shapes (heavy-tailed duplicate counts and
token frequencies, log-normal perplexities, a templating flag), nl_score and the likelihood scores, three categories
from the duplication count and the flag, and labels from a different logistic model per category.

    python benchmarks/analysis.py [--rows 5000000] [--small-rows 60000] [--small-splits 2] [--engine auto|cluster]
                                  [--sample-run outputs/RUN_ID] [--skip large,small,reference] [--directory /tmp/analysis-bench]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from utils.analysis.data import FEATURES  # noqa: E402
from utils.analysis.run import SWEEP_THRESHOLDS, analyze, analyze_split  # noqa: E402
from utils.runtime.spark_session import build_spark_session  # noqa: E402
from utils.runtime.spark_settings import SparkSettings  # noqa: E402

SETTINGS = {"recitation_threshold": 6, "semantic_thresholds": [0.8, 0.9]}


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
        columns["nl_score"] = rng.beta(0.6, 0.6, n)
        columns["loss"] = np.log(perplexity[:, 2])
        columns["min_k_prob"] = -columns["loss"] * 2 - rng.gamma(1.0, 1.0, n)
        columns["zlib_likelihood_ratio"] = columns["loss"] / rng.normal(120, 20, n).clip(40)
        columns["templating_coverage"] = np.where(templating, rng.uniform(0.65, 1, n), rng.beta(0.3, 6, n))
        pd.DataFrame(columns).to_parquet(directory / f"part-{number:05d}.parquet")
    (directory / "_done").write_text(str(rows))


def run_command(command: list[str]) -> float:
    clock = time.time()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env={**os.environ, "SPARK_LOCAL_IP": "127.0.0.1"})
    if result.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return time.time() - clock


def large(spark, directory: Path, rows: int, engine: str, with_reference: bool) -> None:
    from benchmarks.analysis_reference import analyze_frame, load

    split = directory / f"rows-{rows}"
    clock = time.time()
    write_split(split, rows)
    print(f"synthetic split: {rows:,} rows at {split} ({time.time() - clock:.0f} s to write or find)")
    timings = {}
    for name, sweep in (("default command (6 sweep thresholds)", list(SWEEP_THRESHOLDS)), ("one sweep threshold", [6])):
        clock = time.time()
        result = analyze_split(spark, str(split), "bench", list(FEATURES), 1024, SETTINGS, sweep, engine=engine)
        timings[name] = time.time() - clock
        summary = result["summary"]
        print(
            f"analyze, {name}: {timings[name]:.1f} s, {summary['fits']} fits, {summary['engine']} engine, "
            f"{summary['spark_jobs']} Spark jobs, separated {summary['separated_fits']}"
        )
    performance = pd.DataFrame(result["tables"]["performance"])
    print(
        performance[(performance.part == "test") & (performance.category == "all")][
            ["group", "model", "rows", "roc_auc", "pr_auc", "ece"]
        ].to_string(index=False)
    )
    print(f"peak memory of this process so far: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.1f} GiB")
    if not with_reference:
        return
    clock = time.time()
    counts = analyze_frame(load(str(split)), list(SWEEP_THRESHOLDS))
    reference = time.time() - clock
    default = timings["default command (6 sweep thresholds)"]
    print(f"reference in this process (read, {counts}): {reference:.1f} s; analyze / reference = {default / reference:.2f}")


def small(directory: Path, rows: int, splits: int, engine: str) -> None:
    run_dir = directory / f"run-{splits}x{rows}"
    labels = [f"pile/bench.{i}" for i in range(splits)]
    for i, label in enumerate(labels):
        write_split(run_dir / label, rows, seed=i + 1)
    command = [sys.executable, "calculate_metrics.py", "analyze", str(run_dir), "--split", ",".join(labels), "--master", "local[2]"]
    ours = run_command([*command, "--engine", engine])
    reference = run_command([sys.executable, "benchmarks/analysis_reference.py", *(str(run_dir / label) for label in labels)])
    print(
        f"{splits} splits x {rows:,} rows, as commands: analyze {ours:.1f} s (Spark start-up included), "
        f"reference {reference:.1f} s, ratio {ours / reference:.2f}"
    )


def sample(spark, run_dir: str, engine: str) -> None:
    from utils.data.storage import Storage

    storage = Storage(spark)
    clock = time.time()
    result = analyze(spark, storage, storage.qualify(str(Path(run_dir).resolve())), None, None, 1024, engine=engine, progress=print)
    print(f"sample run {run_dir}: analyze {time.time() - clock:.1f} s after the session is up ({len(result['analyzed'])} splits)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--small-rows", type=int, default=60_000)
    parser.add_argument("--small-splits", type=int, default=2)
    parser.add_argument("--engine", default="auto", choices=("auto", "driver", "cluster"))
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--sample-run", help="a run directory of `calculate_metrics.py --sample` to analyze too")
    parser.add_argument("--skip", default="", help="comma list to skip: large, small, reference (the large split's baseline)")
    parser.add_argument("--directory", default="/tmp/analysis-bench")
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    directory = Path(args.directory)
    if "small" not in skip:
        small(directory, args.small_rows, args.small_splits, args.engine)
    if "large" in skip and not args.sample_run:
        return
    clock = time.time()
    spark = build_spark_session(
        SparkSettings(
            master=args.master, driver_memory="4g", shuffle_partitions=8, ui_port=4070, conf={"spark.ui.showConsoleProgress": "false"}
        )
    )
    print(f"Spark session up in {time.time() - clock:.1f} s (master {args.master})")
    if args.sample_run:
        sample(spark, args.sample_run, args.engine)
    if "large" not in skip:
        large(spark, directory, args.rows, args.engine, "reference" not in skip)


if __name__ == "__main__":
    main()
