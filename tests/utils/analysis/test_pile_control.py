"""The Pile control sample across sizes on Spark against numpy and Python sets on the same scores."""

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from utils.analysis.pile_control import pile_control_tables, pile_splits


def pile_run(tmp_path):
    """The same 500 rows scored by three sizes (k/32 scores, larger sizes memorizing more), one null score and three bad
    ones (NaN, outside [0, 1]: the run flags them; the analysis leaves them out)."""
    rng = np.random.default_rng(11)
    scores = {}
    for size, memorized in (("70m", 0.02), ("160m", 0.05), ("1b", 0.1)):
        values = rng.integers(0, 32, 500) / 32 * (rng.random(500) < 0.3)
        values[rng.random(500) < memorized] = 1.0
        scores[size] = values
        path = tmp_path / "pile" / f"duped.{size}"
        path.mkdir(parents=True)
        column = pa.array([*values.tolist(), None, float("nan"), 2.0, -1.0], pa.float64())
        pq.write_table(pa.table({"sequence_id": pa.array(range(504), pa.int64()), "memorization_score": column}), path / "part-0.parquet")
    return scores


def test_shares_skew_histogram_and_agreement_equal_numpy_and_sets(spark, tmp_path):
    scores = pile_run(tmp_path)
    labels = ["pile/duped.1b", "pile/duped.70m", "pile/duped.160m", "memories/duped.70m"]
    tables, summary = pile_control_tables(spark, str(tmp_path), labels)
    assert summary["schemes"] == {"duped": ["pile/duped.70m", "pile/duped.160m", "pile/duped.1b"]}
    by_size = {row["model"]: row for row in tables["pile_memorization"]}
    for size, values in scores.items():
        row = by_size[size]
        assert row["rows"] == 500 and row["rows_without_score"] == 1
        assert row["share_memorized"] == pytest.approx((values == 1).mean()) and row["mean"] == pytest.approx(values.mean())
        assert row["quantile_0.99"] == pytest.approx(np.quantile(values, 0.99))
        assert row["top_10pct_share"] == pytest.approx(np.sort(values)[::-1][:50].sum() / values.sum())
        histogram = {r["score"]: r["rows"] for r in tables["pile_score_histogram"] if r["model"] == size}
        assert histogram == dict(zip(*[a.tolist() for a in np.unique(values, return_counts=True)]))
    memorized = {size: set(np.flatnonzero(values == 1)) for size, values in scores.items()}
    pairs = {(row["predictor"], row["target"]): row for row in tables["pile_agreement"]}
    assert set(pairs) == {("pile/duped.70m", "pile/duped.160m"), ("pile/duped.70m", "pile/duped.1b"), ("pile/duped.160m", "pile/duped.1b")}
    for (a, b), row in pairs.items():
        small, large = memorized[a.split(".")[-1]], memorized[b.split(".")[-1]]
        assert row["both"] == len(small & large) and row["recall"] == pytest.approx(len(small & large) / len(large))
        assert row["precision"] == pytest.approx(len(small & large) / len(small))


def test_only_pile_splits_of_known_sizes_count():
    assert pile_splits(["pile/deduped.12b", "pile/deduped.70m", "local/x", "pile/odd"]) == {
        "deduped": [("pile/deduped.70m", "70m"), ("pile/deduped.12b", "12b")]
    }
