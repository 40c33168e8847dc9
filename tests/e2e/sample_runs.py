"""Running the sample pipeline (in-process or as a real child process) and comparing two runs row for row."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.dataset as pads

from tests.conftest import ROOT

KEY = ["dataset", "split", "sequence_id"]


def write_config(path: Path, sample_dir: Path, master: str = "local[2]", ui_port: int = 4050, extra: str = "") -> Path:
    path.write_text(
        f"sample:\n  directory: {sample_dir}\nspark:\n  master: '{master}'\n  ui_port: {ui_port}\n  bind_address: 127.0.0.1\n{extra}"
    )
    return path


def sample_args(
    sample_dir: Path,
    output: Path,
    run_id: str,
    *extra: str,
    master: str = "local[2]",
    ui_port: int = 4050,
    config: str = "",
    quiet: bool = True,
) -> list[str]:
    """CLI arguments for the sample pipeline; `config` is YAML appended after the spark section's keys."""
    path = write_config(output.parent / f"{run_id}.yaml", sample_dir, master=master, ui_port=ui_port, extra=config)
    return ["--sample", "--config", str(path), "--output", str(output), "--run_id", run_id, *(["--quiet"] if quiet else []), *extra]


def start_cli(arguments: list[str], log: Path, cwd: Path) -> subprocess.Popen:
    """calculate_metrics.py as a child process in its own process group, started outside the repository."""
    environment = {**os.environ, "PYSPARK_PYTHON": sys.executable, "PYTHONPATH": ""}
    with log.open("wb") as sink:
        return subprocess.Popen(
            [sys.executable, str(ROOT / "calculate_metrics.py"), *arguments],
            cwd=cwd,
            env=environment,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def read_run(run_dir: Path) -> pd.DataFrame:
    """Every split of a run, sorted by dataset, split and sequence_id (Parquet files only, `_` paths skipped)."""
    table = pads.dataset(str(run_dir), format="parquet", exclude_invalid_files=False).to_table().to_pandas()
    return table.sort_values(KEY, kind="stable").reset_index(drop=True)


def assert_same_rows(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Equal row for row: same columns, same order after sorting, identical values (arrays element-wise)."""
    assert list(actual.columns) == list(expected.columns)
    assert len(actual) == len(expected)
    assert actual[KEY].equals(expected[KEY])
    for column in expected.columns:
        left, right = actual[column], expected[column]
        sample = next((v for v in right if v is not None), None)
        if isinstance(sample, (np.ndarray, list)):
            same = [same_value(a, b) for a, b in zip(left, right)]
        else:
            same = ((left == right) | (left.isna() & right.isna())).tolist()
        differing = [i for i, ok in enumerate(same) if not ok]
        assert not differing, (
            f"column {column}: {len(differing)} row(s) differ, first {actual.loc[differing[0], KEY].tolist()}: "
            f"{left[differing[0]]!r} != {right[differing[0]]!r}"
        )


def same_value(a, b) -> bool:
    """Equal lists, also nested (hidden states: a list per layer), element for element; None equals None only."""
    if a is None or b is None:
        return a is None and b is None
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype == object or b.dtype == object:
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
