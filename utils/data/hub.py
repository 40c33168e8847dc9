"""Hugging Face splits as local Parquet: a configured mirror, else a cache holding only the splits asked for.

Layout of both: <root>/<repo_id>/<split>/*.parquet, with a `_COMPLETE` marker in cached splits. A split is
fetched file by file: `datasets` resolves which data files make the split (the repository's README `configs`,
else its file naming, e.g. `data/deduped.70m-00000-of-00002-*.parquet`), and only those are downloaded,
checked (size and, for LFS files, SHA-256; Parquet footers) and read by Spark where they lie. `load_dataset`
would download and prepare every split of the repository first. Splits stored in another format (JSON, CSV)
are read by `datasets` from that split's files only and written as Parquet. `repo` may also be a local
directory laid out like the hub repository (a clone): its files are selected and copied the same way.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import uuid
from pathlib import Path, PurePosixPath

import pyarrow as pa
import pyarrow.parquet as pq

from utils.core.errors import DataSourceError
from utils.data.settings import HubSettings
from utils.data.storage import COMPLETE_MARKER

log = logging.getLogger(__name__)

PROBE_TIMEOUT_S = 10.0  # one request to the hub endpoint before any work; no retries


def split_directory(root: str | Path, repo: str, split: str) -> Path:
    return Path(root) / repo / split


def parquet_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.parquet") if not p.name.startswith(("_", ".")))


def locate_split(hub: HubSettings, cache_dir: str, repo: str, split: str) -> Path:
    """Directory of Parquet files for (repo, split): mirror, cache, or a fresh download of that split into the cache."""
    if hub.local_mirror:
        directory = split_directory(hub.local_mirror, repo, split)
        if not parquet_files(directory):
            raise DataSourceError(
                f"hub.local_mirror is {hub.local_mirror}, but it has no Parquet files for {repo} split {split} "
                f"(looked in {directory}). Lay the copy out as <mirror>/<repo_id>/<split>/*.parquet."
            )
        return directory
    directory = split_directory(Path(cache_dir) / "hub", repo.strip("/"), split)
    if parquet_cache_complete(directory):
        return directory
    return download_split(hub, directory, repo, split)


def parquet_cache_complete(directory: Path) -> bool:
    """A cached directory of Parquet files is usable: the marker is there and the files are exactly those it lists,
    with its sizes and row count."""
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


def download_split(hub: HubSettings, directory: Path, repo: str, split: str) -> Path:
    """Fetches only the files of one split into `directory`, atomically (a hidden temporary directory, then a rename)."""
    local = Path(repo).is_dir()
    if not local:
        _fail_fast_if_unreachable(repo, split)
    files = split_data_files(repo, split, hub.revision)
    log.info("Fetching %s split %s (%d file(s)) into %s", repo, split, len(files), directory)
    temporary = directory.parent / f".{directory.name}.{uuid.uuid4().hex}.tmp"
    temporary.mkdir(parents=True, exist_ok=True)
    try:
        if all(url.endswith(".parquet") for url in files):
            rows = sum(fetch_verified(url, temporary / name, repo, split) for url, name in zip(files, _local_names(files)))
        else:
            rows = _convert_with_datasets(repo, split, hub.revision, files, temporary)
        written = {p.name: p.stat().st_size for p in parquet_files(temporary)}
        (temporary / COMPLETE_MARKER).write_text(json.dumps({"repo": repo, "split": split, "rows": rows, "files": written}))
        if directory.exists():
            shutil.rmtree(directory)
        temporary.rename(directory)
    finally:
        if temporary.exists():
            shutil.rmtree(temporary, ignore_errors=True)
    return directory


def split_data_files(repo: str, split: str, revision: str | None) -> list[str]:
    """URLs (hf://… or local paths) of the data files that make one split, resolved by `datasets` without downloading data."""
    try:
        import datasets

        builder = datasets.load_dataset_builder(repo, revision=revision)
    except Exception as error:
        raise _fetch_error(repo, split, error) from None
    data_files = builder.config.data_files or {}
    if split not in data_files:
        raise DataSourceError(
            f"Dataset {repo} has no split {split!r}; its splits: {', '.join(sorted(data_files)) or 'none'}. Check the split name."
        )
    return list(data_files[split])


def fetch_verified(url: str, destination: Path, repo: str, split: str) -> int:
    """Copies one Parquet data file to `destination` and checks it: the source's size, its SHA-256 when the hub gives one
    (LFS files), a readable footer. Returns its row count."""
    import fsspec

    try:
        fs, path = fsspec.core.url_to_fs(url)
        info = fs.info(path)
        fs.get_file(path, str(destination))
    except Exception as error:
        raise _fetch_error(repo, split, error) from None
    where = f"{repo} split {split}: {url}"
    size = destination.stat().st_size
    if info.get("size") is not None and size != int(info["size"]):
        raise DataSourceError(f"{where} arrived with {size} bytes, the source lists {info['size']}; fetch it again.")
    expected_sha = (info.get("lfs") or {}).get("sha256")
    if expected_sha and _sha256(destination) != expected_sha:
        raise DataSourceError(f"{where} arrived with a different SHA-256 than the hub lists ({expected_sha}); fetch it again.")
    try:
        return pq.read_metadata(destination).num_rows
    except (pa.ArrowInvalid, OSError) as error:
        raise DataSourceError(f"{where} is not readable Parquet ({error}).") from None


def _local_names(urls: list[str]) -> list[str]:
    """The files' own names, numbered in front only when two files of the split share one (nested folders)."""
    names = [PurePosixPath(url).name for url in urls]
    if len(set(names)) == len(names):
        return names
    return [f"{i:05d}-{name}" for i, name in enumerate(names)]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def _convert_with_datasets(repo: str, split: str, revision: str | None, files: list[str], temporary: Path) -> int:
    """A split stored as JSON/CSV/Arrow: `datasets` reads that split's files only and the rows are written as Parquet."""
    relative = [_repo_relative(url) for url in files]
    try:
        import datasets

        dataset = datasets.load_dataset(repo, revision=revision, data_files={split: relative}, split=split)
    except Exception as error:
        raise _fetch_error(repo, split, error) from None
    dataset.to_parquet(str(temporary / "part-00000.parquet"))
    return len(dataset)


def _repo_relative(url: str) -> str:
    """Path of a resolved data file inside its repository: after `hf://datasets/<repo>@<revision>/`, or relative to a local clone."""
    if url.startswith("hf://"):
        return url.split("@", 1)[1].split("/", 1)[1] if "@" in url else url.split("/", 5)[5]
    return url


def _fail_fast_if_unreachable(repo: str, split: str) -> None:
    """One request to the hub endpoint, so that no network fails in a second rather than after the clients' retries."""
    if _offline():
        return
    from huggingface_hub import constants
    from huggingface_hub.utils import get_session

    try:
        get_session().head(constants.ENDPOINT, timeout=PROBE_TIMEOUT_S)
    except Exception as error:
        raise _fetch_error(repo, split, error) from None


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false", "False")


def _fetch_error(repo: str, split: str, error: Exception) -> DataSourceError:
    first_line = str(error).splitlines()[0] if str(error) else ""
    return DataSourceError(
        f"Could not fetch split {split!r} of dataset {repo} from Hugging Face ({type(error).__name__}: {first_line}). "
        + ("HF_HUB_OFFLINE is set and the split is not in run.cache_dir. " if _offline() else "")
        + "Check the network and the split name, or use a local copy: set hub.local_mirror to a directory laid "
        "out as <repo_id>/<split>/*.parquet, or set the repository option (e.g. hub.memories_repo) to a local clone of it."
    )
