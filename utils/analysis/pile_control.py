"""The Pile control sample at every model size of the run: how much each size memorizes, how skewed its scores are
(Li et al. 2025), and how far the sizes agree on which rows are memorized (docs/METRICS.md, 'Memorization across scale
and time'; metrics/score_skew.py, metrics/predictability.py).

A run's Pile splits of one scheme are the same rows scored by different sizes. Two Spark jobs whatever the number of
sizes: the rows per distinct score per size (scores are k/32, so every quantile and share is exact from it), and the
ids memorized (score 1) per membership pattern across sizes.
"""

from __future__ import annotations

import numpy as np

from metrics.predictability import intersections, overlap_measures
from metrics.score_skew import skew_summary
from utils.data.splits import MODEL_SIZES, SCHEMES


def pile_splits(labels: list[str]) -> dict[str, list[tuple[str, str]]]:
    """(label, model size) of the run's Pile splits (`pile/{scheme}.{size}`) by scheme, smallest model first."""
    by_scheme: dict[str, list[tuple[str, str]]] = {}
    for label in labels:
        dataset, _, name = label.partition("/")
        scheme, _, size = name.partition(".")
        if dataset == "pile" and scheme in SCHEMES and size in MODEL_SIZES:
            by_scheme.setdefault(scheme, []).append((label, size))
    return {scheme: sorted(found, key=lambda s: MODEL_SIZES.index(s[1])) for scheme, found in sorted(by_scheme.items())}


def pile_control_tables(spark, run_dir: str, labels: list[str]) -> tuple[dict[str, list[dict]], dict]:
    """The tables `pile_memorization` (per size: shares, mean, quantiles, top-row mass), `pile_score_histogram` (rows per
    score per size) and `pile_agreement` (memorized sets of a smaller size against a larger one's)."""
    from pyspark.sql import functions as F

    by_scheme = pile_splits(labels)
    if not by_scheme:
        return {}, {"note": "no Pile split in the run"}
    chosen = [(scheme, label, size) for scheme, found in by_scheme.items() for label, size in found]
    rows = None
    for index, (_, label, _) in enumerate(chosen):
        frame = spark.read.schema("sequence_id long, memorization_score double").parquet(f"{run_dir}/{label}")
        frame = frame.select(F.lit(index).alias("s"), "sequence_id", "memorization_score")  # declared schema: no inference job
        # NaN and scores outside [0, 1] are bad input (flagged by the run), not scores; null is a row without score.
        frame = frame.where(F.col("memorization_score").isNull() | F.col("memorization_score").between(0.0, 1.0))
        rows = frame if rows is None else rows.unionByName(frame)
    context = spark.sparkContext
    try:
        context.setJobDescription(f"Pile control: rows per score of {len(chosen)} split(s)")
        histogram = rows.groupBy("s", "memorization_score").count().collect()
        context.setJobDescription(f"Pile control: memorized ids per pattern of {len(chosen)} split(s)")
        patterns = (
            rows.where((F.col("memorization_score") >= 1.0) & F.col("sequence_id").isNotNull())
            .groupBy("sequence_id")
            .agg(F.array_sort(F.collect_set("s")).alias("splits"))
            .groupBy("splits")
            .count()
            .collect()
        )
    finally:
        context.setJobDescription(None)
    tables = {"pile_memorization": [], "pile_score_histogram": [], "pile_agreement": []}
    for index, (scheme, label, size) in enumerate(chosen):
        mine = [(row["memorization_score"], row["count"]) for row in histogram if row["s"] == index]
        values = np.array([v if v is not None else np.nan for v, _ in mine], dtype=np.float64)
        counts = np.array([c for _, c in mine], dtype=np.int64)
        unscored = int(counts[np.isnan(values)].sum())
        identity = {"scheme": scheme, "split": label, "model": size}
        tables["pile_memorization"].append({**identity, "rows_without_score": unscored, **skew_summary(values, counts)})
        for value, count in sorted(zip(values[~np.isnan(values)], counts[~np.isnan(values)])):
            tables["pile_score_histogram"].append({**identity, "score": float(value), "rows": int(count)})
    membership = np.zeros((len(patterns), len(chosen)), dtype=bool)
    for p, row in enumerate(patterns):
        membership[p, row["splits"]] = True
    both = intersections(membership, np.array([row["count"] for row in patterns], dtype=np.int64))
    for scheme in by_scheme:
        members = [i for i, (s, _, _) in enumerate(chosen) if s == scheme]
        for position, a in enumerate(members):
            for b in members[position + 1 :]:
                measures = overlap_measures(both[a, b], both[a, a], both[b, b])
                tables["pile_agreement"].append(
                    {
                        "scheme": scheme,
                        "predictor": chosen[a][1],
                        "target": chosen[b][1],
                        "predictor_memorized": int(both[a, a]),
                        "target_memorized": int(both[b, b]),
                        "both": int(both[a, b]),
                        **{name: float(value) for name, value in measures.items()},
                    }
                )
    return tables, {"schemes": {scheme: [label for label, _ in found] for scheme, found in by_scheme.items()}}
