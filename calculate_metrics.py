"""Attach memorization metrics to Pythia memorized-evals / Pile-sample splits with Spark; write Parquet.

python calculate_metrics.py --sample                         # offline sample, no network
python calculate_metrics.py --models 70m,160m --schemes deduped --datasets memories
python calculate_metrics.py --config configs/default.yaml --master spark://host:7077
python calculate_metrics.py analyze outputs/RUN_ID           # predictive model of memorization
python calculate_metrics.py report outputs/RUN_ID            # HTML report of a finished run
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from pathlib import Path
from typing import Any

from utils.core.errors import ConfigError, PipelineError
from utils.pipeline.config import build_config, load_yaml, merge

SAMPLE_CONFIG = Path(__file__).resolve().parent / "configs" / "sample.yaml"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The main job's flags, or a subcommand (`report`) with its own; `--help` lists both."""
    parser = argparse.ArgumentParser(
        usage="%(prog)s [flags]  (the main job)\n       %(prog)s analyze RUN_DIR [--split S]\n       %(prog)s report RUN_DIR",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", title="commands (without one, the flags run the main job)", metavar="COMMAND")
    report_parser = commands.add_parser("report", help=report.__doc__, description=report.__doc__)
    report_parser.add_argument("run_dir", help="a run directory (local path)")
    analyze_parser = commands.add_parser("analyze", help=analyze.__doc__, description=analyze.__doc__)
    analyze_parser.add_argument("run_dir", help="a run directory (any path Spark reads: local, hdfs://, s3a://)")
    analyze_parser.add_argument("--split", help="comma list of dataset/split to analyze (default: every Pile split of the run)")
    analyze_parser.add_argument("--features", help="comma list of features (default: docs/METRICS.md's list, those present)")
    analyze_parser.add_argument("--seed", type=int, default=1024, help="seed of the 80/20 train/test split (default 1024, the reference's)")
    analyze_parser.add_argument("--thresholds", default="2,4,6,10,20,50", help="recitation thresholds of the sweep ('' for none)")
    analyze_parser.add_argument(
        "--engine",
        choices=("auto", "driver", "cluster"),
        default="auto",
        help="where a split's rows are fitted: in the driver process (one Spark job reads them), on the cluster (a Spark job "
        "per Newton iteration), or auto: the driver when they fit --driver-budget (default auto)",
    )
    analyze_parser.add_argument(
        "--driver-budget", default="2g", help="bytes of a split's analysis columns the driver may hold (default 2g)"
    )
    analyze_parser.add_argument("--master", help="Spark master (default from --config, else local[*])")
    analyze_parser.add_argument("--break-lock", action="store_true", help="take over the run directory's lock (its holder is dead)")
    analyze_parser.add_argument("--config", help="YAML config whose spark section to use")
    parser.add_argument("--config", help="YAML config file (see configs/default.yaml)")
    parser.add_argument("--sample", action="store_true", help="run on the bundled offline sample (configs/sample.yaml)")
    parser.add_argument("--run-id", help="name of the run directory under --output (default: UTC timestamp)")
    parser.add_argument("--models", help="comma list of model sizes, e.g. 70m,160m")
    parser.add_argument("--schemes", help="comma list: duped,deduped")
    parser.add_argument("--datasets", help="comma list: memories,pile,local")
    parser.add_argument("--splits", help="comma list of memorized-evals split names, e.g. duped.12b.23000 (overrides models x schemes)")
    parser.add_argument("--local-inputs", help="comma list of Parquet/JSON Lines paths for dataset 'local'")
    parser.add_argument("--sample-size", type=int, help="random sample of this many rows per split")
    parser.add_argument("--sample-seed", type=int, help="seed of that sample")
    parser.add_argument("--filters", help="comma list of filters, in order")
    parser.add_argument("--plugins", help="comma list of modules or .py files that register more filters, sections and resources")
    parser.add_argument("--output", help="output root directory (default outputs/)")
    parser.add_argument("--master", help="Spark master: local[*], spark://HOST:7077, yarn, k8s://...")
    parser.add_argument("--tokenizer", help="tokenizer.json (or its directory) to use instead of the split's model")
    parser.add_argument("--bad-records", choices=("null", "raise"), help="keep bad rows flagged (null) or stop (raise)")
    parser.add_argument("--overwrite", action="store_true", help="recompute splits already complete in this --run-id")
    parser.add_argument("--break-lock", action="store_true", help="take over the run directory's lock (its holder is dead)")
    parser.add_argument("--concurrent-splits", type=int, help="compute this many splits at the same time (default 1)")
    parser.add_argument("--dry-run", action="store_true", help="validate and print the plan; run nothing")
    parser.add_argument("--quiet", action="store_true", help="log warnings only")
    return parser.parse_args(dashed_flags(argv))


def dashed_flags(argv: list[str] | None) -> list[str] | None:
    """`--run_id` and `--run-id` are one flag: underscores in a flag's name become dashes (its value is kept)."""
    if argv is None:
        return None
    out = []
    for arg in argv:
        if arg.startswith("--") and arg != "--":
            name, sep, value = arg.partition("=")
            arg = name.replace("_", "-") + sep + value
        out.append(arg)
    return out


def overrides_from_args(args: argparse.Namespace) -> dict[str, Any]:
    sections: dict[str, dict[str, Any]] = {"run": {}, "data": {}, "spark": {}, "tokenizer": {}}
    for name, section, key in (
        ("run_id", "run", "run_id"),
        ("output", "run", "output"),
        ("models", "data", "models"),
        ("schemes", "data", "schemes"),
        ("datasets", "data", "datasets"),
        ("splits", "data", "splits"),
        ("local_inputs", "data", "local_inputs"),
        ("sample_size", "data", "sample_size"),
        ("sample_seed", "data", "sample_seed"),
        ("concurrent_splits", "run", "concurrent_splits"),
        ("bad_records", "data", "bad_records"),
        ("master", "spark", "master"),
        ("tokenizer", "tokenizer", "path"),
    ):
        value = getattr(args, name)
        if value is not None:
            sections[section][key] = value
    for flag in ("overwrite", "dry_run", "break_lock"):
        if getattr(args, flag):
            sections["run"][flag] = True
    raw: dict[str, Any] = {key: value for key, value in sections.items() if value}
    if args.filters is not None:
        raw["filters"] = args.filters
    if args.plugins is not None:
        raw["plugins"] = args.plugins
    return raw


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.command == "report":
        return report(args.run_dir)
    logging.basicConfig(
        level=logging.WARNING if getattr(args, "quiet", False) else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if args.command == "analyze":
        return analyze(args)
    try:
        raw: dict[str, Any] = {}
        if args.sample:
            raw = load_yaml(SAMPLE_CONFIG)
        if args.config:
            raw = merge(raw, load_yaml(args.config))
        config = build_config(merge(raw, overrides_from_args(args)))
        from utils.pipeline.preflight import describe, prepare
        from utils.pipeline.run import run

        if config.run.dry_run:
            print(describe(config, prepare(config)))
            return 0
        manifest = run(config)
    except PipelineError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(
        f"Wrote {sum(s['output_rows'] for s in manifest['splits'].values())} rows in {len(manifest['splits'])} split(s) "
        f"to {manifest['run_dir']}"
    )
    for label, split in manifest["splits"].items():
        flagged = sum(split.get("flagged_rows", {}).values())
        print(
            f"  {label}: {split['output_rows']} rows"
            + (f", {flagged} flagged" if flagged else "")
            + (f" ({split['skipped']})" if split.get("skipped") else "")
        )
    return 0


def analyze(args: argparse.Namespace) -> int:
    """Fit the predictive model of memorization (baseline and per-category logistic regressions) on a run's Pile
    split(s), and how well single scores detect memorization; write RUN_DIR/_analysis (tables, figures)."""
    try:
        raw = merge({"spark": {"conf": {"spark.ui.showConsoleProgress": "false"}}}, load_yaml(args.config) if args.config else {})
        if args.master:
            raw = merge(raw, {"spark": {"master": args.master}})
        config = build_config(raw)
        try:
            thresholds = [int(t) for t in args.thresholds.split(",") if t.strip()]
        except ValueError as error:
            raise ConfigError(f"--thresholds must be whole numbers ({error})") from None
        budget = byte_size(args.driver_budget, "--driver-budget")
        splits = [s.strip() for s in args.split.split(",") if s.strip()] if args.split else None
        features = [f.strip() for f in args.features.split(",") if f.strip()] if args.features else None
        from utils.analysis.run import LocalFiles, choose_splits, is_local
        from utils.analysis.run import analyze as run_analysis

        run_dir = args.run_dir.rstrip("/")
        if is_local(run_dir):  # checked before Spark starts; other file systems need Spark's Hadoop client
            run_dir = str(Path(run_dir.removeprefix("file:")).resolve())
            choose_splits(run_dir, LocalFiles(), splits)
        from utils.data.run_lock import RunLock
        from utils.data.storage import Storage
        from utils.runtime.spark_session import build_spark_session

        spark = build_spark_session(config.spark)
        storage = Storage(spark)
        run_dir = storage.qualify(run_dir)
        # The run's own lock: no analysis of a run still being written, and no two analyses writing _analysis at once.
        with RunLock(storage, run_dir, "analyze", args.break_lock) if storage.exists(run_dir) else contextlib.nullcontext():
            result = run_analysis(spark, storage, run_dir, splits, features, args.seed, thresholds, args.engine, budget, progress=print)
    except PipelineError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    skipped = result["skipped"]
    print(
        f"Wrote {result['directory']} ({len(result['analyzed'])} split(s)"
        + (f"; skipped {len(skipped)}: {', '.join(skipped)}" if skipped else "")
        + ")"
    )
    return 0


def byte_size(text: str, flag: str) -> int:
    """'2g', '512m', '1048576' -> bytes."""
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
    value = text.strip().lower().removesuffix("b")
    try:
        return int(float(value[:-1]) * units[value[-1]]) if value and value[-1] in units else int(value)
    except ValueError:
        raise ConfigError(f"{flag} {text!r}: give bytes, or a number with k, m, g or t") from None


def report(run_dir: str) -> int:
    """Write RUN_DIR/_report/index.html (figures and tables) from the run's Parquet alone."""
    from utils.reporting.page import build_report

    try:
        page = build_report(run_dir)
    except PipelineError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"Wrote {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
