"""Executes notebooks/explore.ipynb top to bottom against a run directory (nbclient), so it never rots."""

from __future__ import annotations

import os
from pathlib import Path

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "explore.ipynb"


def run_notebook(run_dir: Path, timeout: int = 300):
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    previous = os.environ.get("RUN_DIR")
    os.environ["RUN_DIR"] = str(run_dir)  # the kernel inherits the environment
    try:
        NotebookClient(
            notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent.parent)}}
        ).execute()
    finally:
        if previous is None:
            os.environ.pop("RUN_DIR", None)
        else:
            os.environ["RUN_DIR"] = previous
    return notebook
