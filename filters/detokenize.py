"""`text`: the decoded tokens, with the tokenizer of the split's model (METRICS.md, 'Data')."""

from __future__ import annotations

import pyarrow as pa

from filters.base import Column, Filter
from filters.registry import register_filter
from metrics.detokenize import decode_batch, split_rows


@register_filter("detokenize")
class Detokenize(Filter):
    """Batch-decodes `tokens` to `text` with the split's tokenizer."""

    reads = ("tokens",)
    adds = pa.schema([("text", pa.string())])
    needs = ("tokenizer",)

    def compute(self, batch: pa.RecordBatch) -> dict[str, Column]:
        tokens = batch.column("tokens")
        rows = split_rows(tokens.flatten().to_numpy(zero_copy_only=False), tokens.offsets.to_numpy())
        return {"text": decode_batch(self.resources["tokenizer"].get(), rows)}
