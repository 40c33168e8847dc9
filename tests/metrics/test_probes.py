"""Probe kernels: the ridge fits equal scikit-learn's at the same penalty (statsmodels' without one), a direction
planted in 128 dimensions is recovered, and the shuffled-label control stays at chance."""

import numpy as np
import pytest

from metrics.probes import (
    binary_probe,
    fold_of,
    multinomial_probe,
    ridge_logistic,
    ridge_softmax,
    shuffled,
    softmax,
    standardize,
)


def planted(rows: int, seed: int, dim: int = 128):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, dim)).astype(np.float32)
    direction = rng.standard_normal(dim)
    direction /= np.linalg.norm(direction)
    return x, direction, rng


def test_ridge_logistic_equals_scikit_learn_and_without_penalty_statsmodels():
    from sklearn.linear_model import LogisticRegression
    from statsmodels.api import Logit

    x, direction, rng = planted(400, 1, dim=6)
    y = (x @ direction + rng.standard_normal(400) > 0).astype(float)
    (design,) = standardize(x)
    for lam in (1e-3, 0.1):
        ours = ridge_logistic(design, y, lam)
        reference = LogisticRegression(C=1 / (lam * len(y)), tol=1e-12, max_iter=10_000).fit(design[:, 1:], y)
        assert np.allclose(ours, np.r_[reference.intercept_, reference.coef_[0]], rtol=1e-5, atol=1e-7)
    unpenalized = Logit(y, design).fit(disp=0, tol=1e-12).params
    assert np.allclose(ridge_logistic(design, y, 0.0), unpenalized, rtol=1e-6, atol=1e-8)


def test_ridge_softmax_gives_scikit_learn_s_probabilities():
    from sklearn.linear_model import LogisticRegression

    x, _, rng = planted(600, 2, dim=5)
    codes = np.argmax(x[:, :3] + 0.5 * rng.standard_normal((600, 3)), axis=1)
    (design,) = standardize(x)
    lam = 0.01
    ours = softmax(design @ ridge_softmax(design, codes, 3, lam).T)
    reference = LogisticRegression(C=1 / (lam * len(codes)), tol=1e-12, max_iter=10_000).fit(design[:, 1:], codes)
    assert np.allclose(ours, reference.predict_proba(design[:, 1:]), atol=1e-5)


def test_a_planted_direction_is_recovered_and_the_shuffled_control_stays_at_chance():
    x, direction, rng = planted(3000, 3)
    y = (x @ direction + 0.3 * rng.standard_normal(3000) > 0).astype(float)
    hashes = rng.integers(0, 2**31, 3000)
    train, test = hashes % 5 != 0, hashes % 5 == 0
    probe = binary_probe(x[train], y[train], x[test], y[test], fold_of(hashes[train] // 5))
    noise = shuffled(y, 7)  # the control task: every label shuffled, train and test alike
    control = binary_probe(x[train], noise[train], x[test], noise[test], fold_of(hashes[train] // 5))
    assert probe["test_auc"] > 0.95 and abs(control["test_auc"] - 0.5) < 0.07
    assert probe["lambda"] < control["lambda"]  # a real signal needs less shrinkage than noise
    cosine = probe["coefficients"][1:] @ direction / np.linalg.norm(probe["coefficients"][1:])
    assert cosine > 0.9  # the probe points along the planted direction


def test_a_multinomial_probe_separates_planted_classes_and_its_control_does_not():
    x, _, rng = planted(3000, 4, dim=32)
    codes = np.argmax(np.stack([x[:, 0], x[:, 1], -x[:, 0] - x[:, 1]], axis=1) + 0.2 * rng.standard_normal((3000, 3)), axis=1)
    hashes = rng.integers(0, 2**31, 3000)
    train, test = hashes % 5 != 0, hashes % 5 == 0
    folds = fold_of(hashes[train] // 5)
    probe = multinomial_probe(x[train], codes[train], x[test], codes[test], folds, 3)
    noise = shuffled(codes, 8)
    control = multinomial_probe(x[train], noise[train], x[test], noise[test], folds, 3)
    assert probe["test_accuracy"] > 0.85 and probe["confusion"].sum() == test.sum()
    majority = np.bincount(codes[test]).max() / test.sum()
    assert control["test_accuracy"] < majority + 0.05
    assert np.array_equal(probe["confusion"].sum(1), np.bincount(codes[test], minlength=3))  # rows: the true classes


def test_standardize_uses_the_train_rows_and_leaves_a_constant_feature_at_zero():
    train = np.array([[1.0, 5.0], [3.0, 5.0]])
    design, other = standardize(train, np.array([[2.0, 7.0]]))
    assert design.tolist() == [[1.0, -1.0, 0.0], [1.0, 1.0, 0.0]] and other.tolist() == [[1.0, 0.0, 2.0]]
    with pytest.raises(ValueError):
        standardize(np.zeros((2, 2)), np.zeros((1, 3)))
