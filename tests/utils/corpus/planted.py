"""A small token corpus with one n-gram planted many times, for the corpus-statistics tests."""

import numpy as np

N = 8  # the n-gram length the tests count (statistics.ngram_start = ngram_length = N)


def planted_records() -> np.ndarray:
    """60 records of 50 tokens over a small alphabet, with one 8-gram planted many times."""
    rng = np.random.default_rng(11)
    records = rng.integers(0, 6, size=(60, 50)).astype(np.uint16)
    planted = np.array([5, 4, 3, 2, 1, 0, 1, 2], np.uint16)
    for record, offset in [(0, 0), (3, 42), (3, 20), (59, 42), (10, 5)]:  # 42 = the last offset
        records[record, offset : offset + N] = planted
    return records
