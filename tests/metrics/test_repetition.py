"""The prefix-function repetition kernel against a straightforward port of the reference's nested loops."""

import numpy as np
import pyarrow as pa

from metrics.repetition import token_repetition


def repetition(rows: list[list[int]]) -> list[tuple[int, int, list[int]]]:
    out = token_repetition(pa.array(rows, pa.list_(pa.int64())))
    return list(zip(out["num_repeating"].tolist(), out["repeating_offset"].tolist(), out["smallest_repeating_chunk"].to_pylist()))


def reference_break_and_compare(ls: list, k: int) -> list:
    n = len(ls)
    while n % k:
        n -= 1
    to_break, residual, size = ls[:n], ls[n:], n // k
    while len(residual) < size:
        chunks = [to_break[i : i + size] for i in range(0, len(to_break), size)]
        if all(c == chunks[0] for c in chunks[1:]) and residual == chunks[0][: len(residual)]:
            return chunks[0]
        size -= 1
        residual = to_break[size * k :] + residual
        to_break = to_break[: size * k]
    return []


def reference_smallest_unit(chunk: list) -> list:
    for size in range(1, len(chunk) // 2 + 1):
        if len(chunk) % size == 0 and all(chunk[i : i + size] == chunk[:size] for i in range(0, len(chunk), size)):
            return chunk[:size]
    return chunk


def reference(ls: list) -> tuple[int, int, list]:
    n = len(ls)
    for k in range(2, 6):
        for i in range(n // 2):
            for j in range(3):
                found = reference_break_and_compare(ls[i : n - j], k)
                if found:
                    return k, i, reference_smallest_unit(found)
    return 0, 0, []


def test_hand_example():
    assert repetition([[9, 9, 5, 6, 5, 6, 5, 6, 5, 6, 5]]) == [(2, 2, [5, 6])]  # lead-in 9 9, then (5 6) repeated


def test_no_repetition():
    assert repetition([list(range(64))]) == [(0, 0, [])]


def test_agrees_with_reference_loops_on_random_rows():
    rng = np.random.default_rng(7)
    rows = []
    for trial in range(1500):
        n = int(rng.integers(1, 40))
        kind = trial % 4
        if kind == 0:
            row = rng.integers(0, 3, n)
        elif kind == 1:
            unit = rng.integers(0, 5, int(rng.integers(1, 6)))
            row = np.concatenate([rng.integers(0, 9, int(rng.integers(0, 6))), np.tile(unit, 20)])[:n]
        elif kind == 2:
            row = rng.integers(0, 100, n)
        else:
            row = np.full(n, 7)
        rows.append(row.tolist())
    for row, found in zip(rows, repetition(rows)):  # rows of mixed lengths in one batch
        assert found == reference(row), row


def test_token_repetition_reads_each_row_of_a_sliced_array():
    rows = [[9] * 8, [1, 2, 1, 2, 1, 2, 1, 2], [5, 6, 7, 8, 5, 6, 7, 8], [3] * 8]
    tokens = pa.array(rows, pa.list_(pa.int32())).slice(1)
    out = token_repetition(tokens)
    expected = token_repetition(pa.array(rows[1:], pa.list_(pa.int32())))  # the same rows, unsliced
    assert out["num_repeating"].tolist() == expected["num_repeating"].tolist()
    assert out["repeating_offset"].tolist() == expected["repeating_offset"].tolist()
    assert out["smallest_repeating_chunk"].to_pylist() == expected["smallest_repeating_chunk"].to_pylist() != [[]] * 3
