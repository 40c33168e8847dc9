"""Logistic regression from additive sufficient statistics (docs/METRICS.md, 'Predictive model of memorization'):
the Newton (IRLS) terms of the likelihood (McCullagh & Nelder 1989, §4.4), Firth's bias-reduced score (Firth 1993;
Heinze & Schemper 2002), Wald inference with p-values from the normal tail in log space, and the χ² likelihood-ratio
test (Wilks 1938).

Every term is a sum over rows, so a block of rows gives its part and parts add up: the same fit runs on rows held by
one process or spread over a cluster. Written here rather than with statsmodels, which needs the rows in memory and
has no Firth penalty; statsmodels is the tests' and the benchmark's reference.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import log_ndtr

LOG_10 = math.log(10.0)
SMALLEST_P = float(np.nextafter(0.0, 1.0))  # 5e-324: where exp(log p) underflows, p_value is floored here; log10_p stays exact


def logistic_parts(eta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(μ = σ(η), 1 − μ, log(1 + e^η)) from one exp and one log1p, each part accurate where it is small."""
    small = np.exp(-np.abs(eta))
    near = 1.0 / (1.0 + small)
    far = small * near
    positive = eta >= 0
    return np.where(positive, near, far), np.where(positive, far, near), np.maximum(eta, 0.0) + np.log1p(small)


def newton_terms(x: np.ndarray, y: np.ndarray, beta: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """(information X'WX, score X'(y − μ), log-likelihood) of the rows (x with its intercept column, y in {0, 1}) at beta.

    μ(1 − μ) is computed as σ(η)σ(−η) and y − μ from the tail that is small, so rows far from the boundary keep their
    weight instead of rounding to 0 (which would make a near-separated information matrix singular too early)."""
    return likelihood_parts(x, y, beta)[:3]


def likelihood_parts(x: np.ndarray, y: np.ndarray, beta: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, np.ndarray, np.ndarray]:
    """`newton_terms` and the per-row μ and weights σ(η)σ(−η) they were computed from."""
    eta = x @ beta
    upper, lower, softplus = logistic_parts(eta)
    weight = upper * lower
    residual = np.where(y > 0, lower, -upper)
    information = (x * weight[:, None]).T @ x
    return information, x.T @ residual, float(np.sum(y * eta - softplus)), upper, weight


def firth_terms(x: np.ndarray, y: np.ndarray, beta: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    """The Newton terms at beta and T = Σ w(½ − μ) x⊗x⊗x, flattened to (p, p²). Firth's modified score
    Σ (y − μ + h(½ − μ)) x, with leverages h = w·xᵀI⁻¹x, is then score + T·vec(I⁻¹) (`firth_score`): exact at beta from
    one pass, with no inverse needed before the rows are seen."""
    information, score, log_likelihood, upper, weight = likelihood_parts(x, y, beta)
    outer = (x[:, :, None] * x[:, None, :]).reshape(len(x), -1)
    third = (x * (weight * (0.5 - upper))[:, None]).T @ outer
    return information, score, log_likelihood, third


def firth_score(score: np.ndarray, third: np.ndarray, covariance: np.ndarray) -> np.ndarray:
    """Firth's modified score from `firth_terms`' parts and I⁻¹ at the same estimate."""
    return score + third @ covariance.ravel()


def cholesky(information: np.ndarray) -> np.ndarray | None:
    """The lower Cholesky factor of I, or None when I is not positive definite (the fit has run away along some
    direction, or I is singular)."""
    try:
        return np.linalg.cholesky(information)
    except np.linalg.LinAlgError:
        return None


def newton_step(information: np.ndarray, score: np.ndarray) -> np.ndarray | None:
    """I⁻¹ · score, or None when I is not positive definite."""
    factor = cholesky(information)
    return None if factor is None else np.linalg.solve(factor.T, np.linalg.solve(factor, score))


def inverse(information: np.ndarray) -> np.ndarray | None:
    """The covariance of the estimates (I⁻¹), or None when I is not positive definite."""
    factor = cholesky(information)
    if factor is None:
        return None
    identity = np.linalg.solve(factor, np.eye(len(information)))
    return identity.T @ identity


def log_two_sided_normal_p(z: np.ndarray) -> np.ndarray:
    """ln P(|Z| ≥ |z|) = ln 2 + ln Φ(−|z|), accurate far into the tail (log_ndtr's asymptotic series)."""
    return math.log(2.0) + log_ndtr(-np.abs(np.asarray(z, dtype=np.float64)))


def p_value_from_log(log_p: np.ndarray) -> np.ndarray:
    """exp(ln p), floored at the smallest positive double where it underflows (|z| > 38.5): never 0."""
    return np.maximum(np.exp(log_p), SMALLEST_P)


def wald(beta: np.ndarray, covariance: np.ndarray | None) -> dict[str, np.ndarray]:
    """Standard errors, Wald z, two-sided p-values and log10 p of the estimates (NaN without a covariance)."""
    if covariance is None:
        nan = np.full(len(beta), np.nan)
        return {"std_error": nan, "wald_z": nan, "p_value": nan, "log10_p": nan}
    error = np.sqrt(np.diag(covariance))
    z = beta / error
    log_p = log_two_sided_normal_p(z)
    return {"std_error": error, "wald_z": z, "p_value": p_value_from_log(log_p), "log10_p": log_p / LOG_10}


def log_chi2_sf(statistic: float, degrees_of_freedom: int) -> float:
    """ln P(χ²_df ≥ statistic), the regularized upper incomplete gamma Q(df/2, statistic/2) in arbitrary precision
    (mpmath): scipy's chi2.logsf takes the log of a survival function that underflows to 0 beyond ~1e-308."""
    import mpmath

    return float(mpmath.log(mpmath.gammainc(degrees_of_freedom / 2, statistic / 2, mpmath.inf, regularized=True)))


def likelihood_ratio_test(log_likelihood_full: float, log_likelihood_reduced: float, extra_parameters: int) -> dict[str, float]:
    """statistic 2·(LL_full − LL_reduced), its χ² p-value with `extra_parameters` degrees of freedom (never 0) and
    log10 p; p NaN when df < 1, and 1 when the statistic is not positive."""
    statistic = 2.0 * (log_likelihood_full - log_likelihood_reduced)
    if extra_parameters < 1 or not math.isfinite(statistic):
        return {"statistic": statistic, "p_value": math.nan, "log10_p": math.nan}
    log_p = log_chi2_sf(max(statistic, 0.0), extra_parameters)
    return {"statistic": statistic, "p_value": float(p_value_from_log(log_p)), "log10_p": log_p / LOG_10}
