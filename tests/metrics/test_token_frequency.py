"""Per-row token-frequency summaries against numpy's percentile (metrics/token_frequency.py)."""

import numpy as np
import pytest

from metrics.token_frequency import frequency_summaries


def test_hand_computed_row():
    summaries = frequency_summaries(np.array([10, 40, 20, 30]), np.array([0, 4]))
    # sorted 10 20 30 40: p25 at position 0.75 -> 17.5, median 25, p75 at 2.25 -> 32.5
    assert summaries["p25_frequency"].tolist() == [17.5]
    assert summaries["median_frequency"].tolist() == [25.0]
    assert summaries["p75_frequency"].tolist() == [32.5]
    assert summaries["avg_frequency"].tolist() == [25.0]
    assert (summaries["min_frequency"].tolist(), summaries["max_frequency"].tolist()) == ([10], [40])


@pytest.mark.parametrize("lengths", [[64, 64, 64], [1, 7, 3, 64, 2]])
def test_matches_numpy_percentiles(lengths):
    rng = np.random.default_rng(len(lengths))
    rows = [rng.integers(0, 10**11, size=n) for n in lengths]
    summaries = frequency_summaries(np.concatenate(rows), np.concatenate([[0], np.cumsum(lengths)]))
    for i, row in enumerate(rows):
        for name, q in (("p25_frequency", 25), ("median_frequency", 50), ("p75_frequency", 75)):
            assert summaries[name][i] == pytest.approx(np.percentile(row, q), rel=1e-12)
        assert summaries["avg_frequency"][i] == pytest.approx(row.mean(), rel=1e-12)
        assert summaries["max_frequency"][i] == row.max() and summaries["min_frequency"][i] == row.min()


def test_empty_row_is_refused():
    with pytest.raises(ValueError):
        frequency_summaries(np.array([1]), np.array([0, 1, 1]))
