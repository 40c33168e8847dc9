"""The `statistics` config section: where corpus statistics (duplication counts, token frequencies) come from
(docs/METRICS.md, 'Corpus statistics')."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from utils.core.errors import ConfigError
from utils.core.settings import Settings, absolute, key, register_settings
from utils.corpus.readers import CorpusConfig
from utils.data.splits import SCHEMES

DEFAULT_DIRECTORY = ".cache/memorization/statistics"


@register_settings("statistics")
@dataclass(frozen=True)
class StatisticsSettings(Settings):
    """Corpus statistics of the duplication and token_frequency filters: computed from a corpus, or precomputed tables."""

    source: str = key("corpus", "corpus: Spark scans statistics.corpora; precomputed: the usvsnsp tables below")
    directory: str = key(DEFAULT_DIRECTORY, "cache keyed by corpus fingerprint (a path every node mounts on a cluster)")
    corpora: dict[str, CorpusConfig] = key(factory=dict, doc="a corpus per scheme (duped, deduped) or default")
    ngram_start: int = key(32, "sequence_duplicates counts tokens[ngram_start : ngram_start + ngram_length]")
    ngram_length: int = key(32, "length of that n-gram")
    chunk_tokens: int = key(1 << 28, "corpus tokens per Spark task")
    hash_bits: int = key(64, "fewer only to force hash collisions in tests; counts are exact either way")
    split_token_counts: bool = key(False, "also count tokens inside the run's memorized records apart from the rest")
    duplicates_repo: str = key("usvsnsp/generation-num-duplicates", "precomputed: the duplicate counts dataset")
    duplicates_split: str = key("{scheme}", "precomputed: its split")
    frequencies_repo: str = key("usvsnsp/{scheme}-num-frequencies", "precomputed: the token frequencies dataset")

    def check(self) -> None:
        if self.source not in ("corpus", "precomputed"):
            raise ConfigError(f"statistics.source must be corpus or precomputed, got {self.source!r}.")
        for name in self.corpora:
            if name not in (*SCHEMES, "default"):
                raise ConfigError(f"statistics.corpora has key {name!r}; use a scheme ({', '.join(SCHEMES)}) or 'default'.")
        if self.ngram_start < 0 or self.ngram_length <= 0:
            raise ConfigError("statistics.ngram_start must be >= 0 and statistics.ngram_length > 0.")
        if self.chunk_tokens <= 0 or not 1 <= self.hash_bits <= 64:
            raise ConfigError("statistics.chunk_tokens must be positive and statistics.hash_bits in 1..64.")

    def with_absolute_paths(self) -> StatisticsSettings:
        corpora = {
            name: dataclasses.replace(c, path=absolute(c.path) if c.path else c.path, bin_files=tuple(absolute(f) for f in c.bin_files))
            for name, c in self.corpora.items()
        }
        return dataclasses.replace(self, directory=absolute(self.directory), corpora=corpora)

    def for_sample(self, directory: Path) -> StatisticsSettings:
        """The sample's Megatron corpus serves both schemes; its cache lives in the sample directory."""
        settings = self
        if not settings.corpora:
            corpus = CorpusConfig(format="megatron", path=str(directory / "corpus" / "document"))
            settings = dataclasses.replace(settings, corpora={"default": corpus})
        if settings.directory == DEFAULT_DIRECTORY:
            settings = dataclasses.replace(settings, directory=str(directory / "statistics"))
        return settings
