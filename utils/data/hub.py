"""Hugging Face splits as local Parquet: a configured mirror, else a cache filled once with `datasets`.

Layout of both: <root>/<repo_id>/<split>/*.parquet, with a `_COMPLETE` marker in cached splits. The
download streams Arrow batches to Parquet (`Dataset.to_parquet`); the driver never holds a split in
pandas. `HF_HOME` and `HF_HUB_OFFLINE` are honoured by `datasets` itself.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from utils.data.storage import COMPLETE_MARKER
from utils.pipeline.config import HubConfig
from utils.pipeline.errors import DataSourceError

log = logging.getLogger(__name__)


def split_directory(root: str | Path, repo: str, split: str) -> Path:
    return Path(root) / repo / split


def parquet_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.parquet") if not p.name.startswith(("_", ".")))


def locate_split(hub: HubConfig, cache_dir: str, repo: str, split: str) -> Path:
    """Directory of Parquet files for (repo, split): mirror, cache, or a fresh download into the cache."""
    if hub.local_mirror:
        directory = split_directory(hub.local_mirror, repo, split)
        if not parquet_files(directory):
            raise DataSourceError(
                f"hub.local_mirror is {hub.local_mirror}, but it has no Parquet files for {repo} split {split} "
                f"(looked in {directory}). Lay the copy out as <mirror>/<repo_id>/<split>/*.parquet."
            )
        return directory
    directory = split_directory(Path(cache_dir) / "hub", repo, split)
    if _cache_complete(directory):
        return directory
    return download_split(hub, directory, repo, split)


def _cache_complete(directory: Path) -> bool:
    """The marker is there and the files are exactly those it lists, with its sizes and row count."""
    marker = directory / COMPLETE_MARKER
    if not marker.is_file():
        return False
    try:
        content = json.loads(marker.read_text())
        expected, rows = content["files"], int(content["rows"])
    except (ValueError, KeyError, TypeError):
        return _stale(directory, "its marker is unreadable")
    files = parquet_files(directory)
    if {p.name: p.stat().st_size for p in files} != expected:
        return _stale(directory, "its files or their sizes differ from the marker")
    try:
        counted = sum(pq.read_metadata(p).num_rows for p in files)
    except (pa.ArrowInvalid, OSError):
        return _stale(directory, "a Parquet footer is unreadable")
    return counted == rows or _stale(directory, f"it holds {counted} rows, the marker says {rows}")


def _stale(directory: Path, why: str) -> bool:
    log.warning("The cached split in %s is damaged (%s); it is fetched again.", directory, why)
    return False


def download_split(hub: HubConfig, directory: Path, repo: str, split: str) -> Path:
    log.info("Fetching %s split %s from Hugging Face into %s", repo, split, directory)
    try:
        import datasets

        dataset = datasets.load_dataset(repo, split=split, revision=hub.revision)
    except Exception as error:
        first_line = str(error).splitlines()[0] if str(error) else ""
        offline = os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false", "False")
        raise DataSourceError(
            f"Could not fetch split {split!r} of dataset {repo} from Hugging Face ({type(error).__name__}: {first_line}). "
            + ("HF_HUB_OFFLINE is set and the split is not in the HF_HOME cache. " if offline else "")
            + "Check the network and the split name, or use a local copy: set hub.local_mirror to a directory laid "
            "out as <repo_id>/<split>/*.parquet, or run with HF_HUB_OFFLINE=1 and a populated HF_HOME cache."
        ) from None
    temporary = directory.parent / f".{directory.name}.{uuid.uuid4().hex}.tmp"
    temporary.mkdir(parents=True, exist_ok=True)
    try:
        dataset.to_parquet(str(temporary / "part-00000.parquet"))
        files = {p.name: p.stat().st_size for p in parquet_files(temporary)}
        (temporary / COMPLETE_MARKER).write_text(json.dumps({"repo": repo, "split": split, "rows": len(dataset), "files": files}))
        if directory.exists():
            shutil.rmtree(directory)
        temporary.rename(directory)
    finally:
        if temporary.exists():
            shutil.rmtree(temporary, ignore_errors=True)
    return directory
