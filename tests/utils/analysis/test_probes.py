"""Probes on a planted run: a Pile split whose memorized rows differ along one direction of one layer's states, and a
memorized-evals split whose taxonomy categories do; the probes find them there and not in the layer without signal,
and the shuffled-label controls stay at chance."""

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from metrics.taxonomy import CATEGORIES
from utils.analysis.probes import probe_tables

COLUMNS = ["sequence_id", "memorization_score", "taxonomy", "hidden_layers", "hidden_prompt_last", "hidden_continuation_mean"]


def states(values: np.ndarray) -> pa.Array:
    """(rows, layers, dim) -> list<list<float32>>."""
    rows, layers, dim = values.shape
    inner = pa.ListArray.from_arrays(
        pa.array(np.arange(0, rows * layers * dim + 1, dim), pa.int32()), pa.array(values.ravel(), pa.float32())
    )
    return pa.ListArray.from_arrays(pa.array(np.arange(0, rows * layers + 1, layers), pa.int32()), inner)


def write_split(path, ids, target, prompt_last, continuation_mean, target_column):
    path.mkdir(parents=True)
    table = {"sequence_id": pa.array(ids, pa.int64()), target_column: target}
    table |= {"hidden_layers": pa.array([[1, 2]] * len(ids), pa.list_(pa.int32()))}
    table |= {"hidden_prompt_last": states(prompt_last), "hidden_continuation_mean": states(continuation_mean)}
    pq.write_table(pa.table(table), path / "part-0.parquet")


def test_planted_directions_are_found_in_their_layer_and_the_controls_stay_at_chance(spark, tmp_path):
    rng = np.random.default_rng(5)
    rows, dim = 4000, 16
    direction = rng.standard_normal(dim)
    memorized = rng.random(rows) < 0.3
    prompt_last = rng.standard_normal((rows, 2, dim)).astype(np.float32)
    prompt_last[:, 1] += np.outer(np.where(memorized, 1.5, -1.5), direction / np.linalg.norm(direction))  # layer 2 only
    continuation_mean = rng.standard_normal((rows, 2, dim)).astype(np.float32)  # no signal
    scores = np.where(memorized, 1.0, rng.integers(0, 32, rows) / 32)
    write_split(tmp_path / "pile" / "duped.70m", np.arange(rows), scores, prompt_last, continuation_mean, "memorization_score")

    codes = rng.integers(0, 3, rows)
    taxonomy_states = rng.standard_normal((rows, 2, dim)).astype(np.float32)
    taxonomy_states[:, 0, :3] += 2.0 * np.eye(3)[codes]  # layer 1: one axis per category
    names = pa.array([CATEGORIES[c] for c in codes])
    write_split(tmp_path / "memories" / "duped.70m", np.arange(rows), names, taxonomy_states, taxonomy_states, "taxonomy")

    tables, summary = probe_tables(spark, str(tmp_path), ["pile/duped.70m", "memories/duped.70m"], COLUMNS, seed=1, max_rows=2000)
    probes = {(r["split"], r["layer"], r["representation"]): r for r in tables["probes"]}
    signal = probes[("pile/duped.70m", 2, "prompt_last")]
    assert signal["metric"] == "test_roc_auc" and signal["value"] > 0.95 and abs(signal["control_value"] - 0.5) < 0.1
    assert abs(probes[("pile/duped.70m", 1, "prompt_last")]["value"] - 0.5) < 0.1  # the layer without the direction
    assert abs(probes[("pile/duped.70m", 2, "continuation_mean")]["value"] - 0.5) < 0.1
    assert signal["train_rows"] + signal["test_rows"] == 2000 + int(min(memorized.sum(), 2000))  # 2000 per class at most
    category = probes[("memories/duped.70m", 1, "prompt_last")]
    assert (
        category["metric"] == "test_accuracy" and category["value"] > 0.8 and category["control_value"] < category["majority_share"] + 0.06
    )
    confusion = [r for r in tables["probe_confusion"] if r["split"] == "memories/duped.70m"]
    assert {r["layer"] for r in confusion} == {1} and len(confusion) == 9
    assert sum(r["rows"] for r in confusion) == category["test_rows"]
    assert summary["splits"] == ["pile/duped.70m", "memories/duped.70m"] and summary["not_probed"] == {}


def test_a_run_without_hidden_states_or_with_too_few_rows_says_so(spark, tmp_path):
    assert probe_tables(spark, str(tmp_path), ["pile/duped.70m"], ["sequence_id", "memorization_score"], seed=1) == (
        {},
        {"note": "no hidden states in the run (filter hidden_states)"},
    )
    rng = np.random.default_rng(6)
    values = rng.standard_normal((50, 2, 4)).astype(np.float32)
    write_split(tmp_path / "pile" / "duped.70m", np.arange(50), np.r_[np.ones(5), np.zeros(45)], values, values, "memorization_score")
    tables, summary = probe_tables(spark, str(tmp_path), ["pile/duped.70m"], COLUMNS, seed=1)
    assert tables == {} and "too few rows" in summary["not_probed"]["pile/duped.70m"]
