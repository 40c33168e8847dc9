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
        self.contents: list[tuple[str, str]] = []  # (anchor, title) of each family section, for the table of contents

    def add(self, part: str) -> None:
        self.parts.append(part)

    def skip(self, reason: str) -> None:
        self.skipped.append(reason)

    def open(self, anchor: str, title: str, intro: str = "") -> None:
        """Starts a section of the page (one metric family), listed in the table of contents."""
        self.contents.append((anchor, title))
        self.add(f'<h2 id="{anchor}">{html.escape(title)}</h2>' + (f"<p>{html.escape(intro)}</p>" if intro else ""))

    def drop_if_empty(self) -> None:
        """Removes the section opened last when nothing was added to it (its family had nothing to show)."""
        if self.contents and self.parts and self.parts[-1].startswith(f'<h2 id="{self.contents[-1][0]}">'):
            self.parts.pop()
            self.contents.pop()

    def figure(self, figure, name: str, title: str, caption: str = "") -> None:
        """Save a matplotlib figure as OUT/name and show it under `title`, with a line on what to look for."""
        import matplotlib.pyplot as plt

        figure.tight_layout()
        figure.savefig(self.out / name, dpi=90)
        plt.close(figure)
        self.add(figure_html(name, title, caption))

    def table_of_contents(self) -> str:
        items = "".join(f'<li><a href="#{anchor}">{html.escape(title)}</a></li>' for anchor, title in self.contents)
        return f"<nav><h2>Contents</h2><ol>{items}</ol></nav>" if items else ""


def figure_html(source: str, title: str, caption: str = "") -> str:
    """A figure under its title, with its one-line reading guide."""
    text = f'<p class="caption">{html.escape(caption)}</p>\n' if caption else ""
    return f'<h3>{html.escape(title)}</h3>\n{text}<img src="{source}" alt="{html.escape(title)}">'


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
