"""The rows of `analyze`'s tables for one split, from its fits and its value summaries (docs/METRICS.md, 'Predictive
model of memorization'): performance, coefficients, the likelihood-ratio test of taxonomic vs baseline, the threshold
sweep, calibration, curves, correlations and detection. Every table that holds a fit carries its status and notes."""

from __future__ import annotations

import math

import numpy as np

from metrics.logistic import likelihood_ratio_test, wald
from metrics.taxonomy import CATEGORIES
from utils.analysis.evaluation import FPR_LEVELS, PARTS
from utils.analysis.fitting import FitResult

TABLES = ("performance", "coefficients", "lrt", "threshold_sweep", "calibration", "curves", "correlations", "detection")
VALID_INTERCEPT_ONLY = ("one class only", "every feature is constant")  # still the supremum of the likelihood: nested


def fit_keys(fit: FitResult) -> dict:
    return {"model": fit.spec.model, "category": fit.spec.category or "all"}


def notes_of(fit: FitResult) -> str:
    return "; ".join(fit.notes)


def coefficient_rows(fit: FitResult, keys: dict) -> list[dict]:
    inference = wald(fit.beta, fit.covariance)
    names = ["(intercept)", *fit.features]
    rows = [
        {
            **keys,
            **fit_keys(fit),
            "feature": name,
            "coefficient": float(fit.beta[i]),
            **{column: float(values[i]) for column, values in inference.items()},
            "status": fit.status,
            "estimator": fit.estimator,
        }
        for i, name in enumerate(names)
    ]
    return rows[1:] + rows[:1]  # features first, the intercept last


def combined_status(fits: list[FitResult]) -> tuple[str, str]:
    """(status, notes) of a taxonomic model from its category fits."""
    troubled = [f"{fit.spec.category}: {fit.status} ({fit.estimator})" for fit in fits if fit.status != "converged"]
    return ("combined" if not any(fit.status == "separated" for fit in fits) else "separated"), "; ".join(troubled)


def lrt_entry(baseline: FitResult, categories: list[FitResult], base_test: dict, tax_test: dict) -> dict:
    """In-sample likelihood-ratio test on the train fits (Wilks), with the held-out log-likelihood gain per test row."""
    tax_train = sum(fit.log_likelihood for fit in categories)
    extra = sum(fit.parameters for fit in categories) - baseline.parameters
    test = likelihood_ratio_test(tax_train, baseline.log_likelihood, extra)
    problems = []
    for fit in [baseline, *categories]:
        name = fit.spec.category or "baseline"
        if fit.status == "separated":
            problems.append(f"{name} separated: its log-likelihood is its best iterate's, below its supremum")
        elif fit.status == "intercept_only" and not any(reason in notes_of(fit) for reason in VALID_INTERCEPT_ONLY):
            problems.append(f"{name} is intercept-only (too few rows): the models are not nested")
    test_rows = tax_test["rows"]
    gain = (tax_test["log_likelihood"] - base_test["log_likelihood"]) / test_rows if test_rows else math.nan
    return {
        "baseline_train_log_likelihood": baseline.log_likelihood,
        "taxonomic_train_log_likelihood": tax_train,
        "statistic": test["statistic"],
        "degrees_of_freedom": extra,
        "p_value": test["p_value"],
        "log10_p": test["log10_p"],
        "train_rows": baseline.train_rows,
        "baseline_test_log_likelihood": base_test["log_likelihood"],
        "taxonomic_test_log_likelihood": tax_test["log_likelihood"],
        "test_rows": test_rows,
        "heldout_gain_per_row": gain,
        "status": "approximate" if problems else "valid",
        "notes": "; ".join(problems),
    }


def performance_row(keys: dict, part: str, summary: dict, parameters: int, status: str, estimator: str, notes: str) -> dict:
    return {
        **keys,
        "part": part,
        "rows": summary["rows"],
        "positives": summary["positives"],
        "roc_auc": summary["roc_auc"],
        "pr_auc": summary["pr_auc"],
        "ece": summary["ece"],
        "log_likelihood": summary["log_likelihood"],
        "parameters": parameters,
        "status": status,
        "estimator": estimator,
        "notes": notes,
    }


def calibration_rows(keys: dict, part: str, summary: dict) -> list[dict]:
    bins = summary["calibration"]
    return [
        {**keys, "part": part, "bin": int(b), "rows": int(n), "mean_predicted": float(m), "observed_rate": float(o)}
        for b, n, m, o in zip(bins["bin"], bins["rows"], bins["mean_predicted"], bins["observed_rate"])
    ]


def curve_rows(keys: dict, summary: dict) -> list[dict]:
    curve = summary.get("curve")
    if curve is None:
        return []
    return [{**keys, **{name: float(values[i]) for name, values in curve.items()}} for i in range(len(curve["threshold"]))]


def split_tables(
    split: str,
    fits: list[FitResult],
    summaries: dict,
    threshold: int | None,
    sweep: list[int],
    category_rows: dict,
    features: list[str],
    scores: dict[str, str],
    groups: tuple[str, ...],
) -> dict[str, list[dict]]:
    """Every table's rows for one split."""
    tables: dict[str, list[dict]] = {name: [] for name in TABLES}
    by_spec = {(fit.spec.group, fit.spec.threshold, fit.spec.category): fit for fit in fits}
    for group in groups:
        keys = {"split": split, "group": group}
        baseline = by_spec[(group, None, None)]
        base = {**keys, "model": "baseline", "category": "all"}
        for part in PARTS:
            summary = summaries[(("baseline", group, None), ("all", part))]
            tables["performance"].append(
                performance_row(base, part, summary, baseline.parameters, baseline.status, baseline.estimator, notes_of(baseline))
            )
            tables["calibration"] += calibration_rows(base, part, summary)
        tables["curves"] += curve_rows(base, summaries[(("baseline", group, None), ("all", "test"))])
        tables["coefficients"] += coefficient_rows(baseline, keys)
        if threshold is not None:
            taxonomic_tables(tables, keys, by_spec, summaries, threshold)
        for name in dict.fromkeys([*features, *scores]):
            for category in ("all", *(CATEGORIES if threshold is not None else ())):
                summary = summaries[(("column", name), (group, category))]
                entry = {**keys, "category": category, "rows": summary["rows"]}
                if name in features:
                    tables["correlations"].append(
                        {**entry, "feature": name, "pearson": summary["pearson"], "spearman": summary["spearman"]}
                    )
                if name in scores:
                    tables["detection"].append(
                        {
                            **entry,
                            "score": name,
                            "direction": scores[name],
                            "positives": summary["positives"],
                            "roc_auc": summary["roc_auc"],
                            **{level: summary[level] for level in FPR_LEVELS},
                        }
                    )
    if threshold is not None:
        tables["threshold_sweep"] = sweep_rows(split, by_spec, summaries, threshold, sweep, category_rows)
    return tables


def taxonomic_tables(tables: dict, keys: dict, by_spec: dict, summaries: dict, threshold: int) -> None:
    group = keys["group"]
    categories = [by_spec[(group, threshold, category)] for category in CATEGORIES]
    parameters = sum(fit.parameters for fit in categories)
    status, notes = combined_status(categories)
    combined = {**keys, "model": "taxonomic", "category": "all"}
    name = ("taxonomic", group, threshold)
    for part in PARTS:
        summary = summaries[(name, ("all", part))]
        tables["performance"].append(performance_row(combined, part, summary, parameters, status, "per_category", notes))
        tables["calibration"] += calibration_rows(combined, part, summary)
        for fit in categories:
            category_keys = {**keys, **fit_keys(fit)}
            summary = summaries[(name, (fit.spec.category, part))]
            tables["performance"].append(
                performance_row(category_keys, part, summary, fit.parameters, fit.status, fit.estimator, notes_of(fit))
            )
            tables["calibration"] += calibration_rows(category_keys, part, summary)
    tables["curves"] += curve_rows(combined, summaries[(name, ("all", "test"))])
    for fit in categories:
        tables["coefficients"] += coefficient_rows(fit, keys)
    baseline = by_spec[(group, None, None)]
    base_test = summaries[(("baseline", group, None), ("all", "test"))]
    tables["lrt"].append({**keys, **lrt_entry(baseline, categories, base_test, summaries[(name, ("all", "test"))])})


def sweep_rows(split: str, by_spec: dict, summaries: dict, threshold: int, sweep: list[int], category_rows: dict) -> list[dict]:
    """Per sweep threshold, the taxonomic model refitted on all rows: its test metrics beside the baseline's, rows per
    category, the in-sample LRT, and its fits' status and notes."""
    baseline = by_spec[("all", None, None)]
    base_test = summaries[(("baseline", "all", None), ("all", "test"))]
    rows = []
    for t in sorted(set(sweep)):
        categories = [by_spec[("all", t, category)] for category in CATEGORIES]
        test = summaries[(("taxonomic", "all", t), ("all", "test"))]
        lrt = lrt_entry(baseline, categories, base_test, test)
        status, notes = combined_status(categories)
        counts = category_rows.get(t, np.zeros(len(CATEGORIES)))
        rows.append(
            {
                "split": split,
                "recitation_threshold": t,
                "is_run_threshold": t == threshold,
                "taxonomic_test_pr_auc": test["pr_auc"],
                "taxonomic_test_roc_auc": test["roc_auc"],
                "baseline_test_pr_auc": base_test["pr_auc"],
                "baseline_test_roc_auc": base_test["roc_auc"],
                **{f"{category}_rows": int(counts[c]) for c, category in enumerate(CATEGORIES)},
                "lrt_statistic": lrt["statistic"],
                "lrt_degrees_of_freedom": lrt["degrees_of_freedom"],
                "lrt_p_value": lrt["p_value"],
                "lrt_log10_p": lrt["log10_p"],
                "lrt_status": lrt["status"],
                "heldout_gain_per_row": lrt["heldout_gain_per_row"],
                "status": status,
                "notes": "; ".join(part for part in (notes, lrt["notes"]) if part),
            }
        )
    return rows
