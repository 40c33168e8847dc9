"""Probes of the model's hidden states (docs/METRICS.md, 'Probes'; metrics/probes.py): per split, layer and
representation, a ridge logistic probe of memorized vs not on the Pile control rows and a multinomial probe of the
taxonomy category on the memorized-evals rows, each beside its shuffled-label control.

Two Spark jobs for every split together: the cut of the `max_rows` lowest hashes of sequence_id per split and class
(a fixed random sample, the same on every run with the same seed), then the hidden states of those rows, which reach
the driver, where the probes are fitted. Train/test: the rows whose hash is not / is ≡ 0 mod 5 (80/20); cross-validation folds: the
training rows by their hash's next digit in base 5.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from metrics.probes import FOLDS, binary_probe, fold_of, multinomial_probe, shuffled
from metrics.taxonomy import CATEGORIES

STATE_COLUMNS = ("hidden_prompt_last", "hidden_continuation_mean")
REPRESENTATIONS = {"hidden_prompt_last": "prompt_last", "hidden_continuation_mean": "continuation_mean"}
MAX_ROWS = 10_000  # per split and class: a probe of 128 dimensions is well determined long before
MIN_CLASS_ROWS = 20  # per class among the training rows, below which a split is not probed
HASH_MODULUS = 1 << 62  # hashes in [0, 2^62): non-negative, so their residues mod 5 are the train/test split


def probe_tables(spark, run_dir: str, labels: list[str], columns: list[str], seed: int, max_rows: int = MAX_ROWS) -> tuple[dict, dict]:
    """The tables `probes` (one row per split, task, layer and representation: held-out AUC or accuracy, its control,
    the penalty) and `probe_confusion` (the taxonomy probe's best layer: rows per true and predicted category)."""
    if not set(STATE_COLUMNS) <= set(columns):
        return {}, {"note": "no hidden states in the run (filter hidden_states)"}
    tasks = {label: task for label in labels if (task := _task(label, columns))}
    if not tasks:
        return {}, {"note": "no Pile split (memorized vs not) nor memorized-evals split with taxonomy to probe"}
    rows = _sampled_rows(spark, run_dir, tasks, seed, max_rows)
    tables: dict[str, list[dict]] = {"probes": [], "probe_confusion": []}
    notes = {}
    for index, (label, task) in enumerate(tasks.items()):
        part = rows.filter(pc.equal(rows.column("s"), index))
        note = _probe_split(part, label, task, seed, tables)
        if note:
            notes[label] = note
    summary = {"splits": list(tasks), "max_rows_per_class": max_rows, "folds": FOLDS, "not_probed": notes}
    return {name: values for name, values in tables.items() if values}, summary


def _task(label: str, columns: list[str]) -> str | None:
    if label.startswith("pile/"):
        return "memorized"
    if label.startswith("memories/") and "taxonomy" in columns:
        return "taxonomy"
    return None


def _sampled_rows(spark, run_dir: str, tasks: dict[str, str], seed: int, max_rows: int) -> pa.Table:
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from utils.runtime.spark_session import job_description

    frames = []
    for index, (label, task) in enumerate(tasks.items()):
        target_column = "memorization_score double" if task == "memorized" else "taxonomy string"
        schema = f"sequence_id long, {target_column}, hidden_layers array<int>, " + ", ".join(
            f"{name} array<array<float>>" for name in STATE_COLUMNS
        )
        frame = spark.read.schema(schema).parquet(f"{run_dir}/{label}")
        if task == "memorized":
            frame = frame.where(F.col("memorization_score").between(0.0, 1.0))
            target = (F.col("memorization_score") == 1.0).cast("int")
        else:
            codes = F.create_map(*[item for i, name in enumerate(CATEGORIES) for item in (F.lit(name), F.lit(i))])
            target = codes[F.col("taxonomy")]
        frame = frame.where(F.col("sequence_id").isNotNull() & F.col(STATE_COLUMNS[0]).isNotNull() & F.col(STATE_COLUMNS[1]).isNotNull())
        frames.append(
            frame.select(
                F.lit(index).alias("s"),
                target.alias("target"),
                F.pmod(F.xxhash64("sequence_id", F.lit(seed)), F.lit(HASH_MODULUS)).alias("hash"),
                "hidden_layers",
                *STATE_COLUMNS,
            ).where(F.col("target").isNotNull())
        )
    union = frames[0]
    for frame in frames[1:]:
        union = union.unionByName(frame)
    # The cut of each split and class is found on (s, target, hash) alone, so that no state crosses a shuffle; the
    # states of the rows under their cut then go straight to the driver.
    rank = F.row_number().over(Window.partitionBy("s", "target").orderBy("hash"))
    keys = union.select("s", "target", "hash").withColumn("rank", rank).where(F.col("rank") <= max_rows)
    with job_description(spark, f"probes: the {max_rows} lowest hashes per class of {len(tasks)} split(s)"):
        cuts = {(row["s"], row["target"]): row["cut"] for row in keys.groupBy("s", "target").agg(F.max("hash").alias("cut")).collect()}
    if not cuts:
        return union.limit(0).toArrow()
    under = F.lit(False)
    for (index, target), cut in cuts.items():
        under = under | ((F.col("s") == index) & (F.col("target") == target) & (F.col("hash") <= cut))
    with job_description(spark, f"probes: hidden states of {len(tasks)} split(s), at most {max_rows} rows per class"):
        return union.where(under).toArrow()


def _states(part: pa.Table, column: str) -> np.ndarray:
    """(rows, layers, dim) float32 from a list<list<float>> column whose rows all hold the same shape."""
    values = part.column(column).combine_chunks()
    layers = len(values[0]) if len(values) else 0
    flat = values.flatten().flatten().to_numpy(zero_copy_only=False)
    return flat.reshape(len(values), layers, -1) if len(values) else np.zeros((0, 0, 0), np.float32)


def _probe_split(part: pa.Table, label: str, task: str, seed: int, tables: dict[str, list[dict]]) -> str | None:
    """Appends the split's probe rows; returns why it was not probed, or None."""
    target = part.column("target").to_numpy().astype(np.int64)
    hashes = part.column("hash").to_numpy().astype(np.int64)
    train = hashes % 5 != 0
    classes = 2 if task == "memorized" else len(CATEGORIES)
    counts = np.bincount(target[train], minlength=classes)
    if counts.min() < MIN_CLASS_ROWS or (~train).sum() == 0:
        return f"too few rows: {dict(zip(_class_names(task), counts.tolist()))} training rows per class (at least {MIN_CLASS_ROWS} each)"
    folds = fold_of(hashes[train] // 5)
    layers = part.column("hidden_layers")[0].as_py()
    # The control task: every row's label shuffled (train and test alike), so that its held-out score is what the probe
    # makes of labels that carry nothing, whatever the states hold.
    control = shuffled(target, seed)
    best = None
    for column in STATE_COLUMNS:
        states = _states(part, column)
        for j, layer in enumerate(layers):
            x_train, x_test = states[train, j].astype(np.float64), states[~train, j].astype(np.float64)
            row = {
                "split": label,
                "task": task,
                "layer": int(layer),
                "representation": REPRESENTATIONS[column],
                "train_rows": int(train.sum()),
                "test_rows": int((~train).sum()),
                "dimensions": int(states.shape[2]),
            }
            if task == "memorized":
                probe = binary_probe(x_train, target[train], x_test, target[~train], folds)
                chance = binary_probe(x_train, control[train], x_test, control[~train], folds)
                row.update(
                    train_positives=int(target[train].sum()),
                    metric="test_roc_auc",
                    value=probe["test_auc"],
                    control_value=chance["test_auc"],
                )
            else:
                probe = multinomial_probe(x_train, target[train], x_test, target[~train], folds, classes)
                chance = multinomial_probe(x_train, control[train], x_test, control[~train], folds, classes)
                row.update(
                    majority_share=float(np.bincount(target[~train], minlength=classes).max() / (~train).sum()),
                    metric="test_accuracy",
                    value=probe["test_accuracy"],
                    control_value=chance["test_accuracy"],
                )
                if best is None or probe["test_accuracy"] > best[0]:
                    best = (probe["test_accuracy"], int(layer), REPRESENTATIONS[column], probe["confusion"])
            row.update(selectivity=row["value"] - row["control_value"], penalty=probe["lambda"], control_penalty=chance["lambda"])
            tables["probes"].append(row)
    if best is not None:
        _, layer, representation, confusion = best
        for i, true in enumerate(CATEGORIES):
            for k, predicted in enumerate(CATEGORIES):
                tables["probe_confusion"].append(
                    {
                        "split": label,
                        "layer": layer,
                        "representation": representation,
                        "true": true,
                        "predicted": predicted,
                        "rows": int(confusion[i, k]),
                    }
                )
    return None


def _class_names(task: str) -> list[str]:
    return ["not memorized", "memorized"] if task == "memorized" else list(CATEGORIES)
