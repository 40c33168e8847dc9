"""What a report section writes into the page: HTML parts, PNG figures saved beside the page, and what it skipped."""

from __future__ import annotations

import html
from pathlib import Path

COLOURS = {"recitation": "#d95f02", "reconstruction": "#7570b3", "recollection": "#1b9e77"}


class Sections:
    """The page's parts in order; each section module adds its own tables and figures (matplotlib, Agg)."""

    def __init__(self, out: Path):
        self.out = out
        self.parts: list[str] = []
        self.skipped: list[str] = []

    def add(self, part: str) -> None:
        self.parts.append(part)

    def skip(self, reason: str) -> None:
        self.skipped.append(reason)

    def figure(self, figure, name: str, title: str) -> None:
        """Save a matplotlib figure as OUT/name and show it under `title`."""
        import matplotlib.pyplot as plt

        figure.tight_layout()
        figure.savefig(self.out / name, dpi=90)
        plt.close(figure)
        self.add(f'<h2>{html.escape(title)}</h2>\n<img src="{name}" alt="{html.escape(title)}">')
