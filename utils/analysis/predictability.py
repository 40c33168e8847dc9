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
from utils.core.errors import DataSourceError
from utils.data.splits import MODEL_SIZES, Split, parse_split_name

NO_CATEGORY = "null"  # a row whose taxonomy is null, or a run without the taxonomy column
CATEGORY_BITS = 4  # bits per split in an id's membership mask: the 3 categories and NO_CATEGORY
MAX_SPLITS_PER_SCHEME = 63 // CATEGORY_BITS  # 15: Pythia has 14 per scheme (8 sizes, 6 intermediate 12B checkpoints)


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
    crowded = [scheme for scheme in compared if len(by_scheme[scheme]) > MAX_SPLITS_PER_SCHEME]
    if crowded:
        raise DataSourceError(
            f"scale and time compares at most {MAX_SPLITS_PER_SCHEME} memorized-evals splits per scheme; {crowded} hold more"
        )
    chosen = [s for scheme in compared for s in by_scheme[scheme]]
    frames = []
    for index, split in enumerate(chosen):
        # A declared schema reads no footer to infer one (a job per split); a run without taxonomy reads it as null.
        frame = spark.read.schema("sequence_id long, taxonomy string").parquet(f"{run_dir}/{split.label}")
        category = F.coalesce(F.col("taxonomy"), F.lit(NO_CATEGORY)).alias("category")
        scheme = F.lit(list(compared).index(split.split.scheme)).alias("scheme")
        local = F.lit(by_scheme[split.split.scheme].index(split)).alias("local")
        frames.append(frame.select(F.lit(index).alias("s"), scheme, local, "sequence_id", category))
    rows = frames[0]
    for frame in frames[1:]:
        rows = rows.unionByName(frame)
    code = F.lit(len(CATEGORIES))  # NO_CATEGORY, and any other value
    for position, name in reversed(list(enumerate(CATEGORIES))):
        code = F.when(F.col("category") == name, position).otherwise(code)
    # One bit per (split of the scheme, category): the membership pattern of an id is one long, OR-ed over its rows.
    bit = F.expr(f"shiftleft(cast(1 as bigint), local * {CATEGORY_BITS} + code)")
    context = spark.sparkContext
    rows = rows.withColumn("code", code)
    try:
        context.setJobDescription(f"scale and time: rows per taxonomy category of {len(chosen)} split(s)")
        per_category = rows.groupBy("s", "category").agg(
            F.count("*").alias("rows"), F.count_if(F.col("sequence_id").isNull()).alias("null_ids")
        )
        counts = [(row["s"], row["category"], int(row["rows"]), int(row["null_ids"])) for row in per_category.collect()]
        context.setJobDescription(f"scale and time: membership patterns of {len(chosen)} split(s)")
        patterns = (
            rows.where(F.col("sequence_id").isNotNull())
            .groupBy("scheme", "sequence_id")
            .agg(F.bit_or(bit).alias("mask"))
            .groupBy("scheme", "mask")
            .count()
            .collect()
        )
    finally:
        context.setJobDescription(None)
    offsets = {position: chosen.index(by_scheme[name][0]) for position, name in enumerate(compared)}
    decoded = [(offsets[row["scheme"]], int(row["mask"]), int(row["count"])) for row in patterns]
    membership, by_category, ids = _pattern_arrays(decoded, len(chosen))
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


def _pattern_arrays(patterns: list[tuple[int, int, int]], splits: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """From (index of the scheme's first split, bit mask, ids) per pattern: (patterns, splits) membership,
    (patterns, splits, categories) membership per category of the split, and the counts."""
    categories = len(CATEGORIES) + 1
    membership = np.zeros((len(patterns), splits), dtype=bool)
    by_category = np.zeros((len(patterns), splits, categories), dtype=bool)
    counts = np.zeros(len(patterns), dtype=np.int64)
    for p, (first, mask, count) in enumerate(patterns):
        counts[p] = count
        for bit in range(mask.bit_length()):
            if mask >> bit & 1:
                local, category = divmod(bit, CATEGORY_BITS)
                membership[p, first + local] = True
                by_category[p, first + local, category] = True
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
