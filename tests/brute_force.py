"""Independent reference counts for tests: plain loops and numpy, no hashing."""

from __future__ import annotations

import numpy as np


def count_ngram(records: list[np.ndarray], ngram: np.ndarray) -> int:
    """Occurrences of `ngram` at every offset of every record (never across two records)."""
    n = len(ngram)
    total = 0
    for record in records:
        if len(record) >= n:
            windows = np.lib.stride_tricks.sliding_window_view(record, n)
            total += int((windows == ngram).all(axis=1).sum())
    return total


class FixedLengthCounter:
    """Brute-force counts over a (records, length) corpus, candidates found by their first two tokens."""

    def __init__(self, corpus: np.ndarray, n: int):
        self.n = n
        self.windows = np.lib.stride_tricks.sliding_window_view(corpus, n, axis=1)
        positions = corpus.shape[1] - n + 1
        pairs = corpus[:, :positions].astype(np.int64) * (1 << 32) + corpus[:, 1 : positions + 1]
        flat = pairs.ravel()
        self.order = np.argsort(flat, kind="stable")
        self.sorted = flat[self.order]
        self.positions = positions

    def count(self, ngram: np.ndarray) -> int:
        code = int(ngram[0]) * (1 << 32) + int(ngram[1])
        low, high = np.searchsorted(self.sorted, [code, code + 1])
        record, offset = np.divmod(self.order[low:high], self.positions)
        return int((self.windows[record, offset] == ngram).all(axis=1).sum())
