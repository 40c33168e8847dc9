"""Writes one split atomically: Parquet into a temporary directory, row count checked, then renamed.

A split directory that exists under the run directory is complete: it holds `_COMPLETE` (rows,
columns, data files and sizes) and was moved into place by one rename after its row count matched the
input's. A re-run trusts a split only if its files are still exactly those the marker lists, which also
catches a half-copied directory on stores whose rename is not atomic (S3).
"""

from __future__ import annotations

import uuid
from typing import Any

from utils.core.errors import OutputError
from utils.data.splits import Split
from utils.data.storage import COMPLETE_MARKER, Storage

TEMPORARY = "_temporary_splits"
# Parquet options of the output. zstd level 1 and no dictionary for the token lists (ids are too many for one
# anyway): half the write time of level 3 with dictionaries, for files a few per cent larger (benchmarks/RESULTS.md).
PARQUET_OPTIONS = {"compression": "zstd", "parquet.compression.codec.zstd.level": "1", "parquet.enable.dictionary#tokens": "false"}


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


def write_split(
    spark, storage: Storage, frame, run_dir: str, split: Split, expected_rows: int, tally_columns: list[str]
) -> tuple[int, dict[str, dict[Any, int]]]:
    """Writes `frame` as the split's Parquet dataset; returns the row count written (== expected_rows) and the rows
    per value of each tally column, both from one grouped read of the written files before they are committed."""
    final = split_path(run_dir, split)
    temporary = f"{run_dir}/{TEMPORARY}/{split.dataset}/{split.name}.{uuid.uuid4().hex}"
    try:
        frame.write.mode("errorifexists").options(**PARQUET_OPTIONS).parquet(temporary)
        tallies, written = value_counts(spark, temporary, tally_columns)
        if written != expected_rows:
            raise OutputError(f"Split {split.label}: wrote {written} rows but the input has {expected_rows}; the split was not committed.")
        marker = {"split": split.label, "rows": written, "columns": frame.columns, "files": data_files(storage, temporary)}
        storage.write_json(f"{temporary}/{COMPLETE_MARKER}", marker)
        storage.delete(final)
        storage.rename(temporary, final)
    finally:
        storage.delete(temporary)
    return written, tallies


def value_counts(spark, path: str, columns: list[str]) -> tuple[dict[str, dict[Any, int]], int]:
    """Rows per value (None for null) of each column of a Parquet dataset, and its row count, from one grouped read."""
    counts: dict[str, dict[Any, int]] = {column: {} for column in columns}
    total = 0
    frame = spark.read.parquet(path)
    for row in frame.groupBy(*columns).count().collect():
        total += row["count"]
        for column in columns:
            counts[column][row[column]] = counts[column].get(row[column], 0) + row["count"]
    return counts, total
