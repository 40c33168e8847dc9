"""Code vs natural language (docs/METRICS.md, 'Code vs natural language'; metrics/code_vs_nl.py).

The classifier is loaded once per Python worker (utils/runtime/classifiers.py); each Arrow batch is scored in
sub-batches on the task's device. A row whose text is empty gets a null score.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from filters.base import Column, Filter
from filters.registry import register_filter
from utils.core.resources import Provider, register_provider
from utils.core.settings import Settings, check_positive, key, local_path_or_id, register_settings

log = logging.getLogger(__name__)
DEFAULT_MODEL = "usvsnsp/code-vs-nl"


@register_settings("code_vs_nl")
@dataclass(frozen=True)
class CodeVsNlSettings(Settings):
    """code_vs_nl: P(natural language) from a sequence classifier (docs/METRICS.md, 'Code vs natural language')."""

    model: str = key(DEFAULT_MODEL, "Hugging Face id or local directory of an AutoModelForSequenceClassification")
    revision: str | None = key(None, "null: the default branch")
    # usvsnsp/code-vs-nl's labels are unnamed: the reference's scoring script reads its class 0 as code, hence 1.
    nl_label: int | str | None = key(1, "the natural-language class: an index or a label name of id2label; null: found by its name")
    max_length: int | None = key(None, "classifier tokens per text; null: the classifier's maximum (512 for DistilBERT)")
    device: str = key("auto", "auto: the task's GPU when Spark gives one, else cpu")
    batch_size: int | None = key(None, "texts per forward pass; null: 64 on CPU, 512 on a GPU")

    def check(self) -> None:
        check_positive(self, "batch_size", "max_length", whole=True)

    def with_absolute_paths(self) -> CodeVsNlSettings:
        return dataclasses.replace(self, model=local_path_or_id(self.model))

    def for_sample(self, directory: Path) -> CodeVsNlSettings:
        """The tiny classifier trained on the sample's prose and code (its labels are named)."""
        if self.model != DEFAULT_MODEL:
            return self
        return dataclasses.replace(self, model=str(directory / "classifier"), nl_label=None)


@register_provider
class ClassifierProvider(Provider):
    """The `nl_classifier` resource: the configured classifier, its config fetched and its classes checked once."""

    provides = ("nl_classifier",)

    def __init__(self, config, needs, used):
        super().__init__(config, needs, used)
        self.handle = None

    def check(self, splits) -> None:
        from utils.runtime.classifiers import classifier_handle

        self.handle = classifier_handle(self.config.code_vs_nl)

    def describe(self, split) -> str:
        return f"code_vs_nl classifier: {self.handle.label}, natural language = class {self.handle.nl_index} ({self.handle.nl_label!r})"

    def for_split(self, split) -> dict:
        return {"nl_classifier": self.handle}

    def record(self, split, values) -> dict:
        handle = values["nl_classifier"]
        return {"nl_classifier": f"{handle.label} (class {handle.nl_index} {handle.nl_label!r})"}


@register_filter("code_vs_nl")
class CodeVsNl(Filter):
    """nl_score: the classifier's probability that `text` is natural language rather than code (0..1)."""

    reads = ("text",)
    adds = pa.schema([("nl_score", pa.float64())])
    needs = ("nl_classifier",)
    settings_class = CodeVsNlSettings

    def compute(self, batch: pa.RecordBatch) -> dict[str, Column]:
        from metrics.code_vs_nl import nl_scores

        texts = batch.column("text").to_pylist()
        scored = [i for i, text in enumerate(texts) if text]
        out = np.full(len(texts), np.nan)
        if scored:
            handle = self.resources.nl_classifier
            model, tokenizer, device, batch_size, max_length = handle.get()
            started = time.time()
            out[scored] = nl_scores(model, tokenizer, [texts[i] for i in scored], handle.nl_index, batch_size, max_length, device)
            log.info("code_vs_nl: %d texts in %.2f s on %s", len(scored), time.time() - started, device)
        return {"nl_score": out}
