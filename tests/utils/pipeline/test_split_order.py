"""Splits computed several at a time: every result recorded once, the first failure stops the splits not yet started."""

from __future__ import annotations

import threading
import time

import pytest

from utils.pipeline.run import _for_each_split


@pytest.mark.parametrize("concurrent", [1, 3])
def test_every_split_is_recorded_once(concurrent):
    recorded, threads = [], set()

    def compute(split):
        threads.add(threading.current_thread().name)
        time.sleep(0.01 * (split % 3))
        return split * 10

    _for_each_split(list(range(8)), compute, lambda split, result: recorded.append((split, result)), concurrent)
    assert sorted(recorded) == [(s, s * 10) for s in range(8)]
    assert (len(threads) > 1) == (concurrent > 1)


def test_first_failure_stops_the_splits_not_yet_started():
    started, recorded = [], []

    def compute(split):
        started.append(split)
        if split == 1:
            raise ValueError("split 1 is bad")
        time.sleep(0.2)
        return split

    with pytest.raises(ValueError, match="split 1 is bad"):
        _for_each_split(list(range(10)), compute, lambda split, result: recorded.append(split), 2)
    assert len(started) < 10 and 1 not in recorded
