"""What `analyze` fits and how rows map onto it: the exact train/test cut by hash per label, standardization by the
train rows, groups by nl_score, categories, the design matrix, the fits asked for, and exactly merged moments."""

import math

import numpy as np
import pytest

from utils.analysis.blocks import DriverBlocks
from utils.analysis.data import HASH, HASH_BITS
from utils.analysis.design import Design, FitSpec, Moments, RowSelector, fit_specs, standardized, train_cuts


def rows(count, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "label": (rng.random(count) < 0.3).astype(float),
        HASH: rng.integers(0, 1 << HASH_BITS, count).astype(np.int64),
        "x": rng.normal(3.0, 2.0, count),
        "is_templating": (rng.random(count) < 0.5).astype(float),
        "sequence_duplicates": rng.integers(0, 12, count).astype(float),
        "nl_score": rng.random(count),
    }


def test_the_train_rows_of_each_label_are_the_rounded_80_percent_with_the_smallest_hashes():
    block = rows(1001)
    design = Design(("x",), taxonomy=True, nl=False)
    cuts, categories = train_cuts(DriverBlocks(block), design, (2, 6))
    train = Design(("x",), True, False, cuts=cuts).train(block)
    for value in (0, 1):
        of_label = block["label"] == value
        keep = math.floor(0.8 * of_label.sum() + 0.5)
        smallest = np.sort(block[HASH][of_label])[:keep]
        assert (train & of_label).sum() == keep and set(block[HASH][train & of_label]) == set(smallest)
    codes = np.where(block["sequence_duplicates"] >= 6, 0, np.where(block["is_templating"] > 0, 1, 2))
    assert categories[6].tolist() == np.bincount(codes, minlength=3).tolist()


def test_a_label_with_no_rows_has_no_train_rows():
    block = rows(50)
    block["label"][:] = 0.0
    cuts, categories = train_cuts(DriverBlocks(block), Design(("x",), taxonomy=False, nl=False), ())
    assert cuts[1] == -1.0 and categories == {}


def test_standardization_uses_the_train_rows_mean_and_sample_deviation_and_leaves_binary_features():
    block = rows(400, seed=1)
    design = Design(("x", "is_templating"), taxonomy=False, nl=False)
    design = Design(design.features, False, False, cuts=train_cuts(DriverBlocks(block), design, ())[0])
    fitted = standardized(DriverBlocks(block), design)
    train = design.train(block)
    assert fitted.means == pytest.approx((block["x"][train].mean(),)) and fitted.scales == pytest.approx((block["x"][train].std(ddof=1),))
    matrix = fitted.matrix(block)
    assert matrix[:, 0].tolist() == [1.0] * 400 and matrix[:, 2].tolist() == block["is_templating"].tolist()
    assert matrix[:, 1] == pytest.approx((block["x"] - fitted.means[0]) / fitted.scales[0])
    constant = Design(("x",), False, False, means=(5.0,), scales=(0.0,)).matrix({"label": np.zeros(2), "x": np.array([5.0, 5.0])})
    assert constant[:, 1].tolist() == [0.0, 0.0]  # a constant feature stays 0


def test_groups_split_by_nl_score_and_rows_by_category():
    block = {"label": np.zeros(4), HASH: np.zeros(4, np.int64), "nl_score": np.array([0.53, 0.525, 0.39, 0.4])}
    block.update(sequence_duplicates=np.array([6.0, 0, 0, 7]), is_templating=np.array([0.0, 1, 0, 1]))
    design = Design(("x",), taxonomy=True, nl=True, cuts=(0.0, 0.0))
    assert design.groups == ("all", "natural_language", "code")
    assert design.in_group(block, "natural_language").tolist() == [True, False, False, False]
    assert design.in_group(block, "code").tolist() == [False, False, True, False]
    select = RowSelector(design, block)
    assert select.rows(FitSpec("all", 6, "reconstruction")).tolist() == [False, True, False, False]
    assert select.rows(FitSpec("all"), train=False).tolist() == [False] * 4  # every hash is <= the cut: all train


def test_the_fits_asked_for():
    assert FitSpec("all").model == "baseline" and FitSpec("all", 6, "recitation").model == "taxonomic"
    plain = Design(("x",), taxonomy=False, nl=False)
    assert fit_specs(plain, None, [2, 6]) == [FitSpec("all")]
    specs = fit_specs(Design(("x",), taxonomy=True, nl=True), 6, [2, 6, 10])
    assert len(specs) == 3 + 3 * 3 + 3 + 3  # baselines; all rows at 3 thresholds; one threshold per nl group
    assert {s.threshold for s in specs if s.group == "code"} == {None, 6}


def test_moments_merged_in_any_order_equal_those_of_all_rows():
    values = np.random.default_rng(2).normal(size=(50, 3)) * [1, 1e3, 1e-3] + [1e6, -5, 3]  # a large mean: no cancellation
    merged = Moments(values[:7]) + Moments(values[7:30]) + Moments(np.zeros((0, 3))) + Moments(values[30:])
    assert merged.count == 50 and merged.mean == pytest.approx(values.mean(axis=0))
    assert merged.covariance() == pytest.approx(np.cov(values.T, bias=True), rel=1e-9)
