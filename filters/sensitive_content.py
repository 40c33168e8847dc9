"""Personal data and secrets in each row's text (docs/METRICS.md, 'Sensitive content'; metrics/sensitive_content.py).

Row-local: runs in the fused pass beside the other text filters. Kinds and counts only by default; the
character spans (kind, start, end) when `sensitive_content.keep_spans` is true. The matched strings are
never written, so the output is not a new copy of the secrets. A null text gives null columns.
"""

from __future__ import annotations

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

    def compute(self, batch: pa.RecordBatch) -> dict[str, Column]:
        from metrics.sensitive_content import kinds_of, sensitive_findings

        regions = self.resources.sensitive_content.phone_regions
        kinds, counts, spans = [], [], []
        for text in batch.column("text").to_pylist():
            if text is None:
                kinds.append(None)
                counts.append(None)
                spans.append(None)
                continue
            findings = sensitive_findings(text, regions) if text else []
            kinds.append(kinds_of(findings))
            counts.append(len(findings))
            spans.append([{"kind": f.kind, "start": f.start, "end": f.end} for f in findings])
        out: dict[str, Column] = {
            "sensitive_kinds": pa.array(kinds, pa.list_(pa.string())),
            "sensitive_count": pa.array(counts, pa.int32()),
        }
        if self.with_spans:
            out["sensitive_spans"] = pa.array(spans, pa.list_(SPAN))
        return out


@register_filter("sensitive_content_with_spans")
class SensitiveContentWithSpans(SensitiveContent):
    """`sensitive_content` plus sensitive_spans: (kind, start, end) character offsets of each finding in `text`."""

    adds = pa.schema([*SensitiveContent.adds, ("sensitive_spans", pa.list_(SPAN))])
    with_spans = True
