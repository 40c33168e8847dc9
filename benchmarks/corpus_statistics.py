"""Tokens/s/core of the corpus scan (exact n-gram counts, token counts) on a >= 1-billion-token Megatron corpus.

Generates (once, reused when present) a synthetic Pythia-shaped corpus: records of 2049 uint16 tokens,
with the continuations of some records copied elsewhere so that counts above 1 occur. Then, in one run:

- reference: a single-core numpy prefix-hash kernel (cumulative sums of x_j * B^j, windows by
  difference and multiplication by B^-i, lookup by searchsorted, candidates verified) over a slice
  of the corpus; its counts on that slice are checked against the Spark scan of the same slice;
- Spark `local[N]` end to end (utils/corpus/scan.py): the duplication scan alone, the token count
  alone, and both in one pass, each reading the whole corpus from disk through memory maps.

It prints tokens/s, tokens/s per core, and the peak resident memory of the driver, the JVM and the
Python workers (sampled from /proc while each scan runs).

    python benchmarks/corpus_statistics.py --tokens 1.0e9 --directory /tmp/corpus-bench --master "local[2]"
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metrics.ngram_counts import build_target_table  # noqa: E402
from utils.corpus.megatron import HEADER, MAGIC, VERSION  # noqa: E402
from utils.corpus.readers import CorpusConfig, open_corpus  # noqa: E402
from utils.corpus.scan import scan_corpus  # noqa: E402
from utils.runtime.spark_session import build_spark_session  # noqa: E402
from utils.runtime.spark_settings import SparkSettings  # noqa: E402

RECORD = 2049
N, START = 32, 32
BLOCK = 4096  # records generated and written per step


def generate(prefix: Path, records: int, seed: int = 0) -> None:
    """Random records, plus 5% of each block's continuations copied into other records of the block."""
    rng = np.random.default_rng(seed)
    prefix.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{prefix}.bin.tmp", "wb") as data:
        for first in range(0, records, BLOCK):
            block = rng.integers(0, 50277, size=(min(BLOCK, records - first), RECORD), dtype=np.uint16)
            sources = rng.integers(0, len(block), size=len(block) // 20)
            hosts = rng.integers(0, len(block), size=len(sources))
            offsets = rng.integers(64, RECORD - N, size=len(sources))
            for source, host, offset in zip(sources, hosts, offsets):
                block[host, offset : offset + N] = block[source, START : START + N]
            data.write(block.tobytes())
    sizes = np.full(records, RECORD, np.int32)
    pointers = np.arange(records, dtype=np.int64) * RECORD * 2
    with open(f"{prefix}.idx.tmp", "wb") as index:
        index.write(HEADER.pack(MAGIC, VERSION, 8, records, records + 1))
        index.write(sizes.tobytes())
        index.write(pointers.tobytes())
        index.write(np.arange(records + 1, dtype=np.int64).tobytes())
    os.replace(f"{prefix}.bin.tmp", f"{prefix}.bin")
    os.replace(f"{prefix}.idx.tmp", f"{prefix}.idx")


def numpy_reference(corpus: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, float, float]:
    """(counts per target row, seconds, seconds of the hashes alone): prefix hashes with numpy on one core."""
    base = np.uint64(0x9E3779B97F4A7C15)
    inverse = np.uint64(pow(int(base), -1, 1 << 64))
    powers = np.array([pow(int(base), j, 1 << 64) for j in range(RECORD + 1)], dtype=np.uint64)
    inverse_powers = np.array([pow(int(inverse), j, 1 << 64) for j in range(RECORD)], dtype=np.uint64)

    def hashes(rows: np.ndarray) -> np.ndarray:
        prefix = np.zeros((len(rows), rows.shape[1] + 1), np.uint64)
        np.cumsum(rows.astype(np.uint64) * powers[: rows.shape[1]], axis=1, out=prefix[:, 1:])
        windows = rows.shape[1] - N + 1
        return (prefix[:, N : N + windows] - prefix[:, :windows]) * inverse_powers[:windows]

    started = time.time()
    for first in range(0, len(corpus), 256):
        hashes(corpus[first : first + 256])
    hash_only = time.time() - started
    started = time.time()
    target_hashes = hashes(targets)[:, 0]
    order = np.argsort(target_hashes)
    sorted_hashes = target_hashes[order]
    counts = np.zeros(len(targets), np.int64)
    for first in range(0, len(corpus), 256):
        block = corpus[first : first + 256]
        flat = hashes(block).ravel()
        position = np.minimum(np.searchsorted(sorted_hashes, flat), len(sorted_hashes) - 1)
        hits = np.flatnonzero(sorted_hashes[position] == flat)
        record, offset = np.divmod(hits, RECORD - N + 1)
        windows = np.lib.stride_tricks.sliding_window_view(block, N, axis=1)[record, offset]
        candidates = order[position[hits]]
        equal = (windows == targets[candidates]).all(axis=1)
        np.add.at(counts, candidates[equal], 1)
    return counts, time.time() - started, hash_only


class PeakMemory:
    """Peak summed RSS of this process and its descendants (JVM, Python workers), sampled from /proc."""

    def __init__(self):
        self.peak = 0
        self.running = False

    def __enter__(self):
        self.running = True
        self.thread = threading.Thread(target=self.poll, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()

    def poll(self):
        while self.running:
            self.peak = max(self.peak, sum(_rss(pid) for pid in _tree(os.getpid())))
            time.sleep(0.1)


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    out, stack = [], [root]
    while stack:
        pid = stack.pop()
        out.append(pid)
        stack.extend(children.get(pid, []))
    return out


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokens", type=float, default=1.0e9)
    parser.add_argument("--directory", default="/tmp/corpus-bench")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--targets", type=int, default=200_000, help="distinct continuations to count (rows being scored)")
    parser.add_argument("--reference_records", type=int, default=20_000, help="records the numpy reference scans")
    parser.add_argument("--chunk_tokens", type=int, default=1 << 26)
    args = parser.parse_args()

    records = int(np.ceil(args.tokens / RECORD))
    prefix = Path(args.directory) / "document"
    if not (Path(f"{prefix}.bin").exists() and Path(f"{prefix}.bin").stat().st_size == records * RECORD * 2):
        clock = time.time()
        generate(prefix, records)
        print(f"generated {records} records ({records * RECORD / 1e9:.2f} B tokens) in {time.time() - clock:.0f} s")
    corpus = open_corpus(CorpusConfig(path=str(prefix), record_length=RECORD), "benchmark")
    matrix = np.memmap(f"{prefix}.bin", np.uint16, "r", shape=(records, RECORD))
    rng = np.random.default_rng(1)
    rows = np.sort(rng.choice(records, size=min(args.targets, records), replace=False))
    targets = np.asarray(matrix[rows, START : START + N])
    table = build_target_table(targets)
    cores = int(args.master[6:-1]) if args.master.startswith("local[") and args.master[6:-1].isdigit() else os.cpu_count()
    total_tokens = records * RECORD

    reference_slice = np.asarray(matrix[: args.reference_records])
    reference_counts, reference_seconds, hash_seconds = numpy_reference(reference_slice, table.ngrams)
    reference_rate = reference_slice.size / reference_seconds
    print(
        f"numpy prefix-hash reference, 1 core, {reference_slice.size / 1e6:.0f} M tokens: "
        f"{reference_rate / 1e6:.1f} M tokens/s with lookup "
        f"and verification ({reference_slice.size / hash_seconds / 1e6:.0f} M tokens/s for the hashes alone)"
    )

    spark = build_spark_session(SparkSettings(master=args.master, driver_memory="4g", ui_port=4060, log_level="ERROR"))
    try:
        from utils.corpus.readers import Corpus

        class Slice(Corpus):  # the reference's records, to cross-check its counts
            def __init__(self, inner, stop):
                self.inner, self.config, self.dtype, self.files, self.records = inner, inner.config, inner.dtype, inner.files, stop

            def chunks(self, chunk_tokens):
                return [c for c in self.inner.chunks(chunk_tokens) if c.first_record < self.records]

            def read(self, chunk):
                tokens, starts, lengths, ids = self.inner.read(chunk)
                keep = ids < self.records
                return tokens, starts[keep], lengths[keep], ids[keep]

        check = scan_corpus(spark, Slice(corpus, args.reference_records), args.chunk_tokens, table, False, None)
        assert (check.ngram_counts == reference_counts).all(), "numpy reference and Spark scan disagree"
        print("reference counts == Spark scan counts on the reference slice: yes")
        warm = min(records, 2 * max(1, args.chunk_tokens // RECORD))  # two tasks: start both Python workers, load numba code
        scan_corpus(spark, Slice(corpus, warm), args.chunk_tokens, table, True, None)

        results = {}
        for name, use_table, count_tokens in (
            ("duplication scan", True, False),
            ("token count", False, True),
            ("both in one pass", True, True),
        ):
            with PeakMemory() as memory:
                result = scan_corpus(spark, corpus, args.chunk_tokens, table if use_table else None, count_tokens, None)
            results[name] = result
            rate = total_tokens / result.seconds
            print(
                f"{name:18s} {args.master}: {total_tokens / 1e9:.2f} B tokens in {result.seconds:6.1f} s = {rate / 1e6:7.1f} M tokens/s, "
                f"{rate / cores / 1e6:6.1f} M tokens/s/core ({rate / cores / reference_rate:.1f}x the numpy reference per core); "
                f"peak RSS driver+JVM+workers {memory.peak / 2**30:.2f} GiB"
            )
        counts = results["duplication scan"].ngram_counts
        print(f"{table.size} distinct targets; counts: min {counts.min()}, max {counts.max()}, rows with count > 1: {(counts > 1).sum()}")
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
