"""Linear probes of activations (docs/METRICS.md, 'Probes'; Alain & Bengio 2016; Slonski 2024): L2-regularized logistic
regression, binary and multinomial, fitted by Newton's method, the penalty chosen by K-fold cross-validation on the
training rows, and the control task of Hewitt & Liang 2019 (the same probe on shuffled labels), which says how much of
a probe's accuracy the probe itself could invent.

Objective: mean log-loss + λ/2 Σ w², intercepts unpenalized; features standardized with the training rows' mean and
standard deviation. Binary terms come from metrics/logistic.py (additive over rows: the same fit on rows spread over
blocks); the multinomial Hessian is built the same way, one (p × p) block per pair of classes.
"""

from __future__ import annotations

import numpy as np

from metrics.logistic import newton_step, newton_terms
from metrics.prediction_quality import distinct_counts, roc_auc

LAMBDAS = (1e-4, 1e-3, 1e-2, 1e-1, 1.0)  # penalties per row tried by cross-validation
FOLDS = 5
ITERATIONS = 100
TOLERANCE = 1e-7


def standardize(train: np.ndarray, *others: np.ndarray) -> list[np.ndarray]:
    """Each matrix with an intercept column first and its features scaled by the train rows' mean and std."""
    mean, scale = train.mean(0), train.std(0)
    scale = np.where(scale > 0, scale, 1.0)
    return [np.hstack([np.ones((len(m), 1)), (m - mean) / scale]) for m in (train, *others)]


def ridge_logistic(x: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    """β minimizing −ℓ(β)/n + λ/2 Σ_{j≥1} β_j² (x: intercept column first; y in {0, 1})."""
    n, p = x.shape
    penalty = np.full(p, lam * n)
    penalty[0] = 0.0
    beta = np.zeros(p)
    for _ in range(ITERATIONS):
        information, score, _ = newton_terms(x, y, beta)
        step = newton_step(information + np.diag(penalty), score - penalty * beta)
        if step is None:
            break
        beta = beta + step
        if np.max(np.abs(step)) < TOLERANCE * (1 + np.max(np.abs(beta))):
            break
    return beta


def ridge_softmax(x: np.ndarray, codes: np.ndarray, classes: int, lam: float) -> np.ndarray:
    """B (classes, p) minimizing the mean multinomial log-loss + λ/2 Σ w² (codes in 0..classes−1); the intercepts get
    a vanishing penalty only to fix the softmax's shift."""
    n, p = x.shape
    onehot = np.eye(classes)[codes]
    penalty = np.tile(np.r_[1e-9, np.full(p - 1, lam)] * n, classes)
    beta = np.zeros(classes * p)
    for _ in range(ITERATIONS):
        probabilities = softmax(x @ beta.reshape(classes, p).T)
        score = ((onehot - probabilities).T @ x).ravel() - penalty * beta
        hessian = np.empty((classes * p, classes * p))
        for a in range(classes):
            for b in range(a, classes):
                weight = probabilities[:, a] * ((a == b) - probabilities[:, b])
                block = (x * weight[:, None]).T @ x
                hessian[a * p : (a + 1) * p, b * p : (b + 1) * p] = block
                hessian[b * p : (b + 1) * p, a * p : (a + 1) * p] = block.T
        step = newton_step(hessian + np.diag(penalty), score)
        if step is None:
            break
        beta = beta + step
        if np.max(np.abs(step)) < TOLERANCE * (1 + np.max(np.abs(beta))):
            break
    return beta.reshape(classes, p)


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(1, keepdims=True))
    return shifted / shifted.sum(1, keepdims=True)


def binary_log_loss(x: np.ndarray, y: np.ndarray, beta: np.ndarray) -> float:
    eta = x @ beta
    return float(np.mean(np.logaddexp(0.0, eta) - y * eta))


def multinomial_log_loss(x: np.ndarray, codes: np.ndarray, beta: np.ndarray) -> float:
    logits = x @ beta.T
    top = logits.max(1, keepdims=True)
    log_norm = (top + np.log(np.exp(logits - top).sum(1, keepdims=True)))[:, 0]
    return float(np.mean(log_norm - logits[np.arange(len(codes)), codes]))


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """ROC-AUC of scores against 0/1 labels, ties counted half."""
    order = np.argsort(scores, kind="stable")
    _, rows, positives = distinct_counts(scores[order], labels[order])
    return roc_auc(rows, positives)


def fold_of(hashes: np.ndarray, folds: int = FOLDS) -> np.ndarray:
    """Each row's cross-validation fold, from a hash of its id (the same rows in the same fold on every run)."""
    return (hashes % folds).astype(np.int64)


def choose_lambda(x: np.ndarray, target: np.ndarray, folds: np.ndarray, classes: int | None) -> tuple[float, dict[float, float]]:
    """The penalty with the lowest mean held-out log-loss over the folds, and that loss per penalty (`classes` None:
    binary target; else codes of that many classes)."""
    losses = {}
    for lam in LAMBDAS:
        held_out = []
        for fold in np.unique(folds):
            fit, test = folds != fold, folds == fold
            if classes is None:
                beta = ridge_logistic(x[fit], target[fit], lam)
                held_out.append(binary_log_loss(x[test], target[test], beta) * test.sum())
            else:
                beta = ridge_softmax(x[fit], target[fit], classes, lam)
                held_out.append(multinomial_log_loss(x[test], target[test], beta) * test.sum())
        losses[lam] = float(np.sum(held_out) / len(target))
    return min(losses, key=losses.get), losses


def binary_probe(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray, folds: np.ndarray) -> dict:
    """Held-out ROC-AUC of a ridge logistic probe with its penalty chosen on the training rows."""
    x, test = standardize(train_x, test_x)
    lam, losses = choose_lambda(x, train_y, folds, None)
    beta = ridge_logistic(x, train_y, lam)
    return {"lambda": lam, "cv_log_loss": losses[lam], "test_auc": auc(test @ beta, test_y), "coefficients": beta}


def multinomial_probe(
    train_x: np.ndarray, train_codes: np.ndarray, test_x: np.ndarray, test_codes: np.ndarray, folds: np.ndarray, classes: int
) -> dict:
    """Held-out accuracy and confusion matrix (rows: true class, columns: predicted) of a ridge softmax probe."""
    x, test = standardize(train_x, test_x)
    lam, losses = choose_lambda(x, train_codes, folds, classes)
    beta = ridge_softmax(x, train_codes, classes, lam)
    predicted = np.argmax(test @ beta.T, axis=1)
    confusion = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(confusion, (test_codes, predicted), 1)
    return {"lambda": lam, "cv_log_loss": losses[lam], "test_accuracy": float(np.mean(predicted == test_codes)), "confusion": confusion}


def shuffled(labels: np.ndarray, seed: int) -> np.ndarray:
    """The control task's labels: the same labels in a seeded random order (Hewitt & Liang 2019)."""
    return np.random.default_rng(seed).permutation(labels)
