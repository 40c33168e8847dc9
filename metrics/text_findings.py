"""A span of a text that a detector found, by kind (metrics/sensitive_content.py and its detectors)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int  # character offsets into the text, end exclusive
    end: int

    def overlaps(self, other: Finding) -> bool:
        """Whether the two spans share at least one character."""
        return self.start < other.end and other.start < self.end
