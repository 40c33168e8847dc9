"""The semantic-duplicates provider's parts that need no embedding model: which corpus a split is compared with, the
binary form of the embeddings (and a damaged one refused), the cache fingerprint, and the rows that are embedded.
The whole provider against brute force: tests/e2e/test_semantic_duplicates.py."""

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from utils.core.errors import ConfigError
from utils.corpus.semantic_duplicates import (
    SemanticProvider,
    _as_binary,
    _as_matrix,
    _counts_schema,
    _fingerprint,
    _valid_rows,
    schema_table,
)
from utils.data.splits import Split
from utils.pipeline.config import build_config


def provider(**semantic):
    return SemanticProvider(build_config({"semantic": semantic}), frozenset({"semantic_counts"}), {})


def test_a_split_is_compared_with_its_schemes_pile_sample_unless_a_corpus_is_named():
    assert provider().corpus_spec(Split("memories", "deduped", "70m")) == "pile:deduped"
    assert provider(corpus="memories:duped.70m").corpus_spec(Split("local", "", "", local_name="x")) == "memories:duped.70m"
    with pytest.raises(ConfigError, match="split local/x has no scheme: give the local input a scheme"):
        provider().corpus_spec(Split("local", "", "", local_name="x"))


def test_embeddings_round_trip_through_binary_rows_sliced_or_not():
    vectors = np.arange(12, dtype=np.float32).reshape(4, 3) / 7
    column = _as_binary(vectors)
    assert column.type == pa.binary() and len(column[0].as_py()) == 12
    assert np.array_equal(_as_matrix(column), vectors)
    assert np.array_equal(_as_matrix(column.slice(1, 2)), vectors[1:3])
    assert np.array_equal(_as_matrix(pa.chunked_array([column.slice(0, 2), column.slice(2)])), vectors)
    assert np.array_equal(_as_matrix(column.cast(pa.large_binary())), vectors)
    assert _as_matrix(pa.array([], pa.binary())).shape == (0, 1)


def test_rows_of_different_widths_are_a_damaged_cache():
    with pytest.raises(ValueError, match="embedding rows differ in width"):
        _as_matrix(pa.array([b"\x00" * 8, b"\x00" * 4]))
    with pytest.raises(ValueError, match="damaged"):
        _as_matrix(pa.array([b"\x00" * 6]))  # not whole float32 values


def test_the_fingerprint_follows_model_tokenizer_and_the_corpus_files(tmp_path):
    pq.write_table(pa.table({"tokens": [[1, 2]]}), tmp_path / "a.parquet")
    first = _fingerprint(str(tmp_path), "m", "t")
    assert _fingerprint(str(tmp_path), "m", "t") == first
    assert len({first, _fingerprint(str(tmp_path), "other", "t"), _fingerprint(str(tmp_path), "m", "other")}) == 3
    pq.write_table(pa.table({"tokens": [[1, 3]]}), tmp_path / "a.parquet")
    assert _fingerprint(str(tmp_path), "m", "t") != first


def test_only_rows_whose_ids_are_all_valid_are_embedded(spark):
    frame = spark.createDataFrame(
        [(1, [1.0, 2.0]), (2, [1.0, 99.0]), (3, [1.5]), (4, []), (5, None), (6, [-1.0]), (7, [0.0, 98.0])],
        "sequence_id long, tokens array<double>",
    )
    other = spark.createDataFrame([(8, [3.0])], "sequence_id long, tokens array<double>")
    rows = _valid_rows([frame, other], vocab=99).collect()
    assert sorted((r.sequence_id, r.tokens) for r in rows) == [(1, [1, 2]), (7, [0, 98]), (8, [3])]


def test_the_partial_counts_have_one_column_per_threshold_and_kind():
    schema = _counts_schema(2)
    assert schema.fieldNames() == ["sequence_id", "token_hash", "snowclones_0", "snowclones_1", "templates_0", "templates_1"]
    empty = schema_table(schema)
    assert empty.num_rows == 0 and empty.column_names == schema.fieldNames() and empty.schema.field(2).type == pa.int64()
