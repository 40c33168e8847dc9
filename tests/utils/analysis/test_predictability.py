"""Predictability across splits on Spark against plain Python set arithmetic, on splits with planted overlaps,
repeated ids inside a split and rows without an id."""

import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from metrics.predictability import training_compute
from utils.analysis.predictability import predictability_tables, scale_splits

SPLITS = ["memories/duped.70m", "memories/duped.1b", "memories/duped.12b.23000", "memories/duped.12b", "memories/deduped.70m"]


def planted_run(tmp_path):
    """Each split: ids drawn from overlapping ranges (known intersections), a category per id and split, three repeated
    rows and one row without an id."""
    rng = random.Random(7)
    universe = list(range(400))
    members = {
        "memories/duped.70m": set(rng.sample(universe[:200], 60)),
        "memories/duped.1b": set(rng.sample(universe[:300], 150)),
        "memories/duped.12b.23000": set(rng.sample(universe[100:], 120)),
        "memories/duped.12b": set(rng.sample(universe, 250)),
        "memories/deduped.70m": set(rng.sample(universe, 90)),
    }
    categories = {}
    for label, ids in members.items():
        categories[label] = {i: rng.choice(["recitation", "reconstruction", "recollection", None]) for i in ids}
        ordered = sorted(ids)
        rows = ordered + ordered[:3] + [None]
        table = pa.table(
            {
                "sequence_id": pa.array(rows, pa.int64()),
                "taxonomy": pa.array([categories[label].get(i) if i is not None else None for i in rows], pa.string()),
            }
        )
        (tmp_path / label).mkdir(parents=True)
        pq.write_table(table, tmp_path / label / "part-0.parquet")
    return members, categories


def test_pairs_and_categories_equal_set_arithmetic(spark, tmp_path):
    members, categories = planted_run(tmp_path)
    tables, summary = predictability_tables(spark, str(tmp_path), [*SPLITS, "pile/duped.70m"])
    assert summary["compared"] == {"duped": ["memories/duped.70m", "memories/duped.1b", "memories/duped.12b.23000", "memories/duped.12b"]}
    assert summary["single_split_schemes"] == ["deduped"]
    splits = {row["split"]: row for row in tables["memorized_splits"]}
    assert splits["memories/duped.1b"]["repeated_id_rows"] == 3 and splits["memories/duped.1b"]["rows_without_id"] == 1
    assert splits["memories/duped.1b"]["distinct_ids"] == 150 and splits["memories/duped.1b"]["rows"] == 154
    pairs = {(row["predictor"], row["target"]): row for row in tables["predictability"]}
    assert len(pairs) == 6  # ordered by compute: 70m < 1b < 12b@23000 < 12b
    for (a, b), row in pairs.items():
        both = members[a] & members[b]
        assert row["both"] == len(both) and row["predictor_ids"] == len(members[a]) and row["target_ids"] == len(members[b])
        assert row["precision"] == pytest.approx(len(both) / len(members[a]))
        assert row["recall"] == pytest.approx(len(both) / len(members[b]))
        assert row["jaccard"] == pytest.approx(len(both) / len(members[a] | members[b]))
        assert row["predictor_compute"] == training_compute(
            *{"memories/duped.70m": ("70m", 143000), "memories/duped.1b": ("1b", 143000), "memories/duped.12b.23000": ("12b", 23000)}[a]
        )
    for row in tables["predictability_by_category"]:
        wanted = row["target_category"] if row["target_category"] != "null" else None
        in_category = {i for i, c in categories[row["target"]].items() if c == wanted}
        both = members[row["predictor"]] & in_category
        assert row["target_ids"] == len(in_category) and row["both"] == len(both)
        assert row["recall"] == pytest.approx(len(both) / len(in_category))
        assert row["precision"] == pytest.approx(len(both) / len(members[row["predictor"]]))
    assert {row["target_category"] for row in tables["predictability_by_category"]} == {
        "recitation",
        "reconstruction",
        "recollection",
        "null",
    }


def test_one_split_per_scheme_is_reported_not_fatal(spark, tmp_path):
    planted_run(tmp_path)
    tables, summary = predictability_tables(spark, str(tmp_path), ["memories/duped.70m", "memories/deduped.70m"])
    assert tables == {} and "nothing to compare" in summary["note"]


def test_splits_are_ordered_by_training_compute():
    by_scheme, left_out = scale_splits(["memories/duped.12b", "memories/duped.12b.23000", "memories/duped.70m", "local/x"])
    assert [s.label for s in by_scheme["duped"]] == ["memories/duped.70m", "memories/duped.12b.23000", "memories/duped.12b"]
    assert left_out == []


def test_analyze_writes_the_tables_for_a_run_of_memorized_evals_splits_only(spark, tmp_path):
    import json

    import pandas as pd

    from utils.analysis.run import analyze
    from utils.data.storage import Storage

    members, _ = planted_run(tmp_path)
    (tmp_path / "_manifest.json").write_text(json.dumps({"splits": {label: {} for label in SPLITS}}))
    lines = []
    result = analyze(spark, Storage(spark), str(tmp_path), None, None, 1024, progress=lines.append)
    assert result["analyzed"] == [] and any("6 predictor/target pair(s) in duped" in line for line in lines)
    table = pd.read_csv(tmp_path / "_analysis" / "predictability.csv")
    row = table[(table["predictor"] == "memories/duped.70m") & (table["target"] == "memories/duped.12b")].iloc[0]
    assert row["both"] == len(members["memories/duped.70m"] & members["memories/duped.12b"])
    summary = json.loads((tmp_path / "_analysis" / "summary.json").read_text())
    assert summary["scale_and_time"]["single_split_schemes"] == ["deduped"]
    assert (tmp_path / "_analysis" / "predictability_by_category.parquet").is_file()


def test_taxonomy_shares_per_split_count_every_row(spark, tmp_path):
    members, categories = planted_run(tmp_path)
    tables, _ = predictability_tables(spark, str(tmp_path), SPLITS)
    label = "memories/duped.12b.23000"
    shares = {row["category"]: row for row in tables["taxonomy_shares"] if row["split"] == label}
    ordered = sorted(members[label])
    rows = [categories[label][i] for i in ordered + ordered[:3]] + [None]  # as planted_run wrote them
    for category, row in shares.items():
        wanted = None if category == "null" else category
        assert row["rows"] == sum(c == wanted for c in rows) and row["share"] == pytest.approx(row["rows"] / len(rows))
        assert row["step"] == 23000 and row["model"] == "12b"
    assert sum(row["rows"] for row in shares.values()) == len(rows)
