"""One Spark pass over a corpus: token counts and exact counts of wanted n-grams (metrics/ngram_counts.py).

The corpus is cut into chunks of consecutive records (`statistics.chunk_tokens` tokens each); each
Spark task reads its chunk through memory maps, counts, and returns dense token counts plus the
non-zero n-gram counts, which a tree reduction sums. The target table and the memorized record ids
are broadcast once.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np

from metrics.ngram_counts import TargetTable, count_in_records, records_histogram, token_histogram
from utils.corpus.readers import Chunk, Corpus

log = logging.getLogger(__name__)


@dataclass
class ScanResult:
    token_counts: np.ndarray | None  # (token_space,) int64
    memorized_token_counts: np.ndarray | None  # same, only inside memorized records
    ngram_counts: np.ndarray | None  # (targets,) int64, aligned with table.ngrams
    tokens: int
    records: int
    seconds: float

    @property
    def tokens_per_second(self) -> float:
        return self.tokens / max(self.seconds, 1e-9)


def scan_corpus(
    spark, corpus: Corpus, chunk_tokens: int, table: TargetTable | None, count_tokens: bool, memorized_ids: np.ndarray | None
) -> ScanResult:
    """Counts in one pass over every record of `corpus`; nothing is read on the driver."""
    context = spark.sparkContext
    chunks = corpus.chunks(chunk_tokens)
    started = time.time()
    if not chunks:
        empty = np.zeros(corpus.token_space, np.int64) if count_tokens else None
        return ScanResult(
            empty,
            empty if memorized_ids is not None else None,
            np.zeros(table.size if table else 0, np.int64) if table else None,
            0,
            0,
            0.0,
        )
    table_handle = context.broadcast(table) if table is not None and table.size else None
    memorized_handle = context.broadcast(np.unique(memorized_ids)) if memorized_ids is not None else None
    space = corpus.token_space

    def scan_partition(partition):
        targets = table_handle.value if table_handle is not None else None
        memorized = memorized_handle.value if memorized_handle is not None else None
        for chunk in partition:
            yield _scan_chunk(corpus, chunk, targets, count_tokens, space, memorized)

    description = f"corpus statistics: {len(chunks)} chunk(s) of {corpus.config.path}"
    context.setJobDescription(description)
    try:
        rdd = context.parallelize(chunks, len(chunks)).mapPartitions(scan_partition)
        merged = rdd.treeReduce(_merge, depth=2)
    finally:
        context.setJobDescription(None)
        for handle in (table_handle, memorized_handle):
            if handle is not None:
                handle.unpersist()
    token_counts, memorized_counts, ids, counts, tokens, records = merged
    ngram_counts = None
    if table is not None:
        ngram_counts = np.zeros(table.size, np.int64)
        np.add.at(ngram_counts, ids, counts)
    result = ScanResult(token_counts, memorized_counts, ngram_counts, tokens, records, time.time() - started)
    log.info(
        "Scanned %s: %d records, %d tokens in %.1f s (%.1f M tokens/s)",
        corpus.config.path,
        records,
        tokens,
        result.seconds,
        result.tokens_per_second / 1e6,
    )
    return result


def _scan_chunk(corpus: Corpus, chunk: Chunk, table: TargetTable | None, count_tokens: bool, space: int, memorized: np.ndarray | None):
    tokens, starts, lengths, record_ids = corpus.read(chunk)
    histogram = token_histogram(tokens, space) if count_tokens else None
    memorized_histogram = None
    if count_tokens and memorized is not None:
        inside = np.isin(record_ids, memorized, assume_unique=True)
        memorized_histogram = records_histogram(tokens, starts[inside], lengths[inside], space)
    ids = counts = np.zeros(0, np.int64)
    if table is not None:
        dense = np.zeros(table.size, np.int64)
        count_in_records(tokens, starts, lengths, table, dense)
        ids = np.flatnonzero(dense)
        counts = dense[ids]
    return histogram, memorized_histogram, ids, counts, int(lengths.sum()), len(lengths)


def _merge(left, right):
    def add(a, b):
        return b if a is None else a if b is None else a + b

    ids = np.concatenate([left[2], right[2]])
    counts = np.concatenate([left[3], right[3]])
    if len(ids) > 1 << 20:  # keep partial results sparse and small
        ids, inverse = np.unique(ids, return_inverse=True)
        counts = _sum_by(inverse, counts, len(ids))
    return add(left[0], right[0]), add(left[1], right[1]), ids, counts, left[4] + right[4], left[5] + right[5]


def _sum_by(groups: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    out = np.zeros(size, np.int64)
    np.add.at(out, groups, values)
    return out
