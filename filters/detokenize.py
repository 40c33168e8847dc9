"""`text`: the decoded tokens, with the tokenizer of the split's model (docs/METRICS.md, 'Data')."""

from __future__ import annotations

import pyarrow as pa

from filters.base import Column, Filter
from filters.registry import register_filter
from utils.runtime.tokenizers import TokenizerProvider  # noqa: F401  (registers the tokenizer resource)


@register_filter("detokenize")
class Detokenize(Filter):
    """Decodes `tokens` to `text` with the split's tokenizer (metrics/detokenize.py: a byte table for byte-level BPE)."""

    reads = ("tokens",)
    adds = pa.schema([("text", pa.string())])
    needs = ("tokenizer",)

    def compute(self, batch: pa.RecordBatch) -> dict[str, Column]:
        return {"text": self.resources.tokenizer.detokenizer().decode(batch.column("tokens"))}
