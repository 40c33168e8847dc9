"""The Hugging Face split cache: only the asked-for split's files are fetched (from a local repository laid out like
the hub's), verified, filled atomically once, reused while intact, fetched again when damaged; no network fails fast."""

from __future__ import annotations

import time

import fsspec
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from utils.core.errors import DataSourceError
from utils.data import hub
from utils.data.hub import locate_split
from utils.data.settings import HubSettings

SPLIT = "deduped.70m"
# Split -> shards, named as `push_to_hub` names them on the hub: data/<split>-<shard>-of-<shards>-<fingerprint>.parquet
LAYOUT = {"deduped.70m": 2, "deduped.160m": 1, "duped.70m": 3, "duped.12b.23000": 1}
ROWS_PER_SHARD = 150


def _shard(split: str, shard: int) -> pa.Table:
    first = (sorted(LAYOUT).index(split) * 10 + shard) * ROWS_PER_SHARD
    ids = list(range(first, first + ROWS_PER_SHARD))
    return pa.table(
        {
            "index": pa.array(ids, pa.int64()),
            "tokens": pa.array([[i % 7] * 64 for i in ids], pa.list_(pa.int64())),
            "__index_level_0__": pa.array(ids, pa.int64()),
        }
    )


@pytest.fixture
def repo(tmp_path):
    """A local directory laid out like EleutherAI/pythia-memorized-evals on the hub (README without `configs`)."""
    root = tmp_path / "pythia-memorized-evals"
    (root / "data").mkdir(parents=True)
    (root / "README.md").write_text("---\nlicense: mit\n---\n# Pythia Memorized Evals\n")
    for split, shards in LAYOUT.items():
        for shard in range(shards):
            pq.write_table(_shard(split, shard), root / "data" / f"{split}-{shard:05d}-of-{shards:05d}-0a1b2c3d4e5f.parquet")
    return root


@pytest.fixture
def fetched(monkeypatch):
    """Records every data file the fetch copies."""
    calls = []
    original = hub.fetch_verified

    def recording(url, destination, repo, split):
        calls.append(url)
        return original(url, destination, repo, split)

    monkeypatch.setattr(hub, "fetch_verified", recording)
    return calls


def fetch(tmp_path, repo, split=SPLIT):
    return locate_split(HubSettings(), str(tmp_path / "cache"), str(repo), split)


def test_only_the_requested_split_is_fetched(tmp_path, repo, fetched):
    directory = fetch(tmp_path, repo)
    assert sorted(p.name for p in directory.glob("*.parquet")) == [
        "deduped.70m-00000-of-00002-0a1b2c3d4e5f.parquet",
        "deduped.70m-00001-of-00002-0a1b2c3d4e5f.parquet",
    ]
    assert sorted(url.rsplit("/", 1)[1] for url in fetched) == sorted(p.name for p in directory.glob("*.parquet"))
    frame = pd.read_parquet(directory)
    expected = pa.concat_tables([_shard(SPLIT, 0), _shard(SPLIT, 1)]).to_pandas()
    assert sorted(frame["index"]) == sorted(expected["index"]) and len(frame) == 2 * ROWS_PER_SHARD
    # a split whose name is a prefix of another's, and one with a step suffix, get exactly their own files
    assert len(list(fetch(tmp_path, repo, "duped.70m").glob("*.parquet"))) == 3
    assert len(pd.read_parquet(fetch(tmp_path, repo, "duped.12b.23000"))) == ROWS_PER_SHARD


def test_reused_while_intact(tmp_path, repo, fetched):
    directory = fetch(tmp_path, repo)
    assert fetch(tmp_path, repo) == directory and len(fetched) == 2
    assert not [p for p in directory.parent.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("damage", ["truncate", "same_size_footer", "marker_missing", "marker_garbage", "extra_file"])
def test_damaged_cache_is_fetched_again(tmp_path, repo, fetched, damage, caplog):
    directory = fetch(tmp_path, repo)
    part = sorted(directory.glob("*.parquet"))[0]
    data = part.read_bytes()
    if damage == "truncate":
        part.write_bytes(data[: len(data) // 2])
    elif damage == "same_size_footer":
        part.write_bytes(data[:-12] + b"\0" * 12)  # same size, footer and magic gone
    elif damage == "marker_missing":
        (directory / "_COMPLETE").unlink()
    elif damage == "marker_garbage":
        (directory / "_COMPLETE").write_text("{not json")
    else:
        (directory / "part-00009.parquet").write_bytes(data)
    assert fetch(tmp_path, repo) == directory and len(fetched) == 4
    assert len(pd.read_parquet(directory)) == 2 * ROWS_PER_SHARD
    if damage != "marker_missing":
        assert "damaged" in caplog.text


def test_interrupted_download_leaves_no_usable_split(tmp_path, repo, monkeypatch):
    """A download that dies after its first file leaves only a hidden temporary directory, never the split."""
    original, done = hub.fetch_verified, []

    def dies_second(url, destination, repo_name, split):
        if done:
            destination.write_bytes(b"PAR1 half")
            raise KeyboardInterrupt
        done.append(url)
        return original(url, destination, repo_name, split)

    monkeypatch.setattr(hub, "fetch_verified", dies_second)
    with pytest.raises(KeyboardInterrupt):
        fetch(tmp_path, repo)
    monkeypatch.undo()
    split_parent = tmp_path / "cache" / "hub" / str(repo).strip("/")
    assert not (split_parent / SPLIT).exists() and not list(split_parent.glob(".*.tmp"))
    assert len(pd.read_parquet(fetch(tmp_path, repo))) == 2 * ROWS_PER_SHARD


@pytest.mark.parametrize("mismatch", ["size", "sha256"])
def test_a_file_that_differs_from_the_source_listing_is_an_error(tmp_path, repo, monkeypatch, mismatch):
    local = fsspec.filesystem("file")
    listed = local.info

    def info(path, **kwargs):
        entry = dict(listed(path, **kwargs))
        if mismatch == "size":
            entry["size"] += 1
        else:
            entry["lfs"] = {"size": entry["size"], "sha256": "0" * 64, "pointer_size": 134}
        return entry

    monkeypatch.setattr(type(local), "info", lambda self, path, **kw: info(path, **kw))
    with pytest.raises(DataSourceError, match="deduped.70m-0000[01]-of-00002") as error:
        fetch(tmp_path, repo)
    assert ("bytes" if mismatch == "size" else "SHA-256") in str(error.value)
    assert not (tmp_path / "cache" / "hub" / str(repo).strip("/") / SPLIT).exists()


def test_unknown_split_lists_the_repository_splits(tmp_path, repo):
    with pytest.raises(DataSourceError, match=r"no split 'deduped\.71m'; its splits: deduped\.160m, deduped\.70m, duped\.12b\.23000"):
        fetch(tmp_path, repo, "deduped.71m")


def test_split_in_another_format_is_converted_from_its_own_files_only(tmp_path):
    root = tmp_path / "frequencies"
    (root / "data").mkdir(parents=True)
    (root / "data" / "memorized-00000-of-00001.jsonl").write_text('{"TokenID": 1, "Frequency": 5}\n{"TokenID": 2, "Frequency": 7}\n')
    (root / "data" / "non_memorized-00000-of-00001.jsonl").write_text('{"TokenID": 1, "Frequency": 50}\n')
    frame = pd.read_parquet(locate_split(HubSettings(), str(tmp_path / "cache"), str(root), "memorized"))
    assert frame.to_dict("list") == {"TokenID": [1, 2], "Frequency": [5, 7]}


def test_unreachable_hub_fails_after_one_try(tmp_path, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(constants, "ENDPOINT", "http://127.0.0.1:9")  # the discard port: connection refused at once
    started = time.perf_counter()
    with pytest.raises(DataSourceError) as error:
        locate_split(HubSettings(), str(tmp_path / "cache"), "EleutherAI/pythia-memorized-evals", SPLIT)
    assert time.perf_counter() - started < 5
    message = str(error.value)
    assert "EleutherAI/pythia-memorized-evals" in message and "deduped.70m" in message and "hub.local_mirror" in message


def test_a_hub_url_maps_to_its_path_inside_the_repository():
    assert hub._repo_relative("hf://datasets/usvsnsp/duped-num-frequencies@3f2e1d/data/memorized-00000-of-00001.jsonl") == (
        "data/memorized-00000-of-00001.jsonl"
    )
    assert hub._repo_relative("hf://datasets/org/name/data/train.csv") == "data/train.csv"
