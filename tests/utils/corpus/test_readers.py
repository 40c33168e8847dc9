"""Training corpora opened and checked before any work (config, files, columns), cut into chunks and read chunk by
chunk: Megatron prefixes and Parquet tables, record lengths checked, and a fingerprint that follows the files."""

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from utils.core.errors import ConfigError, DataSourceError
from utils.corpus.megatron import write_megatron
from utils.corpus.readers import CorpusConfig, open_corpus


def make(tmp_path, records, dtype="uint16", shards=1):
    prefix = tmp_path / "document"
    write_megatron(prefix, records, dtype, shards)
    return prefix


def test_int32_corpus_and_record_length_check(tmp_path):
    prefix = make(tmp_path, [np.array([70000, 1, 2], np.int32), np.array([3, 4], np.int32)], dtype="int32")
    corpus = open_corpus(CorpusConfig(path=str(prefix), dtype="int32", vocab_size=80000, record_length=3), "test")
    with pytest.raises(DataSourceError, match="record 1 .* has 2 tokens, but record_length is 3"):
        for chunk in corpus.chunks(chunk_tokens=1):
            corpus.read(chunk)
    with pytest.raises(DataSourceError, match="stores int32 tokens, but the corpus config says dtype uint16"):
        open_corpus(CorpusConfig(path=str(prefix)), "test")


def read_all(corpus, chunk_tokens=1):
    """Every record of the corpus as (id, token list), chunk by chunk."""
    out = []
    for chunk in corpus.chunks(chunk_tokens):
        tokens, starts, lengths, ids = corpus.read(chunk)
        out += [(int(i), tokens[s : s + n].tolist()) for i, s, n in zip(ids, starts, lengths)]
    return out


def test_megatron_chunks_hold_about_chunk_tokens_and_cover_every_record_once(tmp_path):
    records = [np.full(10, i, np.uint16) for i in range(7)]
    corpus = open_corpus(CorpusConfig(path=str(make(tmp_path, records)) + ".idx", record_length=10), "test")  # .idx accepted
    chunks = corpus.chunks(chunk_tokens=30)
    assert [(c.first_record, c.records) for c in chunks] == [(0, 3), (3, 3), (6, 1)]
    assert read_all(corpus, 30) == [(i, [i] * 10) for i in range(7)]


def write_parquet(path, rows, row_group_size, **columns):
    table = pa.table({"tokens": pa.array(rows, pa.list_(pa.uint16())), **columns})
    pq.write_table(table, path, row_group_size=row_group_size)


def test_parquet_corpus_reads_row_groups_in_file_order_with_ids_from_their_column_or_position(tmp_path):
    directory = tmp_path / "corpus"
    directory.mkdir()
    write_parquet(directory / "a.parquet", [[1, 2], [3, 4], [5, 6]], 2, sequence_id=pa.array([10, 11, 12], pa.int64()))
    write_parquet(directory / "b.parquet", [[7, 8]], 1)  # no id column: positional ids
    (directory / "_SUCCESS").write_text("")
    corpus = open_corpus(CorpusConfig(format="parquet", path=str(directory), record_length=2), "test")
    assert corpus.records == 4 and [(c.first_record, c.records) for c in corpus.chunks(1)] == [(0, 2), (2, 1), (3, 1)]
    assert read_all(corpus) == [(10, [1, 2]), (11, [3, 4]), (12, [5, 6]), (3, [7, 8])]
    assert corpus.token_space == 1 << 16


def test_parquet_rows_that_cannot_be_counted_are_one_error_naming_the_file_and_row_group(tmp_path):
    pq.write_table(pa.table({"tokens": pa.array([[1], None], pa.list_(pa.int64()))}), tmp_path / "nulls.parquet")
    corpus = open_corpus(CorpusConfig(format="parquet", path=str(tmp_path / "nulls.parquet"), record_length=None), "test")
    with pytest.raises(DataSourceError, match=r"nulls.parquet, row group 0: 1 row\(s\) have null tokens"):
        read_all(corpus)
    pq.write_table(pa.table({"tokens": pa.array([[1, 70000]], pa.list_(pa.int64()))}), tmp_path / "wide.parquet")
    corpus = open_corpus(CorpusConfig(format="parquet", path=str(tmp_path / "wide.parquet"), record_length=None), "test")
    with pytest.raises(DataSourceError, match=r"token ids outside uint16 \(1..70000\)"):
        read_all(corpus)
    write_parquet(tmp_path / "short.parquet", [[1, 2, 3], [4]], 5)
    corpus = open_corpus(CorpusConfig(format="parquet", path=str(tmp_path / "short.parquet"), record_length=3), "test")
    with pytest.raises(DataSourceError, match="record 1 in .*short.parquet row group 0 has 1 tokens, but record_length is 3"):
        read_all(corpus)


def test_parquet_files_without_the_column_or_not_parquet_at_all(tmp_path):
    pq.write_table(pa.table({"ids": [[1]]}), tmp_path / "other.parquet")
    with pytest.raises(DataSourceError, match=r"other.parquet has no 'tokens' column \(columns: ids\)"):
        open_corpus(CorpusConfig(format="parquet", path=str(tmp_path / "other.parquet")), "test")
    (tmp_path / "text.parquet").write_text("not parquet")
    with pytest.raises(DataSourceError, match="text.parquet is not readable Parquet"):
        open_corpus(CorpusConfig(format="parquet", path=str(tmp_path / "text.parquet")), "test")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataSourceError, match="has no Parquet files"):
        open_corpus(CorpusConfig(format="parquet", path=str(tmp_path / "empty")), "test")


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (CorpusConfig(path="x", dtype="int64"), "corpus.dtype must be one of uint16, int32, got 'int64'"),
        (CorpusConfig(path="x", dtype="int32"), "corpus.vocab_size is required for an int32 corpus"),
        (CorpusConfig(path=""), "corpus.path is empty"),
        (CorpusConfig(path="x", format="arrow"), "corpus.format must be megatron or parquet, got 'arrow'"),
    ],
)
def test_configuration_errors_name_the_key(config, message):
    with pytest.raises(ConfigError, match=message):
        open_corpus(config, "corpus")


def test_the_fingerprint_follows_the_files_and_the_config(tmp_path):
    records = [np.arange(4, dtype=np.uint16)] * 3
    prefix = make(tmp_path, records)
    first = open_corpus(CorpusConfig(path=str(prefix), record_length=4), "test").fingerprint()
    assert open_corpus(CorpusConfig(path=str(prefix), record_length=4), "test").fingerprint() == first
    assert open_corpus(CorpusConfig(path=str(prefix), record_length=None), "test").fingerprint() != first
    write_megatron(prefix, [np.arange(1, 5, dtype=np.uint16)] * 3)  # same sizes, other tokens
    assert open_corpus(CorpusConfig(path=str(prefix), record_length=4), "test").fingerprint() != first
