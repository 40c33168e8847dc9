"""The report's summary lines from the run's rows and the analysis tables."""

from pathlib import Path

import pandas as pd

from utils.reporting.summary import category_lines, model_lines, predictability_lines, run_summary


def test_category_shares_per_dataset():
    frame = pd.DataFrame({"dataset": ["memories"] * 4 + ["pile"] * 2, "taxonomy": ["recitation"] * 3 + ["recollection", None, None]})
    assert category_lines(frame)[0] == "Categories of the memories rows: recitation 75%, reconstruction 0%, recollection 25%."
    assert category_lines(frame.drop(columns="taxonomy")) == []


def test_model_and_detector_lines():
    base = {"split": "pile/duped.70m", "part": "test", "group": "all", "category": "all"}
    performance = pd.DataFrame([{**base, "model": "baseline", "roc_auc": 0.7}, {**base, "model": "taxonomic", "roc_auc": 0.8}])
    detection = pd.DataFrame(
        [
            {**base, "score": "loss", "roc_auc": 0.9},
            {**base, "score": "zlib_ratio", "roc_auc": 0.6},
            {**base, "score": "x", "roc_auc": None},
        ]
    )
    assert model_lines(performance, detection) == [
        "pile/duped.70m: test ROC-AUC 0.800 with the taxonomy, 0.700 without.",
        "pile/duped.70m: the best single detector is loss (ROC-AUC 0.900).",
    ]


def test_the_smallest_model_and_the_earliest_checkpoint_against_the_final_12b():
    def pair(predictor, compute, recall):
        return {"scheme": "duped", "predictor": predictor, "target": "memories/duped.12b", "predictor_compute": compute,
                "target_compute": 100.0, "recall": recall}  # fmt: skip

    pairs = pd.DataFrame(
        [pair("memories/duped.1b", 5.0, 0.4), pair("memories/duped.70m", 1.0, 0.2), pair("memories/duped.12b.23000", 3.0, 0.3)]
    )
    assert predictability_lines(pairs) == [
        "duped: the smallest model (memories/duped.70m) recalls 20% of memories/duped.12b's memorized sequences.",
        "duped: the earliest checkpoint (memories/duped.12b.23000) recalls 30% of memories/duped.12b's memorized sequences.",
    ]
    assert predictability_lines(pd.DataFrame()) == []


def test_the_summary_without_analysis_says_rows_and_splits(tmp_path: Path):
    frame = pd.DataFrame({"dataset": ["pile"], "taxonomy": ["recollection"]})
    text = run_summary(frame, ["pile/duped.70m"], tmp_path)
    assert text.startswith("<h2>Summary</h2><ul><li>1 rows in 1 split(s): pile/duped.70m.</li>") and "recollection 100%" in text
