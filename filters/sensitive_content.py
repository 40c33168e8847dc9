"""Personal data and secrets in each row's text (docs/METRICS.md, 'Sensitive content'; metrics/sensitive_content.py).

Row-local: runs in the fused pass beside the other text filters. Kinds and counts only by default; the
character spans (kind, start, end) when `sensitive_content.keep_spans` is true. The matched strings are
never written, so the output is not a new copy of the secrets. A null text gives null columns.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from filters.base import Column, Filter
from filters.registry import register_filter

SPAN = pa.struct([("kind", pa.string()), ("start", pa.int32()), ("end", pa.int32())])


@register_filter("sensitive_content")
class SensitiveContent(Filter):
    """sensitive_kinds: the kinds of personal data and secrets in `text`; sensitive_count: how many findings."""

    reads = ("text",)
    adds = pa.schema([("sensitive_kinds", pa.list_(pa.string())), ("sensitive_count", pa.int32())])
    needs = ("sensitive_content",)
    with_spans = False

    @classmethod
    def variant(cls, config) -> str:
        """`sensitive_content.keep_spans: true` runs the variant that also writes the spans."""
        return SensitiveContentWithSpans.name if config.sensitive_content.keep_spans else cls.name

    def compute(self, batch: pa.RecordBatch) -> dict[str, Column]:
        from metrics.sensitive_content import kinds_of, sensitive_findings

        regions = self.resources.sensitive_content.phone_regions
        texts = batch.column("text").to_pylist()
        # Flat values and offsets, not a list per row: most rows find nothing, and millions of small lists cost
        # more in allocation and garbage collection than the scan itself.
        missing = np.array([text is None for text in texts])
        counts = np.zeros(len(texts), dtype=np.int32)
        kind_offsets, kinds = np.zeros(len(texts) + 1, dtype=np.int32), []
        span_offsets, span_kinds, starts, ends = np.zeros(len(texts) + 1, dtype=np.int32), [], [], []
        for row, text in enumerate(texts):
            findings = sensitive_findings(text, regions) if text else ()
            if findings:
                counts[row] = len(findings)
                kinds.extend(kinds_of(findings))
                if self.with_spans:
                    span_kinds.extend(f.kind for f in findings)
                    starts.extend(f.start for f in findings)
                    ends.extend(f.end for f in findings)
            kind_offsets[row + 1] = len(kinds)
            span_offsets[row + 1] = len(starts)
        null = pa.array(missing)
        out: dict[str, Column] = {
            "sensitive_kinds": pa.ListArray.from_arrays(pa.array(kind_offsets), pa.array(kinds, pa.string()), mask=null),
            "sensitive_count": pa.array(counts, mask=missing),
        }
        if self.with_spans:
            values = pa.StructArray.from_arrays(
                [pa.array(span_kinds, pa.string()), pa.array(starts, pa.int32()), pa.array(ends, pa.int32())], fields=list(SPAN)
            )
            out["sensitive_spans"] = pa.ListArray.from_arrays(pa.array(span_offsets), values, mask=null)
        return out


@register_filter("sensitive_content_with_spans")
class SensitiveContentWithSpans(SensitiveContent):
    """`sensitive_content` plus sensitive_spans: (kind, start, end) character offsets of each finding in `text`."""

    adds = pa.schema([*SensitiveContent.adds, ("sensitive_spans", pa.list_(SPAN))])
    with_spans = True

    @classmethod
    def variant(cls, config) -> str:
        return cls.name  # asked for by name: the spans are written whatever keep_spans says
