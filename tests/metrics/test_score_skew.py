"""Skew of memorization scores from a value table against numpy on the expanded rows."""

import numpy as np
import pytest

from metrics.score_skew import QUANTILES, collapse, quantile, skew_summary, top_share


@pytest.fixture
def scores():
    rng = np.random.default_rng(3)
    # k/32 scores, heavy at 0 and a tail at 1, as Pile samples are
    return np.concatenate([np.zeros(700), rng.integers(1, 32, 250) / 32, np.ones(50)])


def test_quantiles_and_shares_equal_numpy_on_the_rows(scores):
    values, counts = np.unique(scores, return_counts=True)
    for q in (*QUANTILES, 0.0, 0.25, 1.0):
        assert quantile(values, counts, q) == pytest.approx(np.quantile(scores, q), abs=1e-12)
    ordered = np.sort(scores)[::-1]
    for fraction in (0.01, 0.1, 0.5):
        top = ordered[: int(np.ceil(fraction * len(scores)))]
        assert top_share(values, counts, fraction) == pytest.approx(top.sum() / scores.sum())
    summary = skew_summary(values, counts)
    assert summary["rows"] == 1000 and summary["share_memorized"] == 0.05
    assert summary["share_at_least_half"] == pytest.approx((scores >= 0.5).mean()) and summary["mean"] == pytest.approx(scores.mean())
    assert summary["top_1pct_share"] == pytest.approx(10 / scores.sum())


def test_repeated_values_and_nan_collapse_and_all_zero_has_no_mass():
    values, counts = collapse(np.array([0.5, 0.0, 0.5, np.nan]), np.array([2, 3, 1, 9]))
    assert values.tolist() == [0.0, 0.5] and counts.tolist() == [3, 3]
    assert np.isnan(top_share(np.array([0.0]), np.array([5]), 0.1)) and skew_summary(np.array([]), np.array([])) == {"rows": 0}
