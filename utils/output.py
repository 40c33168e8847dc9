"""Writes one split atomically: Parquet into a temporary directory, row count checked, then renamed.

A split directory that exists under the run directory is complete: it holds `_COMPLETE` (rows,
columns) and was moved into place by one rename after its row count matched the input's.
"""

from __future__ import annotations

import uuid

from utils.errors import OutputError
from utils.splits import Split
from utils.storage import Storage

COMPLETE = "_COMPLETE"
TEMPORARY = "_temporary_splits"


def split_path(run_dir: str, split: Split) -> str:
    return f"{run_dir}/{split.dataset}/{split.name}"


def completed_rows(storage: Storage, run_dir: str, split: Split) -> int | None:
    """Row count of a split already committed in this run directory, else None."""
    marker = f"{split_path(run_dir, split)}/{COMPLETE}"
    if not storage.exists(marker):
        return None
    try:
        return int(storage.read_json(marker)["rows"])
    except (ValueError, KeyError, TypeError):
        return None


def write_split(spark, storage: Storage, frame, run_dir: str, split: Split, expected_rows: int) -> int:
    """Writes `frame` as the split's Parquet dataset; returns the row count written (== expected_rows)."""
    final = split_path(run_dir, split)
    temporary = f"{run_dir}/{TEMPORARY}/{split.dataset}/{split.name}.{uuid.uuid4().hex}"
    try:
        frame.write.mode("errorifexists").parquet(temporary)
        written = spark.read.parquet(temporary).count()  # Parquet footers only
        if written != expected_rows:
            raise OutputError(
                f"Split {split.label}: wrote {written} rows but the input has {expected_rows}; the split was not committed."
            )
        storage.write_json(f"{temporary}/{COMPLETE}", {"split": split.label, "rows": written, "columns": frame.columns})
        storage.delete(final)
        storage.rename(temporary, final)
    finally:
        storage.delete(temporary)
    return written
