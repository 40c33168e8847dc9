"""The broadcast lookups filters read on executors: n-gram counts by window, counts by sequence id, semantic counts by
(sequence id, tokens), and the check of a table's keys (sorted, a repeat used once, a conflicting repeat refused)."""

from types import SimpleNamespace

import numpy as np
import pyarrow as pa
import pytest

from metrics.ngram_counts import build_target_table
from metrics.token_windows import row_hashes
from tests.batches import batch_of
from utils.core.errors import DataSourceError
from utils.corpus.lookups import (
    NgramDuplicates,
    PrecomputedDuplicates,
    SemanticCounts,
    check_table_keys,
    semantic_keys,
    sorted_lookup,
)


def broadcast(value):
    return SimpleNamespace(value=value)


def ngram_duplicates(ngrams, counts, start, n, token_max=65535):
    table = build_target_table(np.array(ngrams, np.uint16))
    by_row = {tuple(g): c for g, c in zip(ngrams, counts)}
    aligned = np.array([by_row[tuple(g)] for g in table.ngrams.tolist()], np.int64)  # counts in the table's order
    return NgramDuplicates(broadcast((table, aligned)), start, n, token_max)


def test_ngram_counts_of_each_window_and_null_for_short_rows():
    lookup = ngram_duplicates([[1, 2], [2, 3]], [3, 8], start=1, n=2)
    batch = batch_of([[0, 1, 2], [9, 2, 3, 4], [5, 1], [7, 7, 7]])
    with pytest.raises(RuntimeError, match="not among the scanned targets"):  # [7, 7] was never a target
        lookup.for_batch(batch)
    assert lookup.for_batch(batch.slice(0, 3)).to_pylist() == [3, 8, None]


def test_an_ngram_with_an_id_the_corpus_cannot_hold_counts_zero():
    lookup = ngram_duplicates([[1, 2]], [4], start=0, n=2, token_max=100)
    assert lookup.for_batch(batch_of([[1, 2], [1, 70000]])).to_pylist() == [4, 0]


def test_precomputed_counts_by_sequence_id_and_an_empty_table():
    lookup = PrecomputedDuplicates(broadcast((np.array([1, 4, 9]), np.array([10, 40, 90]))), "t")
    assert lookup.for_batch(batch_of([[1]] * 6)).to_pylist() == [None, 10, None, None, 40, None]
    empty = PrecomputedDuplicates(broadcast((np.array([], np.int64), np.array([], np.int64))), "t")
    assert empty.for_batch(batch_of([[1], [2]])).to_pylist() == [None, None]


def test_sorted_lookup_gives_a_valid_position_even_where_a_key_is_missing():
    position, found = sorted_lookup(np.array([2, 5, 8]), np.array([5, 9, 1, 8]))
    assert position.tolist() == [1, 2, 0, 2] and found.tolist() == [True, False, False, True]
    position, found = sorted_lookup(np.array([], np.int64), np.array([3]))
    assert position.tolist() == [0] and found.tolist() == [False]


def test_table_keys_are_sorted_and_an_equal_repeat_is_used_once():
    ids, values, repeated = check_table_keys(np.array([5, 1, 5, 3, 5]), np.array([50, 10, 50, 30, 50]), "t")
    assert (ids.tolist(), values.tolist(), repeated) == ([1, 3, 5], [10, 30, 50], 2)
    with pytest.raises(DataSourceError, match=r"t lists 1 key\(s\) twice with different values \(e.g. 5\)"):
        check_table_keys(np.array([5, 1, 5]), np.array([50, 10, 51]), "t")


def test_semantic_keys_sort_by_sequence_id_then_token_hash():
    keys = semantic_keys(np.array([2, 1, 1]), np.array([0, 9, -4]))
    assert np.sort(keys).tolist() == [(1, -4), (1, 9), (2, 0)]


def test_semantic_counts_of_rows_the_join_did_not_see_are_zero_lists_of_the_threshold_count():
    tokens = pa.array([[1, 2]], pa.list_(pa.int32()))
    keys = semantic_keys(np.array([0]), row_hashes(tokens))
    lookup = SemanticCounts(broadcast((keys, np.array([[4, 2, 1]]), np.array([[1, 0, 0]]))), (0.7, 0.8, 0.9))
    snowclones, templates = lookup.for_batch(batch_of([[1, 2], [1, 2, 3]]))
    assert snowclones.to_pylist() == [[4, 2, 1], [0, 0, 0]] and templates.to_pylist() == [[1, 0, 0], [0, 0, 0]]
