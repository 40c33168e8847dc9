"""Megatron .idx/.bin reading: round trip, shards, and a clear error for each kind of damage."""

import struct

import numpy as np
import pytest

from utils.core.errors import DataSourceError
from utils.corpus.megatron import HEADER, ShardedBin, read_index, read_records, write_megatron
from utils.corpus.readers import CorpusConfig, open_corpus


def make(tmp_path, records, dtype="uint16", shards=1):
    prefix = tmp_path / "document"
    write_megatron(prefix, records, dtype, shards)
    return prefix


@pytest.mark.parametrize("shards", [1, 3])
def test_round_trip_across_shards(tmp_path, shards):
    rng = np.random.default_rng(shards)
    records = [rng.integers(0, 65535, size=n).astype(np.uint16) for n in (5, 7, 1, 9)]
    prefix = make(tmp_path, records, shards=shards)
    corpus = open_corpus(CorpusConfig(path=str(prefix), record_length=None), "test")
    assert corpus.records == 4 and len(corpus.files) == 1 + shards
    tokens, starts, lengths, ids = corpus.read(corpus.chunks(chunk_tokens=1)[1])
    assert ids.tolist() == [1] and tokens[starts[0] : starts[0] + lengths[0]].tolist() == records[1].tolist()
    tokens, starts, lengths = read_records(corpus.index, corpus.data, 0, 4)
    assert [tokens[s : s + n].tolist() for s, n in zip(starts, lengths)] == [r.tolist() for r in records]


def corrupt(path, offset, payload):
    data = bytearray(path.read_bytes())
    data[offset : offset + len(payload)] = payload
    path.write_bytes(bytes(data))


def test_wrong_magic_version_dtype_and_truncation(tmp_path):
    prefix = make(tmp_path, [np.arange(4, dtype=np.uint16)] * 3)
    index = tmp_path / "document.idx"
    original = index.read_bytes()

    corrupt(index, 0, b"NOTANIDX\x00")
    with pytest.raises(DataSourceError, match="not a Megatron MMapIndexedDataset index: magic"):
        read_index(index)
    index.write_bytes(original)
    corrupt(index, 9, struct.pack("<Q", 2))
    with pytest.raises(DataSourceError, match="version 2; only version 1"):
        read_index(index)
    index.write_bytes(original)
    corrupt(index, 17, bytes([6]))
    with pytest.raises(DataSourceError, match=r"stores float64 \(code 6\); token corpora must be uint16"):
        read_index(index)
    index.write_bytes(original[:-5])
    with pytest.raises(DataSourceError, match="truncated or corrupt"):
        read_index(index)
    index.write_bytes(original[: HEADER.size - 1])
    with pytest.raises(DataSourceError, match="shorter than its"):
        read_index(index)
    index.write_bytes(original)

    data = tmp_path / "document.bin"
    data.write_bytes(data.read_bytes()[:-3])
    with pytest.raises(DataSourceError, match=r"document.bin is 21 bytes, but index .* needs 24 .*truncated"):
        open_corpus(CorpusConfig(path=str(prefix), record_length=None), "test")


def test_missing_files_name_the_path(tmp_path):
    with pytest.raises(DataSourceError, match="nothing.idx cannot be read"):
        open_corpus(CorpusConfig(path=str(tmp_path / "nothing")), "test")
    (tmp_path / "lonely.idx").write_bytes(b"")
    write_megatron(tmp_path / "lonely", [np.arange(3, dtype=np.uint16)])
    (tmp_path / "lonely.bin").unlink()
    with pytest.raises(DataSourceError, match="no .*lonely.bin and no shards"):
        open_corpus(CorpusConfig(path=str(tmp_path / "lonely")), "test")


def test_sharded_bin_reads_across_boundaries(tmp_path):
    parts = [tmp_path / f"p{i}" for i in range(3)]
    for i, part in enumerate(parts):
        part.write_bytes(bytes(range(i * 4, i * 4 + 4)))
    data = ShardedBin(parts)
    assert data.read(2, 8).tolist() == list(range(2, 10))
    with pytest.raises(DataSourceError, match="past the end"):
        data.read(10, 5)
