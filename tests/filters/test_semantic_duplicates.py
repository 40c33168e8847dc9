"""semantic_duplicates: each row's snowclone and template counts looked up by (sequence_id, tokens), one per
threshold, and the `semantic` settings' checks and paths."""

import os
from types import SimpleNamespace

import numpy as np
import pyarrow as pa
import pytest

from filters import get_filter
from filters.semantic_duplicates import SemanticSettings
from metrics.token_windows import row_hashes
from tests.batches import batch_of
from utils.core.errors import ConfigError
from utils.core.resources import Resources
from utils.corpus.lookups import SemanticCounts, semantic_keys


def test_counts_per_threshold_by_sequence_id_and_tokens_and_zero_for_a_row_the_join_did_not_find():
    rows = [[1, 2, 3], [4, 5], [1, 2, 3]]  # rows 0 and 2: equal tokens, different sequence ids
    tokens = pa.array(rows, pa.list_(pa.int32()))
    keys = semantic_keys(np.array([2, 0]), row_hashes(tokens)[[2, 0]])
    order = np.argsort(keys)
    snowclones, templates = np.array([[7, 3], [5, 1]]), np.array([[2, 0], [1, 1]])
    lookup = SemanticCounts(SimpleNamespace(value=(keys[order], snowclones[order], templates[order])), (0.8, 0.9))
    out = get_filter("semantic_duplicates")(Resources(semantic_counts=lookup)).compute(batch_of(rows))
    assert out["semantic_snowclones"].to_pylist() == [[5, 1], [0, 0], [7, 3]]
    assert out["semantic_templates"].to_pylist() == [[1, 1], [0, 0], [2, 0]]
    assert out["semantic_snowclones"].type == pa.list_(pa.int64())


@pytest.mark.parametrize("thresholds", [(), (0.0,), (0.8, 1.01), (-0.5,)])
def test_thresholds_are_cosine_similarities_in_0_1(thresholds):
    with pytest.raises(ConfigError, match=r"semantic.thresholds must be cosine similarities in \(0, 1\]"):
        SemanticSettings(thresholds=thresholds).check()
    SemanticSettings(thresholds=(1.0, 0.5)).check()


def test_sizes_must_be_positive():
    with pytest.raises(ConfigError, match="semantic.query_block must be positive"):
        SemanticSettings(query_block=0).check()


def test_a_local_corpus_path_becomes_absolute_and_the_named_corpora_stay_names(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert SemanticSettings(corpus="pile").with_absolute_paths().corpus == "pile"
    assert SemanticSettings(corpus="memories:duped.70m").with_absolute_paths().corpus == "memories:duped.70m"
    local = SemanticSettings(corpus="rows.parquet", cache_dir="cache").with_absolute_paths()
    assert (local.corpus, local.cache_dir) == (os.path.join(tmp_path, "rows.parquet"), os.path.join(tmp_path, "cache"))
