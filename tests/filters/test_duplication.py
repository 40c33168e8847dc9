"""duplication: one lookup per batch in the run's duplicate counts, and the row length below which it is null."""

from types import SimpleNamespace

import numpy as np

from filters import get_filter
from metrics.ngram_counts import build_target_table
from tests.batches import batch_of
from utils.core.resources import Resources
from utils.corpus.lookups import NgramDuplicates, PrecomputedDuplicates


def scanned(ngrams, counts, start=2, n=3):
    table = build_target_table(np.array(ngrams, np.uint16))
    order = [table.ngrams.tolist().index(list(g)) for g in ngrams]  # counts follow the table's own order
    aligned = np.zeros(len(counts), np.int64)
    aligned[order] = counts
    return NgramDuplicates(SimpleNamespace(value=(table, aligned)), start, n, 65535)


def test_scanned_counts_of_tokens_start_to_start_plus_n_and_null_for_short_rows():
    duplicates = scanned([[1, 2, 3], [7, 7, 7]], [4, 11])
    cls = get_filter("duplication")
    assert cls.min_tokens(Resources(sequence_duplicates=duplicates)) == 5
    rows = [[0, 0, 1, 2, 3], [9, 9, 7, 7, 7, 9, 9], [0, 0, 1, 2], [5, 5, 1, 2, 3]]  # row 2: 4 tokens, too short
    out = cls(Resources(sequence_duplicates=duplicates)).compute(batch_of(rows))["sequence_duplicates"]
    assert out.to_pylist() == [4, 11, None, 4]


def test_precomputed_counts_go_by_sequence_id_and_need_no_length():
    duplicates = PrecomputedDuplicates(SimpleNamespace(value=(np.array([0, 2]), np.array([6, 1]))), "table")
    cls = get_filter("duplication")
    assert cls.min_tokens(Resources(sequence_duplicates=duplicates)) is None
    out = cls(Resources(sequence_duplicates=duplicates)).compute(batch_of([[1], [2], [3]]))["sequence_duplicates"]
    assert out.to_pylist() == [6, None, 1]  # sequence ids 0, 1, 2: the table lacks 1
