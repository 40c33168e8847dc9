"""The sensitive_content filter: agreement with the labelled snippets, findings on real Pythia text, and its speed.

Prints:
1. precision and recall per kind on tests/metrics/sensitive_cases.py (generated snippets, fake values with valid
   checksums, hard negatives from code, logs, licences and tables);
2. what it finds in real text (benchmarks/realistic_rows.py: the labelled texts of ../shared tokenized with the
   Pythia tokenizer, 64 ids per row, decoded) and in real code (the running interpreter's standard library,
   site-packages left out, in 250-character chunks), per kind; `--show N` prints N random findings per kind with
   their context, so a person can judge them (public Pile data and CPython's own source);
3. texts/s on one core (process CPU time) of ours (RE2 gates, then only the detectors that can match) beside the
   libraries called on every text (every detector, every plugin on every line: `gated=False`), same texts, same
   findings, on the real rows and on 5,000 distinct chunks of the standard library (the rows repeat 1,252 texts,
   which keeps RE2's DFA cache warmer than new text does);
4. the fused CPU pass (detokenize + compression + patterns) on one core with and without sensitive_content, and,
   with --cli, the whole CLI on `local[2]` with and without it.

    python benchmarks/sensitive_content.py --rows 20000 [--show 20] [--cli]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from fused_pass import FILTERS, _cpu_seconds, _LocalHandle, _with_identity_columns  # noqa: E402
from realistic_rows import TOKENIZER, realistic_rows, tokens_array  # noqa: E402

from filters.sensitive_content import SensitiveContentSettings  # noqa: E402
from metrics.sensitive_content import KINDS, kinds_of, sensitive_findings  # noqa: E402
from tests.metrics.sensitive_cases import agreement, labelled_snippets  # noqa: E402
from utils.core.resources import Resources  # noqa: E402
from utils.pipeline.fused_pass import FusedPass  # noqa: E402
from utils.pipeline.plan import build_plan  # noqa: E402
from utils.runtime.tokenizers import parse_tokenizer  # noqa: E402
from utils.sample.build import ensure_sample  # noqa: E402
from utils.sample.settings import SampleSettings  # noqa: E402


def print_agreement() -> None:
    snippets = labelled_snippets()
    scores = agreement(snippets, lambda text: kinds_of(sensitive_findings(text)))
    positives = sum(bool(truth) for _, truth in snippets)
    print(f"labelled snippets: {len(snippets)} ({positives} with one kind, {len(snippets) - positives} hard negatives)")
    print(f"  {'kind':24s} {'precision':>9s} {'recall':>7s} {'TP':>4s} {'FP':>4s} {'FN':>4s}")
    for kind in KINDS:
        s = scores[kind]
        print(f"  {kind:24s} {s['precision']:9.3f} {s['recall']:7.3f} {s['true_positives']:4d} {s['false_positives']:4d} {s['misses']:4d}")


def findings_in(texts: list[str], label: str, show: int) -> None:
    """Rows holding each kind (and findings), and `show` random findings per kind with 30 characters either side."""
    counts: Counter = Counter()
    rows: Counter = Counter()
    examples: dict[str, list[str]] = {}
    for text in texts:
        findings = sensitive_findings(text)
        counts.update(f.kind for f in findings)
        rows.update(set(kinds_of(findings)))
        for f in findings:
            examples.setdefault(f.kind, []).append(text[max(0, f.start - 30) : f.end + 30].replace("\n", "\\n"))
    found = ", ".join(f"{k} {rows[k]} rows ({counts[k]})" for k in KINDS if counts[k]) or "none"
    print(f"\nfindings in {label}: {found}")
    for kind in KINDS if show else ():
        chosen = random.Random(1).sample(examples.get(kind, []), min(show, len(examples.get(kind, []))))
        for context in chosen:
            print(f"    {kind:22s} ...{context}...")


def standard_library_chunks(size: int = 250) -> list[str]:
    """The running interpreter's standard library (site-packages left out) in chunks of `size` characters."""
    root = Path(sysconfig.get_paths()["stdlib"])
    chunks = []
    for path in sorted(root.rglob("*.py")):
        if "site-packages" in path.parts:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        chunks.extend(text[i : i + size] for i in range(0, len(text), size))
    return chunks


def speed(texts: list[str], label: str) -> None:
    gated = len(texts) / _cpu_seconds(lambda: [sensitive_findings(t) for t in texts])
    plain = len(texts) / _cpu_seconds(lambda: [sensitive_findings(t, gated=False) for t in texts], repeats=1)
    print(f"\none core, {label} (process CPU time):")
    print(f"  every detector on every text (the libraries as documented)  {plain:10,.0f} texts/s")
    print(f"  ours: RE2 gates, then the detectors that can match          {gated:10,.0f} texts/s ({gated / plain:.1f}x, same findings)")


def fused_pass_rates(ids: np.ndarray, tokenizer_json: str) -> None:
    from metrics.detokenize import Detokenizer

    tokenizer = parse_tokenizer(tokenizer_json, "benchmark")
    handle = _LocalHandle(tokenizer, Detokenizer.for_tokenizer(tokenizer))
    batch = _with_identity_columns(pa.RecordBatch.from_pydict({"sequence_id": np.arange(len(ids)), "tokens": tokens_array(ids)}))
    resources = Resources([SensitiveContentSettings()], tokenizer=handle)
    rates = {}
    for filters in (FILTERS, (*FILTERS, "sensitive_content")):
        pass_ = FusedPass.for_plan(build_plan(filters), resources, "bench", "null", tokenizer.get_vocab_size(with_added_tokens=True))
        rates[filters] = len(ids) / _cpu_seconds(lambda p=pass_: list(p(iter(batch.to_batches(max_chunksize=10_000)))))
    without, with_ = rates[FILTERS], rates[(*FILTERS, "sensitive_content")]
    print(f"\nfused pass, one core, {len(ids):,} rows:")
    print(f"  {' + '.join(FILTERS):55s} {without:10,.0f} rows/s")
    print(f"  {' + '.join((*FILTERS, 'sensitive_content')):55s} {with_:10,.0f} rows/s ({100 * (1 - with_ / without):.0f} % slower)")


def cli_rates(ids: np.ndarray, master: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        rows_path = scratch / "rows.parquet"
        pq.write_table(pa.table({"index": np.arange(len(ids)), "tokens": tokens_array(ids)}), rows_path, row_group_size=50_000)
        print(f"\nwhole CLI, master {master}, {len(ids):,} rows (compute, write and tally step from the manifest):")
        for filters in (FILTERS, (*FILTERS, "sensitive_content")):
            run_id = "with" if "sensitive_content" in filters else "without"
            command = [sys.executable, str(ROOT / "calculate_metrics.py"), "--datasets", "local", "--local-inputs", str(rows_path)]
            command += ["--tokenizer", str(TOKENIZER), "--filters", ",".join(filters), "--output", str(scratch), "--run-id", run_id]
            start = time.perf_counter()
            subprocess.run([*command, "--master", master, "--quiet"], check=True, cwd=ROOT, capture_output=True)
            wall = time.perf_counter() - start
            split = next(iter(json.loads((scratch / run_id / "_manifest.json").read_text())["splits"].values()))
            compute = split["seconds"]["compute_write_and_tally"]
            print(f"  {' + '.join(filters):55s} {len(ids) / compute:10,.0f} rows/s ({wall:.1f} s wall)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--show", type=int, default=0, help="print this many random findings per kind, with context")
    parser.add_argument("--cli", action="store_true", help="also time the whole CLI with and without the filter")
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    sample = ensure_sample(SampleSettings())
    ids, source = realistic_rows(args.rows, sample)
    tokenizer_path = TOKENIZER if TOKENIZER.is_file() else sample / "tokenizer.json"
    tokenizer_json = tokenizer_path.read_text(encoding="utf-8")
    texts = parse_tokenizer(tokenizer_json, "benchmark").decode_batch(ids.tolist(), skip_special_tokens=False)
    print(f"rows: {args.rows:,} from {source}\n")
    print_agreement()
    findings_in(list(dict.fromkeys(texts)), f"{len(set(texts)):,} distinct real rows", args.show)
    chunks = standard_library_chunks()
    findings_in(chunks, f"{len(chunks):,} chunks of 250 characters of the Python standard library", args.show)
    sensitive_findings("warm up: imports and phone metadata")
    # The rows above cycle 1,252 texts; RE2's DFA cache is also timed on text it has never seen (module regex_gates).
    speed(texts[: min(len(texts), 5000)], f"{min(len(texts), 5000):,} of the real rows")
    speed(chunks[-5000:], "5,000 distinct 250-character chunks of the standard library")
    fused_pass_rates(ids, tokenizer_json)
    if args.cli:
        cli_rates(ids, args.master)


if __name__ == "__main__":
    main()
