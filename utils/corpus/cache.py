"""Corpus statistics cached as Parquet under <directory>/<corpus fingerprint>/, written atomically.

Each table is written to a temporary name and renamed, then a `.json` marker records its row count
and byte size; a table whose marker is missing or disagrees with the file (a crash, a truncated copy)
is reported, deleted and recomputed, never read.
n-gram counts accumulate as parts (`ngrams-n<N>/part-<id>.parquet`): a later run that scores new
rows scans the corpus only for the n-grams no part holds yet.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

log = logging.getLogger(__name__)


class StatisticsCache:
    def __init__(self, directory: str, fingerprint: str, description: dict):
        self.root = Path(directory).expanduser() / fingerprint
        self.root.mkdir(parents=True, exist_ok=True)
        about = self.root / "corpus.json"
        if not about.exists():
            _atomic_write_bytes(about, json.dumps(description, indent=1, default=str).encode())

    # ------------------------------------------------------------------ token counts
    def token_counts_path(self, variant: str) -> Path:
        return self.root / f"token_counts{variant}.parquet"

    def read_token_counts(self, variant: str = "") -> pa.Table | None:
        return self._read(self.token_counts_path(variant))

    def write_token_counts(self, table: pa.Table, variant: str = "") -> None:
        self._write(self.token_counts_path(variant), table)

    # ------------------------------------------------------------------ n-gram counts
    def ngram_directory(self, n: int) -> Path:
        return self.root / f"ngrams-n{n}"

    def read_ngram_counts(self, n: int) -> tuple[np.ndarray, np.ndarray] | None:
        """(ngrams (rows, n), counts) of every valid part, or None when there is none."""
        directory = self.ngram_directory(n)
        tables = (
            [t for t in (self._read(p) for p in sorted(directory.glob("part-*.parquet"))) if t is not None] if directory.is_dir() else []
        )
        if not tables:
            return None
        table = pa.concat_tables(tables)
        ngrams = table.column("ngram").combine_chunks().flatten().to_numpy().reshape(-1, n)
        return ngrams, table.column("count").to_numpy()

    def write_ngram_counts(self, ngrams: np.ndarray, counts: np.ndarray) -> None:
        n = ngrams.shape[1]
        values = pa.array(np.ascontiguousarray(ngrams).ravel().astype(np.int32))
        table = pa.table({"ngram": pa.FixedSizeListArray.from_arrays(values, n), "count": pa.array(counts, pa.int64())})
        directory = self.ngram_directory(n)
        directory.mkdir(parents=True, exist_ok=True)
        self._write(directory / f"part-{uuid.uuid4().hex[:12]}.parquet", table)

    # ------------------------------------------------------------------ atomic files
    def _read(self, path: Path) -> pa.Table | None:
        marker = path.with_suffix(".json")
        if not path.exists() and not marker.exists():
            return None
        try:
            expected = json.loads(marker.read_text())
            table = pq.read_table(path)
            if table.num_rows != expected["rows"] or path.stat().st_size != expected["bytes"]:
                raise ValueError(
                    f"{table.num_rows} rows and {path.stat().st_size} bytes, marker says {expected['rows']} and {expected['bytes']}"
                )
            return table
        except Exception as error:  # missing/corrupt marker or file: recompute
            log.warning(
                "Statistics cache file %s is incomplete or corrupt (%s); it is deleted and recomputed.", path, str(error).splitlines()[0]
            )
            for stale in (path, marker):
                stale.unlink(missing_ok=True)
            return None

    def _write(self, path: Path, table: pa.Table) -> None:
        temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        pq.write_table(table, temporary)
        size = temporary.stat().st_size
        os.replace(temporary, path)
        _atomic_write_bytes(path.with_suffix(".json"), json.dumps({"rows": table.num_rows, "bytes": size}).encode())


def _atomic_write_bytes(path: Path, payload: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    temporary.write_bytes(payload)
    os.replace(temporary, path)
