"""Code vs natural language (docs/METRICS.md, 'Code vs natural language'; metrics/code_vs_nl.py).

The classifier is loaded once per Python worker (utils/runtime/classifiers.py); each Arrow batch is scored in
sub-batches on the task's device. A row whose text is empty gets a null score.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import pyarrow as pa

from filters.base import Column, Filter
from filters.registry import register_filter

log = logging.getLogger(__name__)


@register_filter("code_vs_nl")
class CodeVsNl(Filter):
    """nl_score: the classifier's probability that `text` is natural language rather than code (0..1)."""

    reads = ("text",)
    adds = pa.schema([("nl_score", pa.float64())])
    needs = ("nl_classifier",)

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
