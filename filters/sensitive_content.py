"""Personal data and secrets in each row's text (docs/METRICS.md, 'Sensitive content'; metrics/sensitive_content.py).

Row-local: runs in the fused pass beside the other text filters. Kinds and counts only by default; the
character spans (kind, start, end) when `sensitive_content.keep_spans` is true. The matched strings are
never written, so the output is not a new copy of the secrets. A null text gives null columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from filters.base import Column, Filter
from filters.registry import register_filter
from utils.core.errors import ConfigError
from utils.core.settings import Settings, key, register_settings


@register_settings("sensitive_content")
@dataclass(frozen=True)
class SensitiveContentSettings(Settings):
    """sensitive_content: personal data and secrets in the text (docs/METRICS.md, 'Sensitive content')."""

    keep_spans: bool = key(False, "also write sensitive_spans (kind, start, end); never the matched strings")
    phone_regions: tuple[str, ...] = key(("US",), "ISO 3166 regions whose national phone formats count (+international in any)")

    def check(self) -> None:
        if not isinstance(self.keep_spans, bool):
            raise ConfigError(f"sensitive_content.keep_spans must be true or false, got {self.keep_spans!r}.")
        import phonenumbers

        unknown = [region for region in self.phone_regions if region not in phonenumbers.SUPPORTED_REGIONS]
        if unknown or not self.phone_regions:
            raise ConfigError(
                "sensitive_content.phone_regions must list ISO 3166 region codes that phonenumbers knows "
                f"(e.g. US, GB, DE); got {list(self.phone_regions)}."
            )


SPAN = pa.struct([("kind", pa.string()), ("start", pa.int32()), ("end", pa.int32())])


@register_filter("sensitive_content")
class SensitiveContent(Filter):
    """sensitive_kinds: the kinds of personal data and secrets in `text`; sensitive_count: how many findings."""

    reads = ("text",)
    adds = pa.schema([("sensitive_kinds", pa.list_(pa.string())), ("sensitive_count", pa.int32())])
    settings_class = SensitiveContentSettings
    with_spans = False

    @classmethod
    def variant(cls, settings: SensitiveContentSettings) -> str:
        """`sensitive_content.keep_spans: true` runs the variant that also writes the spans."""
        return SensitiveContentWithSpans.name if settings.keep_spans else cls.name

    def compute(self, batch: pa.RecordBatch) -> dict[str, Column]:
        from metrics.sensitive_content import kinds_of, sensitive_findings

        regions = self.settings.phone_regions
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
    def variant(cls, settings: SensitiveContentSettings) -> str:
        return cls.name  # asked for by name: the spans are written whatever keep_spans says
