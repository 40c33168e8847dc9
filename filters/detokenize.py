"""`text`: the decoded tokens, with the tokenizer of the split's model (docs/METRICS.md, 'Data')."""

from __future__ import annotations

import pyarrow as pa

from filters.base import Column, Filter
from filters.registry import register_filter
from metrics.detokenize import decode_batch
from metrics.token_windows import token_lists


@register_filter("detokenize")
class Detokenize(Filter):
    """Batch-decodes `tokens` to `text` with the split's tokenizer."""

    reads = ("tokens",)
    adds = pa.schema([("text", pa.string())])
    needs = ("tokenizer",)

    def compute(self, batch: pa.RecordBatch) -> dict[str, Column]:
        return {"text": decode_batch(self.resources.tokenizer.get(), token_lists(batch.column("tokens")))}
