"""Every logistic regression of a split at once (docs/METRICS.md, 'Predictive model of memorization'): one pass over
the rows per Newton iteration serves every fit still iterating, and the driver solves the small systems.

- Before fitting, one pass gives each fit's means and covariances of its features: a feature constant in the fit's
  rows, or a linear combination of the features before it (R's glm reports such a coefficient as NA), is left out
  and named; a fit with < 20 train rows, one class, or no varying feature is the train positive rate (intercept
  only) and says why.
- Maximum likelihood by Newton's method (IRLS), from the intercept at the positive rate; converged when no step
  moves a coefficient by more than 1e-6·(1 + |β|), then one more pass takes the information and log-likelihood at
  the final estimate. Under separation the estimates grow without bound and the steps never shrink: a fit not
  converged in 25 iterations, or whose information stops being positive definite, is `separated`.
- A separated fit is refitted with Firth's penalized likelihood (Firth 1993; Heinze & Schemper 2002), which has a
  finite estimate under separation: Fisher-scoring steps I⁻¹U* of the modified score U* (exact at each iterate from
  one pass: metrics/logistic.firth_terms), at most 5 per coefficient (logistf's maxstep), halved while the penalized
  likelihood would fall, up to 60 passes (the convergence is linear), with the same stopping rule. Its estimates,
  Wald standard errors and predictions replace the diverging ones, marked `estimator = firth`.
- Where Firth fails too (its penalized likelihood still rising after 60 passes: a fit with about as many features as
  rows, nearly collinear), the fallback is ridge: ℓ(β) − ½·Σ_{j≥1} β_j² on the standardized slopes (λ = 1, the
  intercept free), by Newton's method, standard errors from (I + λ)⁻¹; `estimator = ridge`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from metrics.logistic import firth_score, firth_terms, inverse, newton_step, newton_terms
from utils.analysis.design import Design, FitSpec, Moments, RowSelector, fit_moments

MIN_ROWS = 20  # fewer train rows than this: no regression, the positive rate is the model
MAX_ITERATIONS = 25  # Newton iterations of maximum likelihood, as R's glm
STEP_TOLERANCE = 1e-6  # converged when no step moves a coefficient by more than this times 1 + |β|
FIRTH_ITERATIONS = 60  # passes, halvings included
FIRTH_HALVINGS = 10
FIRTH_MAX_STEP = 5.0
RIDGE = 1.0  # where Firth fails too: the L2 penalty on standardized slopes (a N(0, 1) prior per standard deviation)
CONSTANT_TOLERANCE = 1e-10  # variance relative to 1 + mean² below which a feature is constant in the fit's rows
COLLINEAR_TOLERANCE = 1e-9  # 1 − R² on the features before it
RATE_FLOOR = 1e-6  # an intercept-only model of a one-class category predicts within [floor, 1 - floor]


@dataclass
class FitResult:
    """One fitted model: estimates on the design's columns (0 = intercept), their covariance, and how the fit went."""

    spec: FitSpec
    columns: list[int]
    features: list[str]  # the names of columns[1:]
    beta: np.ndarray
    covariance: np.ndarray | None
    status: str  # converged | separated | intercept_only
    estimator: str  # maximum_likelihood | firth | ridge | positive_rate
    train_rows: int
    train_positives: int
    # on the train rows: at the maximum-likelihood estimate, at the best iterate of a separated fit, or of the positive rate
    log_likelihood: float
    iterations: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def parameters(self) -> int:
        return len(self.columns)


def fit_all(blocks, design: Design, specs: list[FitSpec], label: str = "") -> list[FitResult]:
    """Every fit of `specs` on the train rows of `blocks`."""
    moments = blocks.map_reduce(partial(fit_moments, design, specs), f"analyze {label}: design of {len(specs)} fits")
    results, regressions = [], {}
    for index, spec in enumerate(specs):
        result = prepared_fit(spec, design, moments[index])
        results.append(result)
        if result.status != "intercept_only":
            regressions[index] = result
    maximum_likelihood(blocks, design, regressions, label)
    diverged = {index: fit for index, fit in regressions.items() if fit.status == "separated"}
    if diverged:
        firth(blocks, design, diverged, label)
    failed = {index: fit for index, fit in diverged.items() if fit.estimator == "firth_failed"}
    if failed:
        maximum_likelihood(blocks, design, failed, label, ridge=RIDGE)
        for fit in failed.values():
            fit.estimator = "ridge"
            fit.notes.append(f"ridge estimates instead: ℓ(β) − {RIDGE:g}/2·Σβ_j² on standardized slopes, the intercept free")
    return results


def prepared_fit(spec: FitSpec, design: Design, moments: Moments) -> FitResult:
    """The fit's columns (constant and collinear features left out), or its intercept-only model and why."""
    p = len(design.features)
    rows = int(round(moments.count))
    positives = int(round(moments.mean[-1] * rows)) if rows else 0
    notes = []
    columns = [0]
    if rows:
        means, covariance = moments.mean[:p], moments.covariance()[:p, :p]
        variances = np.diag(covariance)
        constant = [j for j in range(p) if not variances[j] > CONSTANT_TOLERANCE * (1 + means[j] ** 2)]
        if constant:
            notes.append(f"constant in these rows, left out: {', '.join(design.features[j] for j in constant)}")
        varying = [j for j in range(p) if j not in constant]
        kept, collinear = collinear_split(covariance, varying)
        if collinear:
            notes.append(f"a linear combination of the features before it, left out: {', '.join(design.features[j] for j in collinear)}")
        columns += [1 + j for j in kept]
    reason = None
    if rows < MIN_ROWS:
        reason = f"{rows} train rows (< {MIN_ROWS})"
    elif positives in (0, rows):
        reason = f"one class only ({positives} memorized of {rows})"
    elif len(columns) == 1:
        reason = "every feature is constant"
    features = [design.features[c - 1] for c in columns[1:]]
    if reason:
        rate = min(max(positives / rows if rows else 0.5, RATE_FLOOR), 1 - RATE_FLOOR)
        log_likelihood = positives * math.log(rate) + (rows - positives) * math.log1p(-rate)
        notes.append(f"no regression: {reason}; the train positive rate is the model")
        beta = np.array([math.log(rate / (1 - rate))])
        return FitResult(spec, [0], [], beta, None, "intercept_only", "positive_rate", rows, positives, log_likelihood, 0, notes)
    beta = np.zeros(len(columns))
    beta[0] = math.log(positives / (rows - positives))
    return FitResult(spec, columns, features, beta, None, "converged", "maximum_likelihood", rows, positives, math.nan, 0, notes)


def collinear_split(covariance: np.ndarray, varying: list[int]) -> tuple[list[int], list[int]]:
    """(kept, dropped): a feature is dropped when the features kept before it explain its variance (1 − R² < 1e-9)."""
    if not varying:
        return [], []
    deviation = np.sqrt(np.diag(covariance)[varying])
    correlation = covariance[np.ix_(varying, varying)] / np.outer(deviation, deviation)
    position = {j: i for i, j in enumerate(varying)}
    kept, dropped = [], []
    for j in varying:
        if kept:
            rows = [position[k] for k in kept]
            within, towards = correlation[np.ix_(rows, rows)], correlation[rows, position[j]]
            explained = float(towards @ np.linalg.lstsq(within, towards, rcond=None)[0])
            if 1.0 - explained < COLLINEAR_TOLERANCE:
                dropped.append(j)
                continue
        kept.append(j)
    return kept, dropped


def likelihood_terms(design: Design, fits: dict, block) -> dict:
    """Per fit (index -> (spec, columns, beta, firth)), the Newton or Firth terms of its train rows."""
    select = RowSelector(design, block)
    x, y = design.matrix(block), block["label"]
    out = {}
    for index, (spec, columns, beta, penalized) in fits.items():
        rows = np.flatnonzero(select.rows(spec))
        xf = x.take(rows, axis=0)
        if len(columns) < x.shape[1]:
            xf = xf[:, columns]
        out[index] = (firth_terms if penalized else newton_terms)(xf, y[rows], beta)
    return out


def converged_step(step: np.ndarray, beta: np.ndarray) -> bool:
    return bool(np.max(np.abs(step) / (1.0 + np.abs(beta))) < STEP_TOLERANCE)


def maximum_likelihood(blocks, design: Design, fits: dict[int, FitResult], label: str, ridge: float = 0.0) -> None:
    """Newton's method on every fit at once, until each has converged (and been measured at its estimate) or failed.
    With `ridge` > 0, of ℓ(β) − ridge/2 · Σ_{j≥1} β_j² instead (the intercept free; always converges), leaving the
    fits' maximum-likelihood log-likelihood as it was."""
    final: set[int] = set()
    active = dict(fits)
    passes = 0
    name = f"ridge (λ = {ridge:g})" if ridge else "Newton"
    for fit in fits.values():
        if ridge:
            fit.beta, fit.iterations = intercept_start(fit), 0
    while active:
        passes += 1
        request = {index: (fit.spec, fit.columns, fit.beta, False) for index, fit in active.items()}
        terms = blocks.map_reduce(partial(likelihood_terms, design, request), f"analyze {label}: {name} pass {passes} ({len(active)} fits)")
        for index in list(active):
            fit = active[index]
            information, score, log_likelihood = terms[index]
            if ridge:
                penalty = np.full(len(fit.beta), ridge)
                penalty[0] = 0.0
                information, score = information + np.diag(penalty), score - penalty * fit.beta
            # the final estimate's value, or for a fit that fails the best iterate's: the closest to the supremum
            final_pass = index in final
            if not ridge and (final_pass or not log_likelihood <= fit.log_likelihood):
                fit.log_likelihood = log_likelihood
            if final_pass:
                fit.covariance = inverse(information)
                if fit.covariance is None:
                    mark_separated(fit, "the information matrix at the estimate is singular")
                del active[index]
                continue
            step = newton_step(information, score)
            if step is None or not np.all(np.isfinite(step)):
                mark_separated(fit, f"the information matrix became singular at iteration {fit.iterations + 1}")
                del active[index]
                continue
            fit.beta = fit.beta + step
            fit.iterations += 1
            if converged_step(step, fit.beta):
                final.add(index)
            elif fit.iterations >= MAX_ITERATIONS:
                mark_separated(fit, f"{'the ridge fit' if ridge else 'maximum likelihood'} did not converge in {MAX_ITERATIONS} iterations")
                del active[index]


def intercept_start(fit: FitResult) -> np.ndarray:
    """β with the intercept at the (half-corrected) positive rate and every slope 0."""
    rate = (fit.train_positives + 0.5) / (fit.train_rows + 1.0)
    start = np.zeros(len(fit.columns))
    start[0] = math.log(rate / (1 - rate))
    return start


def mark_separated(fit: FitResult, why: str) -> None:
    fit.status = "separated"
    fit.notes.append(f"{why}: separation (a feature or category predicts the label perfectly), estimates diverge")


def firth(blocks, design: Design, fits: dict[int, FitResult], label: str) -> None:
    """Firth's penalized likelihood for the separated fits, replacing their estimates (the MLE's log-likelihood stays).
    Each pass evaluates every fit's candidate: accepted when the penalized log-likelihood ℓ + ½ log det I did not
    fall (then the next Fisher-scoring step is taken from it), else the step is halved (logistf's safeguards)."""
    state = {}
    for index, fit in fits.items():
        state[index] = {"candidate": intercept_start(fit), "accepted": None, "penalized": -math.inf, "step": None, "halvings": 0}
        fit.iterations = 0
    active = dict(fits)
    passes = 0
    while active:
        passes += 1
        request = {index: (fit.spec, fit.columns, state[index]["candidate"], True) for index, fit in active.items()}
        terms = blocks.map_reduce(partial(likelihood_terms, design, request), f"analyze {label}: Firth pass {passes} ({len(active)} fits)")
        for index in list(active):
            fit, current = active[index], state[index]
            information, score, log_likelihood, third = terms[index]
            covariance = inverse(information)
            penalized = log_likelihood + 0.5 * np.linalg.slogdet(information)[1] if covariance is not None else -math.inf
            trouble = None
            if penalized >= current["penalized"] - 1e-10 * abs(current["penalized"]):
                fit.beta, fit.covariance = current["candidate"], covariance
                current.update(accepted=current["candidate"], penalized=penalized, halvings=0)
                step = covariance @ firth_score(score, third, covariance)
                largest = np.max(np.abs(step))
                if largest > FIRTH_MAX_STEP:
                    step *= FIRTH_MAX_STEP / largest
                if converged_step(step, fit.beta):
                    fit.beta = fit.beta + step  # the covariance stays that of the last pass: a 1e-6 relative step away
                    finish_firth(fit, None)
                    del active[index]
                    continue
                current.update(step=step, candidate=fit.beta + step)
                fit.iterations += 1
            elif current["accepted"] is None:
                trouble = "singular information at the start"
            else:
                current["halvings"] += 1
                if current["halvings"] > FIRTH_HALVINGS:
                    trouble = f"no step increased the penalized likelihood after {FIRTH_HALVINGS} halvings"
                current["candidate"] = current["accepted"] + current["step"] * 0.5 ** current["halvings"]
            if trouble is None and passes >= FIRTH_ITERATIONS:
                trouble = f"not converged in {FIRTH_ITERATIONS} passes"
            if trouble:
                finish_firth(fit, trouble)
                del active[index]


def finish_firth(fit: FitResult, trouble: str | None) -> None:
    if trouble:
        fit.estimator = "firth_failed"
        fit.notes.append(f"Firth's penalized likelihood failed after {fit.iterations} iterations ({trouble})")
    else:
        fit.estimator = "firth"
        fit.notes.append(f"Firth-penalized estimates ({fit.iterations} iterations)")
