"""Memorization across scale and time: for the run's memorized-evals splits of each scheme, how well a smaller or
earlier model's memorized set predicts a larger or later one's, overall and per taxonomy category of the target
(Biderman et al. 2023; docs/METRICS.md, 'Memorization across scale and time'; metrics/predictability.py).

Two Spark jobs whatever the number of splits: per split and taxonomy category its rows and rows without an id (the
category shares over scale and time); and the count of ids per membership pattern (which splits, in which category,
hold the id). The driver receives the patterns, never id sets, and computes every pair from them. An id repeated
inside a split counts once (sets); a row without an id cannot be matched and is counted apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metrics.predictability import intersections, overlap_measures, training_compute
from metrics.taxonomy import CATEGORIES
from utils.data.splits import MODEL_SIZES, Split, parse_split_name

NO_CATEGORY = "null"  # a row whose taxonomy is null, or a run without the taxonomy column


@dataclass(frozen=True)
class ScaleSplit:
    """One memorized-evals split of the run with its training compute."""

    label: str  # dataset/split, as the manifest names it
    split: Split

    @property
    def compute(self) -> float:
        return training_compute(self.split.model, self.split.step)


def scale_splits(labels: list[str]) -> tuple[dict[str, list[ScaleSplit]], list[str]]:
    """The run's Pythia memorized-evals splits by scheme, ordered by training compute; and the labels left out (not
    memorized-evals, or a model size without a published parameter count)."""
    by_scheme: dict[str, list[ScaleSplit]] = {}
    left_out = []
    for label in labels:
        dataset, _, name = label.partition("/")
        if dataset != "memories":
            continue
        split = parse_split_name("memories", name)
        if split.model not in MODEL_SIZES:
            left_out.append(label)
            continue
        by_scheme.setdefault(split.scheme, []).append(ScaleSplit(label, split))
    return {scheme: sorted(splits, key=lambda s: (s.compute, s.label)) for scheme, splits in sorted(by_scheme.items())}, left_out


def predictability_tables(spark, run_dir: str, labels: list[str]) -> tuple[dict[str, list[dict]], dict]:
    """The tables `memorized_splits`, `taxonomy_shares`, `predictability` and `predictability_by_category`, and a
    summary saying what was compared and what could not be."""
    from pyspark.sql import functions as F

    by_scheme, left_out = scale_splits(labels)
    compared = {scheme: [s.label for s in splits] for scheme, splits in by_scheme.items() if len(splits) > 1}
    summary = {"compared": compared, "left_out": left_out, "single_split_schemes": sorted(set(by_scheme) - set(compared))}
    if not compared:
        summary["note"] = "nothing to compare: the run holds fewer than two memorized-evals splits of any scheme"
        return {}, summary
    chosen = [s for scheme in compared for s in by_scheme[scheme]]
    frames = []
    for index, split in enumerate(chosen):
        # A declared schema reads no footer to infer one (a job per split); a run without taxonomy reads it as null.
        frame = spark.read.schema("sequence_id long, taxonomy string").parquet(f"{run_dir}/{split.label}")
        category = F.coalesce(F.col("taxonomy"), F.lit(NO_CATEGORY)).alias("category")
        frames.append(frame.select(F.lit(index).alias("s"), "sequence_id", category))
    rows = frames[0]
    for frame in frames[1:]:
        rows = rows.unionByName(frame)
    context = spark.sparkContext
    try:
        context.setJobDescription(f"scale and time: rows per taxonomy category of {len(chosen)} split(s)")
        per_category = rows.groupBy("s", "category").agg(
            F.count("*").alias("rows"), F.count_if(F.col("sequence_id").isNull()).alias("null_ids")
        )
        counts = [(row["s"], row["category"], int(row["rows"]), int(row["null_ids"])) for row in per_category.collect()]
        context.setJobDescription(f"scale and time: membership patterns of {len(chosen)} split(s)")
        items = F.concat_ws(":", F.col("s").cast("string"), F.col("category"))
        patterns = (
            rows.where(F.col("sequence_id").isNotNull())
            .select("sequence_id", items.alias("item"))
            .groupBy("sequence_id")
            .agg(F.array_sort(F.collect_set("item")).alias("items"))
            .groupBy("items")
            .count()
            .collect()
        )
    finally:
        context.setJobDescription(None)
    membership, by_category, ids = _pattern_arrays([(row["items"], row["count"]) for row in patterns], len(chosen))
    tables = {"memorized_splits": [], "taxonomy_shares": [], "predictability": [], "predictability_by_category": []}
    both = intersections(membership, ids)
    for index, split in enumerate(chosen):
        identity = {
            "scheme": split.split.scheme,
            "split": split.label,
            "model": split.split.model,
            "step": split.split.step,
            "compute": split.compute,
        }
        mine = [(category, rows_in, null) for s, category, rows_in, null in counts if s == index]
        total, null = sum(r for _, r, _ in mine), sum(n for _, _, n in mine)
        distinct = int(both[index, index])
        tables["memorized_splits"].append(
            {**identity, "rows": total, "distinct_ids": distinct, "repeated_id_rows": total - distinct - null, "rows_without_id": null}
        )
        for category, rows_in, _ in sorted(mine):
            tables["taxonomy_shares"].append({**identity, "category": category, "rows": rows_in, "share": rows_in / total})
    for scheme in compared:
        members = [chosen.index(s) for s in by_scheme[scheme]]
        for a in members:
            for b in members:
                if chosen[a].compute < chosen[b].compute:
                    tables["predictability"].append(_pair_row(chosen, a, b, both[a, b], both[a, a], both[b, b]))
                    for k, category in enumerate(CATEGORIES + (NO_CATEGORY,)):
                        in_category = intersections(np.column_stack([membership[:, a], by_category[:, b, k]]), ids)
                        if in_category[1, 1]:
                            tables["predictability_by_category"].append(
                                {**_pair_row(chosen, a, b, in_category[0, 1], both[a, a], in_category[1, 1]), "target_category": category}
                            )
    return tables, summary


def _pattern_arrays(patterns: list[tuple[list[str], int]], splits: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(patterns, splits) membership, (patterns, splits, categories) membership per category of the split, counts."""
    categories = CATEGORIES + (NO_CATEGORY,)
    membership = np.zeros((len(patterns), splits), dtype=bool)
    by_category = np.zeros((len(patterns), splits, len(categories)), dtype=bool)
    counts = np.zeros(len(patterns), dtype=np.int64)
    for p, (items, count) in enumerate(patterns):
        counts[p] = count
        for item in items:
            index, _, category = item.partition(":")
            membership[p, int(index)] = True
            by_category[p, int(index), categories.index(category) if category in categories else len(categories) - 1] = True
    return membership, by_category, counts


def _pair_row(chosen: list[ScaleSplit], a: int, b: int, both: int, predictor: int, target: int) -> dict:
    measures = overlap_measures(np.array([both]), np.array([predictor]), np.array([target]))
    return {
        "scheme": chosen[a].split.scheme,
        "predictor": chosen[a].label,
        "target": chosen[b].label,
        "predictor_compute": chosen[a].compute,
        "target_compute": chosen[b].compute,
        "predictor_ids": int(predictor),
        "target_ids": int(target),
        "both": int(both),
        **{name: float(values[0]) for name, values in measures.items()},
    }
