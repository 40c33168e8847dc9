"""The reference's precomputed tables as the statistics source: counts by sequence id, token frequencies summed over
the memorized and non-memorized tables, repeated keys used once or refused, the column names the tables have used,
and the checks (a split without a scheme, a negative token id, a missing column)."""

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from utils.core.errors import ConfigError, DataSourceError
from utils.corpus.lookups import DUPLICATES, TOKEN_COUNTS
from utils.corpus.precomputed import DUPLICATES_COUNT_COLUMNS, _pick, precomputed_statistics
from utils.corpus.statistics import StatisticsProvider
from utils.data.splits import Split
from utils.pipeline.config import build_config


def write_mirror_table(mirror, repo, split, table):
    directory = mirror / repo / split
    directory.mkdir(parents=True)
    pq.write_table(table, directory / "part-00000.parquet")


def test_precomputed_tables_with_repeated_keys(spark, tmp_path):
    mirror = tmp_path / "mirror"
    write_mirror_table(
        mirror, "usvsnsp/generation-num-duplicates", "duped", pa.table({"sequence_id": [1, 2, 2, 3], "counts": [5, 7, 7, 1]})
    )
    write_mirror_table(mirror, "usvsnsp/duped-num-frequencies", "memorized", pa.table({"TokenID": [0, 2], "Frequency": [10, 20]}))
    write_mirror_table(mirror, "usvsnsp/duped-num-frequencies", "non_memorized", pa.table({"TokenID": [0, 1, 1], "Frequency": [1, 4, 4]}))
    config = build_config({"statistics": {"source": "precomputed"}, "hub": {"local_mirror": str(mirror)}})
    frame = spark.createDataFrame([(1, [0, 1]), (2, [2]), (9, [1])], "sequence_id long, tokens array<int>")
    split = Split("memories", "duped", "70m")
    provider = StatisticsProvider(config, {DUPLICATES, TOKEN_COUNTS})
    provider.prepare(spark, [], {split: frame})
    resources = provider.statistics_of(split)
    batch = pa.RecordBatch.from_pandas(frame.toPandas(), preserve_index=False)
    assert resources.sequence_duplicates.for_batch(batch).to_pylist() == [5, 7, None]  # id 2 listed twice: used once
    assert resources.token_counts.get().tolist() == [11, 4, 20]
    assert provider.summary["duped"]["duplicates"]["repeated_keys"] == 1

    write_mirror_table(mirror, "usvsnsp/generation-num-duplicates", "deduped", pa.table({"sequence_id": [1, 1], "counts": [5, 6]}))
    conflicting = StatisticsProvider(config, {DUPLICATES})
    with pytest.raises(DataSourceError, match="lists 1 key\\(s\\) twice with different values \\(e.g. 1\\)"):
        conflicting.prepare(spark, [], {Split("memories", "deduped", "70m"): frame})


def precomputed_config(mirror):
    return build_config({"statistics": {"source": "precomputed"}, "hub": {"local_mirror": str(mirror)}})


def test_the_older_column_names_are_read_and_only_the_runs_ids_are_kept(spark, tmp_path):
    mirror = tmp_path / "mirror"
    write_mirror_table(
        mirror, "usvsnsp/generation-num-duplicates", "deduped", pa.table({"Index": [4, 5, 6, 7], "Counts": [40, 50, 60, 70]})
    )
    write_mirror_table(mirror, "usvsnsp/deduped-num-frequencies", "memorized", pa.table({"token_id": [3], "frequency": [2]}))
    write_mirror_table(mirror, "usvsnsp/deduped-num-frequencies", "non_memorized", pa.table({"token_id": [1], "frequency": [5]}))
    frame = spark.createDataFrame([(5, [1]), (7, [3]), (8, [3])], "sequence_id long, tokens array<int>")
    split = Split("pile", "deduped", "160m")
    statistics, summary = precomputed_statistics(spark, precomputed_config(mirror), {DUPLICATES, TOKEN_COUNTS}, {split: frame})["deduped"]
    assert summary["duplicates"]["matched_ids"] == 2  # ids 4 and 6 are not the run's
    batch = pa.RecordBatch.from_pydict({"sequence_id": pa.array([7, 8, 5], pa.int64())})
    assert statistics.sequence_duplicates.for_batch(batch).to_pylist() == [70, None, 50]
    assert statistics.token_counts.get().tolist() == [0, 5, 0, 2] and statistics.token_counts.size == summary["token_counts"]["size"] == 4


def test_a_split_without_a_scheme_has_no_table(spark, tmp_path):
    frame = spark.createDataFrame([(1, [1])], "sequence_id long, tokens array<int>")
    with pytest.raises(ConfigError, match="Split local/mine has no scheme, so no precomputed table applies"):
        precomputed_statistics(spark, precomputed_config(tmp_path), {DUPLICATES}, {Split("local", "", "", local_name="mine"): frame})


def test_a_negative_token_id_is_refused(spark, tmp_path):
    mirror = tmp_path / "mirror"
    write_mirror_table(mirror, "usvsnsp/duped-num-frequencies", "memorized", pa.table({"TokenID": [-1, 2], "Frequency": [1, 1]}))
    write_mirror_table(mirror, "usvsnsp/duped-num-frequencies", "non_memorized", pa.table({"TokenID": [0], "Frequency": [1]}))
    frame = spark.createDataFrame([(1, [1])], "sequence_id long, tokens array<int>")
    with pytest.raises(DataSourceError, match="split memorized .* has negative token id -1"):
        precomputed_statistics(spark, precomputed_config(mirror), {TOKEN_COUNTS}, {Split("memories", "duped", "70m"): frame})


def test_the_first_known_column_name_wins_and_none_is_one_error_listing_both_sides():
    assert _pick(["count", "Counts", "x"], DUPLICATES_COUNT_COLUMNS, "count", "t") == "Counts"
    with pytest.raises(DataSourceError, match=r"t has no count column \(one of counts, Counts, count\); its columns are a, b"):
        _pick(["a", "b"], DUPLICATES_COUNT_COLUMNS, "count", "t")
