"""Corpus statistics for a run: which corpus serves which split, cache or scan, and the broadcast lookups.

`prepare` runs once before the first split: it gathers the distinct continuation n-grams of every
split (per corpus), takes the counts the cache already holds, scans the corpus once for the rest
(token counts in the same pass when they are missing too), and broadcasts one lookup per corpus.
With `statistics.source: precomputed` the usvsnsp tables are read instead (docs/METRICS.md).
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

import numpy as np
import pyarrow as pa

from metrics.ngram_counts import build_target_table, lookup
from utils.core.errors import ConfigError
from utils.core.resources import Provider, register_provider
from utils.corpus.cache import StatisticsCache
from utils.corpus.lookups import DUPLICATES, NEEDS, TOKEN_COUNTS, CorpusStatistics, NgramDuplicates, TokenCounts
from utils.corpus.precomputed import precomputed_statistics
from utils.corpus.readers import Corpus, open_corpus
from utils.corpus.scan import scan_corpus
from utils.corpus.statistics_settings import StatisticsSettings  # noqa: F401  (registers the statistics section)
from utils.data.splits import Split
from utils.runtime.spark_session import job_description

log = logging.getLogger(__name__)


@register_provider
class StatisticsProvider(Provider):
    """Prepares the corpus statistics of every split of a run once, then hands each split its lookups."""

    name = "statistics"
    provides = NEEDS

    def __init__(self, config, needs: frozenset[str], used=None):
        super().__init__(config, frozenset(needs) & set(NEEDS), used or {})
        self.spark = None
        self.settings = config.statistics
        self.statistics: dict[str, CorpusStatistics] = {}  # corpus key (or scheme, when precomputed) -> lookups
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

    def check(self, splits: list[Split]) -> None:
        """Every split has a corpus whose headers are valid (no token is read)."""
        if self.settings.source != "corpus" or not self.needs:
            return
        for key in sorted({self.corpus_key(split) for split in splits}):
            open_corpus(self.settings.corpora[key], f"statistics.corpora.{key}")

    def describe(self, split: Split) -> str:
        corpus = split.scheme if self.settings.source == "precomputed" else self.corpus_key(split)
        return f"statistics: {self.settings.source} {corpus}"

    def prepare(self, spark, inputs, frames: dict[Split, Any]) -> dict[str, Any] | None:
        self.spark = spark
        if not self.needs:
            return None
        if self.settings.source == "precomputed":
            for scheme, (statistics, summary) in precomputed_statistics(self.spark, self.config, self.needs, frames).items():
                self.statistics[scheme], self.summary[scheme] = statistics, summary
            return self.summary
        groups: dict[str, list[Split]] = {}
        for split in frames:
            groups.setdefault(self.corpus_key(split), []).append(split)
        for key, splits in groups.items():
            corpus = open_corpus(self.settings.corpora[key], f"statistics.corpora.{key}")
            self.statistics[key] = self._from_corpus(key, corpus, {s: frames[s] for s in splits})
        return self.summary

    def statistics_of(self, split: Split) -> CorpusStatistics:
        if not self.needs:
            return CorpusStatistics()
        key = split.scheme if self.settings.source == "precomputed" else self.corpus_key(split)
        return self.statistics[key]

    def for_split(self, split: Split) -> dict[str, Any]:
        statistics = self.statistics_of(split)
        return {need: getattr(statistics, need) for need in self.needs}

    def _from_corpus(self, key: str, corpus: Corpus, frames: dict[Split, Any]) -> CorpusStatistics:
        settings, context = self.settings, self.spark.sparkContext
        fingerprint = corpus.fingerprint()
        cache = StatisticsCache(
            settings.directory, fingerprint, {"corpus": asdict(corpus.config), "files": corpus.files, "records": corpus.records}
        )
        summary: dict[str, Any] = {
            "corpus": corpus.config.path,
            "fingerprint": fingerprint,
            "records": corpus.records,
            "cache": str(cache.root),
        }
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
            summary["scan"] = {
                "tokens": result.tokens,
                "records": result.records,
                "seconds": round(result.seconds, 3),
                "tokens_per_second": round(result.tokens_per_second),
            }
            if missing_table is not None:
                cache.write_ngram_counts(missing_table.ngrams, result.ngram_counts)
                missing_rows = np.flatnonzero(counts < 0)
                counts[missing_rows] = result.ngram_counts[lookup(table.ngrams[missing_rows], missing_table)]
            if count_tokens:
                cached_tokens = _token_table(result.token_counts, result.memorized_token_counts)
                cache.write_token_counts(cached_tokens, variant)
        duplicates = token_counts = None
        if table is not None:
            dtype_max = int(np.iinfo(corpus.dtype).max)
            duplicates = NgramDuplicates(context.broadcast((table, counts)), settings.ngram_start, settings.ngram_length, dtype_max)
        if cached_tokens is not None:
            array = cached_tokens.column("count").to_numpy()
            token_counts = TokenCounts(context.broadcast(array), len(array), f"corpus {corpus.config.path}")
            summary["token_counts_file"] = str(cache.token_counts_path(variant))
        self.summary[key] = summary
        return CorpusStatistics(duplicates, token_counts)

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
            raise ConfigError(
                "statistics.split_token_counts needs memorized-evals splits in the run (dataset memories) to define memorized records."
            )
        from functools import reduce

        with job_description(self.spark, f"corpus statistics: the memorized sequence_ids of {len(memories)} split(s)"):
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
