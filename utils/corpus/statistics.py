"""Corpus statistics for a run: which corpus serves which split, cache or scan, and the broadcast lookups.

`prepare` runs once before the first split: it gathers the distinct continuation n-grams of every
split (per corpus), takes the counts the cache already holds, scans the corpus once for the rest
(token counts in the same pass when they are missing too), and broadcasts one lookup per corpus.
With `statistics.source: precomputed` the usvsnsp tables are read instead (METRICS.md).
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

import numpy as np
import pyarrow as pa

from metrics.ngram_counts import build_target_table, lookup
from metrics.token_windows import token_windows
from utils.pipeline.config import Config
from utils.corpus.readers import Corpus, open_corpus
from utils.corpus.scan import scan_corpus
from utils.pipeline.errors import ConfigError, DataSourceError
from utils.data.splits import Split
from utils.corpus.cache import StatisticsCache

log = logging.getLogger(__name__)
DUPLICATES, TOKEN_COUNTS = "sequence_duplicates", "token_counts"
NEEDS = (DUPLICATES, TOKEN_COUNTS)


class NgramDuplicates:
    """Per row: exact corpus count of tokens[start : start + n] (broadcast table + counts)."""

    def __init__(self, broadcast, start: int, n: int, token_max: int):
        self.broadcast, self.start, self.n, self.token_max = broadcast, start, n, token_max

    def for_batch(self, batch: pa.RecordBatch) -> pa.Array:
        table, counts = self.broadcast.value
        tokens = batch.column("tokens")
        long_enough = np.diff(tokens.offsets.to_numpy()) >= self.start + self.n
        rows = np.flatnonzero(long_enough)
        ngrams = token_windows(tokens, rows, self.start, self.n)
        out = np.zeros(len(tokens), np.int64)
        if len(rows):
            found = lookup(ngrams, table)
            outside = (ngrams > self.token_max).any(axis=1)  # ids the corpus dtype cannot hold occur 0 times
            if ((found < 0) & ~outside).any():
                raise RuntimeError("a row's n-gram was not among the scanned targets; the statistics do not match this split")
            out[rows] = np.where(found >= 0, counts[np.maximum(found, 0)], 0)
        return pa.array(out, pa.int64(), mask=~long_enough)


class PrecomputedDuplicates:
    """Per row: the count a precomputed table gives its sequence_id (null when the table lacks it)."""

    def __init__(self, broadcast, source: str):
        self.broadcast, self.source = broadcast, source

    def for_batch(self, batch: pa.RecordBatch) -> pa.Array:
        ids, counts = self.broadcast.value
        wanted = batch.column("sequence_id").to_numpy(zero_copy_only=False)
        position = np.minimum(np.searchsorted(ids, wanted), max(len(ids) - 1, 0))
        present = (ids[position] == wanted) if len(ids) else np.zeros(len(wanted), bool)
        return pa.array(np.where(present, counts[position] if len(ids) else 0, 0), pa.int64(), mask=~present)


class TokenCounts:
    """The corpus token-count array, broadcast once and read once per Python worker."""

    def __init__(self, broadcast, size: int, source: str):
        self.broadcast, self.size, self.source = broadcast, size, source

    def get(self) -> np.ndarray:
        return self.broadcast.value


class StatisticsProvider:
    def __init__(self, spark, config: Config, needs: set[str]):
        self.spark, self.config, self.needs = spark, config, needs & set(NEEDS)
        self.settings = config.statistics
        self.resources: dict[str, dict[str, Any]] = {}  # corpus key -> resources
        self.summary: dict[str, Any] = {}

    def corpus_key(self, split: Split) -> str:
        corpora = self.settings.corpora
        if split.scheme in corpora:
            return split.scheme
        if "default" in corpora:
            return "default"
        raise ConfigError(
            f"Split {split.label} needs corpus statistics ({', '.join(sorted(self.needs))}), but statistics.corpora has no "
            f"{split.scheme or 'default'!r} corpus. Add one (a Megatron prefix or a Parquet corpus), or set "
            "statistics.source: precomputed to use the published usvsnsp tables."
        )

    def prepare(self, frames: dict[Split, Any]) -> None:
        if not self.needs:
            return
        if self.settings.source == "precomputed":
            from utils.corpus.precomputed import prepare_precomputed

            prepare_precomputed(self, frames)
            return
        groups: dict[str, list[Split]] = {}
        for split in frames:
            groups.setdefault(self.corpus_key(split), []).append(split)
        for key, splits in groups.items():
            corpus = open_corpus(self.settings.corpora[key], f"statistics.corpora.{key}")
            self.resources[key] = self._from_corpus(key, corpus, {s: frames[s] for s in splits})

    def for_split(self, split: Split) -> dict[str, Any]:
        if not self.needs:
            return {}
        key = split.scheme if self.settings.source == "precomputed" else self.corpus_key(split)
        return self.resources[key]

    def _from_corpus(self, key: str, corpus: Corpus, frames: dict[Split, Any]) -> dict[str, Any]:
        settings, context = self.settings, self.spark.sparkContext
        fingerprint = corpus.fingerprint()
        cache = StatisticsCache(settings.directory, fingerprint, {"corpus": asdict(corpus.config), "files": corpus.files, "records": corpus.records})
        summary: dict[str, Any] = {"corpus": corpus.config.path, "fingerprint": fingerprint, "records": corpus.records, "cache": str(cache.root)}
        memorized = self._memorized_ids(frames) if settings.split_token_counts else None
        variant = f"-memorized-{_ids_digest(memorized)}" if memorized is not None else ""
        cached_tokens = cache.read_token_counts(variant) if TOKEN_COUNTS in self.needs else None
        count_tokens = TOKEN_COUNTS in self.needs and cached_tokens is None

        table = missing_table = counts = None
        if DUPLICATES in self.needs:
            wanted = self._wanted_ngrams(frames, corpus)
            table = build_target_table(wanted, dtype=corpus.dtype)
            counts = np.full(table.size, -1, np.int64)
            known = cache.read_ngram_counts(settings.ngram_length)
            if known is not None and table.size:
                found = lookup(known[0], table)
                counts[found[found >= 0]] = known[1][found >= 0]
            missing = counts < 0
            summary.update(distinct_ngrams=int(table.size), ngrams_from_cache=int((~missing).sum()))
            if missing.any():
                missing_table = build_target_table(table.ngrams[missing], hash_bits=settings.hash_bits)
        if missing_table is not None or count_tokens:
            result = scan_corpus(self.spark, corpus, settings.chunk_tokens, missing_table, count_tokens, memorized)
            summary["scan"] = {"tokens": result.tokens, "records": result.records, "seconds": round(result.seconds, 3), "tokens_per_second": round(result.tokens_per_second)}
            if missing_table is not None:
                cache.write_ngram_counts(missing_table.ngrams, result.ngram_counts)
                missing_rows = np.flatnonzero(counts < 0)
                counts[missing_rows] = result.ngram_counts[lookup(table.ngrams[missing_rows], missing_table)]
            if count_tokens:
                cached_tokens = _token_table(result.token_counts, result.memorized_token_counts)
                cache.write_token_counts(cached_tokens, variant)
        resources: dict[str, Any] = {}
        if table is not None:
            dtype_max = int(np.iinfo(corpus.dtype).max)
            resources[DUPLICATES] = NgramDuplicates(context.broadcast((table, counts)), settings.ngram_start, settings.ngram_length, dtype_max)
        if cached_tokens is not None:
            array = cached_tokens.column("count").to_numpy()
            resources[TOKEN_COUNTS] = TokenCounts(context.broadcast(array), len(array), f"corpus {corpus.config.path}")
            summary["token_counts_file"] = str(cache.token_counts_path(variant))
        self.summary[key] = summary
        return resources

    def _wanted_ngrams(self, frames: dict[Split, Any], corpus: Corpus) -> np.ndarray:
        """Distinct continuation n-grams of all rows (ids the corpus dtype cannot hold are left out: count 0)."""
        from functools import reduce

        from pyspark.sql import functions as F

        start, n = self.settings.ngram_start, self.settings.ngram_length
        top = int(np.iinfo(corpus.dtype).max)
        # Range-check before the cast (Spark's ANSI casts fail on overflow); bad rows are flagged later.
        grams = [
            frame.select(F.slice("tokens", start + 1, n).alias("ngram"))
            .where(F.size("ngram") == n)
            .where(F.forall("ngram", lambda x: x.isNotNull() & (x >= 0) & (x <= top)))
            .select(F.col("ngram").cast("array<int>").alias("ngram"))
            for frame in frames.values()
        ]
        self.spark.sparkContext.setJobDescription(f"corpus statistics: distinct {n}-grams of {len(frames)} split(s)")
        try:
            arrow = reduce(lambda a, b: a.unionByName(b), grams).distinct().toArrow()
        finally:
            self.spark.sparkContext.setJobDescription(None)
        values = arrow.column("ngram").combine_chunks().flatten().to_numpy(zero_copy_only=False)
        return values.astype(corpus.dtype).reshape(-1, n)

    def _memorized_ids(self, frames: dict[Split, Any]) -> np.ndarray:
        memories = [frame.select("sequence_id") for split, frame in frames.items() if split.dataset == "memories"]
        if not memories:
            raise ConfigError("statistics.split_token_counts needs memorized-evals splits in the run (dataset memories) to define memorized records.")
        from functools import reduce

        ids = reduce(lambda a, b: a.unionByName(b), memories).distinct().toArrow().column("sequence_id").to_numpy()
        return np.unique(ids[~np.isnan(ids)] if ids.dtype.kind == "f" else ids).astype(np.int64)


def _token_table(total: np.ndarray, memorized: np.ndarray | None) -> pa.Table:
    columns = {"token_id": pa.array(np.arange(len(total)), pa.int32()), "count": pa.array(total, pa.int64())}
    if memorized is not None:
        columns["count_memorized"] = pa.array(memorized, pa.int64())
        columns["count_non_memorized"] = pa.array(total - memorized, pa.int64())
    return pa.table(columns)


def _ids_digest(ids: np.ndarray) -> str:
    import hashlib

    return hashlib.sha256(np.ascontiguousarray(ids, dtype=np.int64).tobytes()).hexdigest()[:16]


def check_table_keys(ids: np.ndarray, values: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray, int]:
    """(sorted unique ids, their values, number of repeated ids); conflicting repeats are an error."""
    order = np.argsort(ids, kind="stable")
    ids, values = ids[order], values[order]
    repeated = np.flatnonzero(ids[1:] == ids[:-1])
    if len(repeated):
        conflicting = repeated[values[repeated] != values[repeated + 1]]
        if len(conflicting):
            examples = ", ".join(str(int(ids[i])) for i in conflicting[:5])
            raise DataSourceError(f"{what} lists {len(conflicting)} key(s) twice with different values (e.g. {examples}); it cannot be used.")
        log.warning("%s lists %d key(s) more than once with equal values; each is used once.", what, len(repeated))
        keep = np.ones(len(ids), bool)
        keep[repeated + 1] = False
        ids, values = ids[keep], values[keep]
    return ids, values, len(repeated)
