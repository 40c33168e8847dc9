"""What a report section writes into the page: HTML parts, PNG figures saved beside the page, and what it skipped."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

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


def html_table(frame: pd.DataFrame, columns: list[str]) -> str:
    """An HTML table of the columns the frame has; floats to 3 significant digits (the Parquet keeps them whole)."""

    def cell(value) -> str:
        if isinstance(value, float):
            return f"{value:.3g}"
        return html.escape(str(value if value is not None else ""))

    present = [c for c in columns if c in frame.columns]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in present)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>" for row in frame[present].itertuples(index=False))
    return f"<table><tr>{head}</tr>{body}</table>"
