"""The Hugging Face split cache: filled atomically once, reused while intact, fetched again when damaged."""

from __future__ import annotations

import datasets
import pandas as pd
import pytest

from utils.data.hub import locate_split
from utils.pipeline.config import HubConfig

REPO, SPLIT = "EleutherAI/pythia-memorized-evals", "deduped.70m"


@pytest.fixture
def fetches(monkeypatch):
    """Replaces the download with a local 300-row Dataset and counts the calls."""
    calls = []

    def load_dataset(repo, split, revision=None):
        calls.append((repo, split))
        return datasets.Dataset.from_dict({"index": list(range(300)), "tokens": [[i % 7] * 64 for i in range(300)]})

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)
    return calls


def fetch(tmp_path):
    return locate_split(HubConfig(), str(tmp_path / "cache"), REPO, SPLIT)


def test_reused_while_intact(tmp_path, fetches):
    directory = fetch(tmp_path)
    assert fetch(tmp_path) == directory and len(fetches) == 1
    assert len(pd.read_parquet(directory)) == 300
    assert not [p for p in directory.parent.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("damage", ["truncate", "same_size_footer", "marker_missing", "marker_garbage", "extra_file"])
def test_damaged_cache_is_fetched_again(tmp_path, fetches, damage, caplog):
    directory = fetch(tmp_path)
    part = next(directory.glob("*.parquet"))
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
        (directory / "part-00001.parquet").write_bytes(data)
    assert fetch(tmp_path) == directory and len(fetches) == 2
    assert len(pd.read_parquet(directory)) == 300
    if damage != "marker_missing":
        assert "damaged" in caplog.text


def test_interrupted_download_leaves_no_usable_split(tmp_path, fetches, monkeypatch):
    """A download that dies while writing leaves only a hidden temporary directory, never the split."""

    def die(self, path, **kwargs):
        open(path, "wb").write(b"PAR1 half")
        raise KeyboardInterrupt

    monkeypatch.setattr(datasets.Dataset, "to_parquet", die)
    with pytest.raises(KeyboardInterrupt):
        fetch(tmp_path)
    monkeypatch.undo()
    assert not (tmp_path / "cache" / "hub" / REPO / SPLIT).exists()
