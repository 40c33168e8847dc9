"""Exact n-gram counts and token histograms against brute force (metrics/ngram_counts.py)."""

import numpy as np
import pytest

from metrics.ngram_counts import build_target_table, count_in_records, lookup, ngram_hashes, records_histogram, token_histogram
from tests.brute_force import count_ngram


def flatten(records):
    lengths = np.array([len(r) for r in records], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    return np.concatenate(records) if records else np.zeros(0, np.uint16), starts, lengths


def counts_of(records, targets, hash_bits=64):
    table = build_target_table(np.asarray(targets), hash_bits=hash_bits)
    counts = np.zeros(table.size, np.int64)
    tokens, starts, lengths = flatten(records)
    count_in_records(tokens, starts, lengths, table, counts)
    return table, counts


@pytest.mark.parametrize("hash_bits", [64, 3, 1])
def test_random_small_alphabet_matches_brute_force(hash_bits):
    rng = np.random.default_rng(hash_bits)
    records = [rng.integers(0, 3, size=rng.integers(0, 50)).astype(np.uint16) for _ in range(40)]
    n = 4
    targets = [r[i : i + n] for r in records for i in range(0, max(len(r) - n + 1, 0), 5)]
    targets += [rng.integers(0, 3, n).astype(np.uint16) for _ in range(30)]
    table, counts = counts_of(records, targets, hash_bits)
    assert counts.tolist() == [count_ngram(records, t) for t in table.ngrams]
    assert counts.sum() > 0


def test_forced_collisions_do_not_change_counts():
    rng = np.random.default_rng(7)
    records = [rng.integers(0, 50, size=300).astype(np.uint16) for _ in range(10)]
    targets = np.array([r[i : i + 8] for r in records for i in range(0, 290, 7)])
    _, exact = counts_of(records, targets, 64)
    table, colliding = counts_of(records, targets, 2)  # 4 hash values for ~400 targets
    assert len(np.unique(ngram_hashes(table.ngrams, table.mask))) <= 4
    assert colliding.tolist() == exact.tolist()


def test_self_overlapping_run_of_one_token():
    records = [np.zeros(20, np.uint16)]
    _, counts = counts_of(records, [[0, 0, 0, 0]])
    assert counts.tolist() == [17]  # offsets 0..16, overlapping


def test_ngrams_never_span_two_records():
    records = [np.array([1, 2], np.uint16), np.array([3, 4], np.uint16), np.array([2, 3, 9], np.uint16)]
    table, counts = counts_of(records, [[1, 2, 3], [2, 3, 9], [2, 3, 4]])
    assert dict(zip(map(tuple, table.ngrams.tolist()), counts.tolist())) == {(1, 2, 3): 0, (2, 3, 4): 0, (2, 3, 9): 1}


def test_first_and_last_offset_of_a_record_count():
    record = np.arange(10, dtype=np.uint16)
    table, counts = counts_of([record, record], [record[:4], record[-4:]])
    assert counts.tolist() == [2, 2]
    _, whole = counts_of([record, record], [record])  # n = record length: the single offset 0
    assert whole.tolist() == [2]


def test_records_shorter_than_n_and_empty_input():
    _, counts = counts_of([np.array([5, 5], np.uint16), np.zeros(0, np.uint16)], [[5, 5, 5]])
    assert counts.tolist() == [0]
    table = build_target_table(np.zeros((0, 3), np.uint16))
    assert table.size == 0 and lookup(np.zeros((2, 3), np.uint16), table).tolist() == [-1, -1]


def test_duplicate_targets_are_counted_once_each_and_int32_ids():
    records = [np.array([70000, 1, 70000, 1, 70000], np.int32)]
    table, counts = counts_of(records, np.array([[70000, 1], [70000, 1], [1, 70000]], np.int32))
    assert table.size == 2 and sorted(counts.tolist()) == [2, 2]


def test_lookup_finds_exactly_the_equal_row_even_with_collisions():
    rng = np.random.default_rng(3)
    targets = rng.integers(0, 5, size=(200, 6)).astype(np.uint16)
    table = build_target_table(targets, hash_bits=1)
    found = lookup(targets, table)
    assert (table.ngrams[found] == targets).all()
    absent = np.full((1, 6), 9, np.uint16)
    assert lookup(absent, table).tolist() == [-1]


def test_histograms():
    tokens = np.array([0, 3, 3, 65535, 3], np.uint16)
    assert token_histogram(tokens, 1 << 16)[[0, 3, 65535]].tolist() == [1, 3, 1]
    inside = records_histogram(tokens, np.array([1, 4]), np.array([2, 1]), 1 << 16)
    assert inside.sum() == 3 and inside[3] == 3
    with pytest.raises(ValueError, match="outside 0..9"):
        token_histogram(np.array([1, 12], np.int32), 10)
