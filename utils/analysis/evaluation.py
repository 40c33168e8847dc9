"""Everything `analyze` measures about scores, in one pass (docs/METRICS.md, 'Predictive model of memorization'):
each fitted model's probabilities on its train and test rows (ROC-AUC, PR-AUC, calibration, log-likelihood, curve
points), the taxonomic model refitted at each sweep threshold on the test rows, and each feature and detection
score on all rows (correlations with the label; ROC-AUC and TPR at 1 % and 0.1 % FPR in its stated direction), per
group and taxonomy category. Each is a value set of `blocks.py`: sorted once, its views summarized from its distinct
values."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

import numpy as np

from metrics.prediction_quality import (
    calibration_bins,
    curve_points,
    expected_calibration_error,
    label_correlations,
    log_likelihood,
    pr_auc,
    roc_auc,
    tpr_at_fpr,
)
from metrics.taxonomy import CATEGORIES
from utils.analysis.blocks import ValueSet, View
from utils.analysis.design import Design, RowSelector
from utils.analysis.fitting import FitResult

PARTS = ("train", "test")
FPR_LEVELS = {"tpr_at_1pct_fpr": 0.01, "tpr_at_0_1pct_fpr": 0.001}
CURVE_DECIMALS = 3


@dataclass(frozen=True)
class Predictors:
    """The coefficients each value set predicts with: (columns, beta) of the baseline per group, and of each category's
    fit per (group, threshold) in CATEGORIES order."""

    baseline: dict
    taxonomic: dict

    @classmethod
    def of(cls, fits: list[FitResult]) -> Predictors:
        baseline, taxonomic = {}, {}
        for fit in fits:
            entry = (fit.columns, fit.beta)
            if fit.spec.category is None:
                baseline[fit.spec.group] = entry
            else:
                taxonomic.setdefault((fit.spec.group, fit.spec.threshold), [None] * len(CATEGORIES))
                taxonomic[(fit.spec.group, fit.spec.threshold)][CATEGORIES.index(fit.spec.category)] = entry
        return cls(baseline, taxonomic)


def value_sets(design: Design, threshold: int | None, sweep: list[int], columns: dict[str, str | None]) -> list[ValueSet]:
    """The value sets of a split: per group the baseline and the taxonomic model's probabilities by part (and category),
    the sweep's taxonomic models on the test rows of all rows, and each column (name -> detection direction or None)."""
    sets = []
    for group in design.groups:
        sets.append(ValueSet(("baseline", group, None), tuple(View(("all", part), (p,), "probability") for p, part in enumerate(PARTS))))
        if threshold is None:
            continue
        views = []
        for p, part in enumerate(PARTS):
            views.append(View(("all", part), tuple(3 * p + c for c in range(3)), "probability"))
            views += [View((category, part), (3 * p + c,), "probability") for c, category in enumerate(CATEGORIES)]
        sets.append(ValueSet(("taxonomic", group, threshold), tuple(views)))
        if group == "all":
            for t in sorted(set(sweep) - {threshold}):
                sets.append(ValueSet(("taxonomic", group, t), (View(("all", "test"), (3, 4, 5), "probability"),)))
    for name, direction in columns.items():  # one set per column for every group: cell = 3·(nl group) + category
        kind = f"score:{direction or 'higher'}"
        views = []
        for g, group in enumerate(design.groups):
            chosen = (0, 1, 2) if group == "all" else (g,)
            views.append(View((group, "all"), tuple(3 * h + c for h in chosen for c in range(3)), kind))
            if threshold is not None:
                views += [View((group, category), tuple(3 * h + c for h in chosen), kind) for c, category in enumerate(CATEGORIES)]
        sets.append(ValueSet(("column", name), tuple(views)))
    return sets


def set_values(design: Design, sets: list[ValueSet], predictors: Predictors, threshold: int | None, block) -> Iterator[tuple]:
    """(values, cells) of each value set in turn over a block's rows (one at a time: a set is as long as the block);
    cell −1 leaves a row out."""
    from scipy.special import expit

    select = RowSelector(design, block)
    x = design.matrix(block)
    test = (~select.train).astype(np.int32)
    nl_group = np.zeros(len(test), np.int32)  # 1 natural language, 2 code, 0 neither (or no nl_score)
    for g, group in enumerate(design.groups[1:], start=1):
        nl_group[select.group(group)] = g

    def probability(columns: list[int], beta: np.ndarray) -> np.ndarray:
        full = np.zeros(x.shape[1])
        full[columns] = beta
        return expit(x @ full)

    for value_set in sets:
        kind, key = value_set.name[0], value_set.name[-1]
        if kind == "column":
            cells = 3 * nl_group + (select.codes(threshold) if threshold is not None else 0)
            yield block[key], cells.astype(np.int32)
            continue
        in_group = select.group(value_set.name[1])
        if kind == "baseline":
            values = probability(*predictors.baseline[value_set.name[1]])
            cells = np.where(in_group, test, -1)
        else:
            codes = select.codes(key)
            values = np.full(len(test), np.nan)
            for c, (columns, beta) in enumerate(predictors.taxonomic[(value_set.name[1], key)]):
                values = np.where(codes == c, probability(columns, beta), values)
            cells = np.where(in_group, 3 * test + codes, -1)
            if key != threshold:  # a sweep set: test rows only
                cells = np.where(test > 0, cells, -1)
        yield values, cells.astype(np.int32)


def summarize(view: View, values: np.ndarray, rows: np.ndarray, positives: np.ndarray) -> dict:
    """The statistics of one view from its distinct values (ascending) and their row and positive counts."""
    out = {"rows": int(rows.sum()), "positives": int(positives.sum())}
    if view.kind == "probability":
        bins = calibration_bins(values, rows, positives)
        two_classes = 0 < out["positives"] < out["rows"]
        out.update(
            roc_auc=roc_auc(rows, positives),
            pr_auc=pr_auc(rows, positives) if two_classes else float("nan"),
            ece=expected_calibration_error(bins["rows"], bins["mean_predicted"], bins["observed_rate"]),
            log_likelihood=log_likelihood(values, rows, positives),
            calibration=bins,
            curve=curve_points(np.round(values, CURVE_DECIMALS), rows, positives) if two_classes else None,
        )
        return out
    pearson, spearman = label_correlations(values, rows, positives)
    if view.kind == "score:lower":  # a lower value means memorized: rank from the other end
        values, rows, positives = -values[::-1], rows[::-1], positives[::-1]
    out.update(pearson=pearson, spearman=spearman, roc_auc=roc_auc(rows, positives))
    out.update(zip(FPR_LEVELS, tpr_at_fpr(rows, positives, tuple(FPR_LEVELS.values()))))
    return out


def evaluate(
    blocks, design: Design, fits: list[FitResult], threshold: int | None, sweep: list[int], columns: dict, label: str = ""
) -> dict:
    """(set name, view name) -> summary for every value set of the split (one `value_summaries` call)."""
    sets = value_sets(design, threshold, sweep, columns)
    source = partial(set_values, design, sets, Predictors.of(fits), threshold)
    return blocks.value_summaries(sets, source, summarize, f"analyze {label}: metrics, correlations and detection")
