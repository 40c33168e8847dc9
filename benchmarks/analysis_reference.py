"""The baseline `benchmarks/analysis.py` measures `analyze` against: the same work done the usual way, in one process,
with pandas, statsmodels, scikit-learn and scipy (what the reference project's `model_training.py` did, extended to
our tables): per split, a stratified 80/20 split, standardization, the baseline and one fit per taxonomy category in
every group (all rows; nl_score > 0.525; < 0.4), the taxonomic model refitted at each sweep threshold, train and test
ROC-AUC, PR-AUC, calibration and log-likelihood of every model, Pearson and Spearman of every feature with the label,
and ROC-AUC and TPR at 1 % / 0.1 % FPR of every detection score, per group and category.

    python benchmarks/analysis_reference.py SPLIT_DIR [SPLIT_DIR ...] [--thresholds 2,4,6,10,20,50]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from utils.analysis.data import BINARY, DETECTION_SCORES, FEATURES  # noqa: E402

CATEGORIES = ("recitation", "reconstruction", "recollection")


def load(path: str) -> pd.DataFrame:
    """The split's columns the analysis reads; the semantic lists' 0.8 entries as the reference's columns."""
    frame = pd.read_parquet(path)
    for source, name in (("semantic_snowclones", "0_8_snowclones"), ("semantic_templates", "0_8_templates")):
        if source in frame:
            frame[name] = np.stack(frame.pop(source).to_numpy())[:, 0]
    return frame


def fit_and_score(train: pd.DataFrame, test: pd.DataFrame, features: list[str]) -> dict:
    """statsmodels' binomial GLM; train and test predictions."""
    import statsmodels.api as sm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = sm.GLM(train["label"], sm.add_constant(train[features], has_constant="add"), family=sm.families.Binomial()).fit()
    predict = lambda rows: model.predict(sm.add_constant(rows[features], has_constant="add"))  # noqa: E731
    return {"model": model, "train": predict(train).to_numpy(), "test": predict(test).to_numpy()}


def metrics(labels: np.ndarray, p: np.ndarray) -> dict:
    from sklearn.metrics import auc, precision_recall_curve, roc_auc_score, roc_curve

    if len(np.unique(labels)) < 2:
        return {}
    precision, recall, _ = precision_recall_curve(labels, p)
    bins = np.minimum((p * 10).astype(int), 9)
    rows = np.bincount(bins, minlength=10)
    held = rows > 0
    observed = np.bincount(bins, weights=labels, minlength=10)[held] / rows[held]
    predicted = np.bincount(bins, weights=p, minlength=10)[held] / rows[held]
    clipped = np.clip(p, 1e-15, 1 - 1e-15)
    return {
        "roc_auc": roc_auc_score(labels, p),
        "pr_auc": auc(recall, precision),
        "ece": float(np.sum(rows[held] / len(p) * np.abs(predicted - observed))),
        "log_likelihood": float(np.sum(labels * np.log(clipped) + (1 - labels) * np.log1p(-clipped))),
        "curve": roc_curve(labels, np.round(p, 3)),
    }


def analyze_frame(frame: pd.DataFrame, thresholds: list[int], threshold: int = 6) -> dict:
    """Every fit, metric, correlation and detection score of one split."""
    from scipy.stats import pearsonr, spearmanr
    from sklearn.metrics import roc_auc_score, roc_curve
    from sklearn.model_selection import train_test_split

    warnings.simplefilter("ignore")  # constant features within a category: NaN correlations, as in analyze's tables
    frame = frame.assign(label=(frame["memorization_score"] == 1.0).astype(float))
    features = [f for f in FEATURES if f in frame]
    train_index, _ = train_test_split(frame.index, test_size=0.2, stratify=frame["label"], random_state=1024)
    frame["is_train"] = frame.index.isin(train_index)
    duplicates, templating = frame["sequence_duplicates"].to_numpy(), frame["is_templating"].to_numpy() > 0  # raw: they decide the category
    train_rows = frame[frame["is_train"]]
    for name in features:
        if name not in BINARY:
            frame[name] = (frame[name] - train_rows[name].mean()) / (train_rows[name].std() or 1.0)
        else:
            frame[name] = frame[name].astype(float)
    groups = {"all": np.ones(len(frame), bool)}
    if "nl_score" in frame:
        groups.update(natural_language=(frame["nl_score"] > 0.525).to_numpy(), code=(frame["nl_score"] < 0.4).to_numpy())
    out = {"fits": 0, "metrics": 0, "correlations": 0, "detection": 0}
    for group, chosen in groups.items():
        rows = frame[chosen]
        train, test = rows[rows["is_train"]], rows[~rows["is_train"]]
        baseline = fit_and_score(train, test, features)
        out["fits"] += 1
        metrics(train["label"].to_numpy(), baseline["train"])
        metrics(test["label"].to_numpy(), baseline["test"])
        for t in sorted({threshold, *thresholds}) if group == "all" else [threshold]:
            category = np.where(duplicates[chosen] >= t, 0, np.where(templating[chosen], 1, 2))
            combined = {"train": np.zeros(len(train)), "test": np.zeros(len(test))}
            for c in range(3):
                in_train, in_test = category[rows["is_train"].to_numpy()] == c, category[~rows["is_train"].to_numpy()] == c
                varying = [f for f in features if train.loc[in_train, f].std() > 0]
                fit = fit_and_score(train[in_train], test[in_test], varying)
                out["fits"] += 1
                combined["train"][in_train], combined["test"][in_test] = fit["train"], fit["test"]
                if t == threshold:
                    metrics(train["label"].to_numpy()[in_train], fit["train"])
                    metrics(test["label"].to_numpy()[in_test], fit["test"])
            metrics(test["label"].to_numpy(), combined["test"])
            if t == threshold:
                metrics(train["label"].to_numpy(), combined["train"])
            out["metrics"] += 1
        category = np.where(duplicates[chosen] >= threshold, 0, np.where(templating[chosen], 1, 2))
        scores = [s for s in DETECTION_SCORES if s in frame]
        for c in (None, 0, 1, 2):
            part = rows if c is None else rows[category == c]
            for name in features:
                pearsonr(part[name], part["label"])
                spearmanr(part[name], part["label"])
                out["correlations"] += 1
            for name in scores:
                values = part[name].to_numpy() * (-1 if DETECTION_SCORES[name] == "lower" else 1)
                roc_auc_score(part["label"], values)
                roc_curve(part["label"], values)
                out["detection"] += 1
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("splits", nargs="+")
    parser.add_argument("--thresholds", default="2,4,6,10,20,50")
    args = parser.parse_args()
    started = time.time()
    thresholds = [int(t) for t in args.thresholds.split(",") if t]
    for path in args.splits:
        clock = time.time()
        counts = analyze_frame(load(path), thresholds)
        print(f"{path}: {counts}, {time.time() - clock:.1f} s")
    print(f"reference (pandas + statsmodels + scikit-learn + scipy): {time.time() - started:.1f} s")


if __name__ == "__main__":
    main()
