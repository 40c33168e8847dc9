"""Probabilistic discoverable extraction (Hayes et al. 2024) from a continuation's log-probability, numpy only.

A continuation that one sample reproduces with probability p is extracted by at least one of n independent
samples with probability 1 - (1 - p)^n; it is (n, q)-discoverable when that is >= q. Everything is taken in
log space so that p = exp(-300) and p = 1 - 1e-17 are both exact: log(1 - p) = log1mexp(log p).
"""

from __future__ import annotations

import numpy as np

from metrics.token_windows import CONTINUATION_TOKENS, PROMPT_TOKENS


def log1mexp(log_p: np.ndarray) -> np.ndarray:
    """log(1 - exp(x)) for x <= 0, accurate at both ends (Maechler 2012: expm1 above -ln 2, log1p below)."""
    x = np.asarray(log_p, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        near_zero = np.log(-np.expm1(x))
        far = np.log1p(-np.exp(x))
    return np.where(x > -np.log(2.0), near_zero, far)


def extraction_probability(log_p: np.ndarray, samples: int) -> np.ndarray:
    """1 - (1 - p)^n: the chance that at least one of `samples` draws reproduces the continuation."""
    with np.errstate(invalid="ignore"):
        return -np.expm1(samples * log1mexp(log_p))


def is_discoverable(log_p: np.ndarray, samples: int, q: float = 0.5) -> np.ndarray:
    """(n, q)-discoverable: 1 - (1 - p)^n >= q, i.e. n * log(1 - p) <= log(1 - q). NaN log_p: False."""
    with np.errstate(invalid="ignore"):
        return samples * log1mexp(log_p) <= np.log1p(-q)


def samples_to_discover(log_p: np.ndarray, q: float = 0.5) -> np.ndarray:
    """The smallest n with 1 - (1 - p)^n >= q (float: inf where p = 0, NaN where log_p is NaN)."""
    log_miss = log1mexp(log_p)  # log(1 - p): 0 where p underflows to 0, -inf where p = 1
    with np.errstate(divide="ignore", invalid="ignore"):
        n = np.ceil(np.log1p(-q) / log_miss)
    return np.where(log_miss == -np.inf, 1.0, np.where(log_miss == 0.0, np.inf, n))


def prefix_log_probs(token_log_probs: np.ndarray) -> np.ndarray:
    """(rows, 32): log-probability of reproducing the first j continuation tokens, j = 1..32 (Li et al. 2025).

    `token_log_probs[:, i]` is log p_t of position t = i + 1 (the likelihood filter's `token_log_probs`), so the
    continuation x[32:64] is columns 31..62; rows need at least 63 columns.
    """
    continuation = np.asarray(token_log_probs, dtype=np.float64)[:, PROMPT_TOKENS - 1 : PROMPT_TOKENS - 1 + CONTINUATION_TOKENS]
    if continuation.shape[1] < CONTINUATION_TOKENS:
        raise ValueError(f"token_log_probs has {continuation.shape[1] + PROMPT_TOKENS - 1} columns; the continuation needs 63.")
    return np.cumsum(continuation, axis=1)
