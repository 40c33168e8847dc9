"""Writes one split atomically: Parquet into a temporary directory, row count checked, then renamed.

A split directory that exists under the run directory is complete: it holds `_COMPLETE` (rows,
columns, data files and sizes) and was moved into place by one rename after its row count matched the
input's. A re-run trusts a split only if its files are still exactly those the marker lists, which also
catches a half-copied directory on stores whose rename is not atomic (S3).
"""

from __future__ import annotations

import uuid

from utils.data.splits import Split
from utils.data.storage import COMPLETE_MARKER, Storage
from utils.pipeline.errors import OutputError

TEMPORARY = "_temporary_splits"


def split_path(run_dir: str, split: Split) -> str:
    return f"{run_dir}/{split.dataset}/{split.name}"


def data_files(storage: Storage, directory: str) -> dict[str, int]:
    """The split's Parquet part files (Spark's `_SUCCESS`, our marker and `.crc` files excluded)."""
    return {name: size for name, size in storage.list_files(directory).items() if not name.startswith(("_", "."))}


def completed_rows(storage: Storage, run_dir: str, split: Split) -> int | None:
    """Row count of a split already committed in this run directory and still intact, else None."""
    directory = split_path(run_dir, split)
    marker = f"{directory}/{COMPLETE_MARKER}"
    if not storage.exists(marker):
        return None
    try:
        content = storage.read_json(marker)
        rows, files = int(content["rows"]), content["files"]
    except (ValueError, KeyError, TypeError):
        return None
    return rows if data_files(storage, directory) == files else None


def write_split(spark, storage: Storage, frame, run_dir: str, split: Split, expected_rows: int) -> int:
    """Writes `frame` as the split's Parquet dataset; returns the row count written (== expected_rows)."""
    final = split_path(run_dir, split)
    temporary = f"{run_dir}/{TEMPORARY}/{split.dataset}/{split.name}.{uuid.uuid4().hex}"
    try:
        frame.write.mode("errorifexists").parquet(temporary)
        written = spark.read.parquet(temporary).count()  # Parquet footers only
        if written != expected_rows:
            raise OutputError(f"Split {split.label}: wrote {written} rows but the input has {expected_rows}; the split was not committed.")
        marker = {"split": split.label, "rows": written, "columns": frame.columns, "files": data_files(storage, temporary)}
        storage.write_json(f"{temporary}/{COMPLETE_MARKER}", marker)
        storage.delete(final)
        storage.rename(temporary, final)
    finally:
        storage.delete(temporary)
    return written
