"""A split is written atomically: Parquet in a temporary directory, its row count checked, a marker listing its files,
then one rename; a later run trusts it only while its files are exactly those the marker lists."""

import pyarrow.parquet as pq
import pytest

from utils.core.errors import OutputError
from utils.data.splits import Split
from utils.data.storage import COMPLETE_MARKER, Storage
from utils.data.writer import TEMPORARY, completed_rows, data_files, split_path, value_counts, write_split

SPLIT = Split("memories", "duped", "70m")


@pytest.fixture(scope="module")
def storage(spark):
    return Storage(spark)


def frame_of(spark, rows):
    return spark.createDataFrame(rows, "sequence_id long, taxonomy string").repartition(2)


def test_a_written_split_is_complete_with_its_tallies_and_no_temporary_directory(spark, storage, tmp_path):
    run_dir = str(tmp_path / "run")
    rows = [(1, "recitation"), (2, None), (3, "recitation"), (4, "recollection")]
    written, tallies = write_split(spark, storage, frame_of(spark, rows), run_dir, SPLIT, 4, ["taxonomy"])
    assert written == 4 and tallies == {"taxonomy": {"recitation": 2, None: 1, "recollection": 1}}
    directory = tmp_path / "run" / "memories" / "duped.70m"
    assert split_path(run_dir, SPLIT) == str(directory)
    assert sorted(pq.read_table(directory).column("sequence_id").to_pylist()) == [1, 2, 3, 4]
    marker = storage.read_json(str(directory / COMPLETE_MARKER))
    assert (marker["split"], marker["rows"], marker["columns"]) == ("memories/duped.70m", 4, ["sequence_id", "taxonomy"])
    assert marker["files"] == data_files(storage, str(directory)) and all(name.startswith("part-") for name in marker["files"])
    assert completed_rows(storage, run_dir, SPLIT) == 4
    assert storage.list_files(str(tmp_path / "run" / TEMPORARY / "memories")) == {}


def test_a_row_count_that_differs_from_the_input_commits_nothing(spark, storage, tmp_path):
    run_dir = str(tmp_path / "run")
    with pytest.raises(OutputError, match="Split memories/duped.70m: wrote 2 rows but the input has 3; the split was not committed"):
        write_split(spark, storage, frame_of(spark, [(1, "a"), (2, "b")]), run_dir, SPLIT, 3, [])
    assert not storage.exists(split_path(run_dir, SPLIT)) and completed_rows(storage, run_dir, SPLIT) is None
    assert storage.list_files(str(tmp_path / "run" / TEMPORARY / "memories")) == {}


def test_a_split_is_trusted_only_while_its_files_match_its_marker(spark, storage, tmp_path):
    run_dir = str(tmp_path / "run")
    write_split(spark, storage, frame_of(spark, [(1, "a"), (2, "b")]), run_dir, SPLIT, 2, [])
    directory = tmp_path / "run" / "memories" / "duped.70m"
    part = next(directory.glob("part-*.parquet"))
    part.write_bytes(part.read_bytes() + b"x")  # a size the marker does not list
    assert completed_rows(storage, run_dir, SPLIT) is None
    part.unlink()  # a file missing
    assert completed_rows(storage, run_dir, SPLIT) is None
    storage.write_text(str(directory / COMPLETE_MARKER), "{not json")
    assert completed_rows(storage, run_dir, SPLIT) is None
    assert completed_rows(storage, run_dir, Split("pile", "duped", "70m")) is None  # never written


def test_a_rewrite_replaces_the_split(spark, storage, tmp_path):
    run_dir = str(tmp_path / "run")
    write_split(spark, storage, frame_of(spark, [(1, "a")]), run_dir, SPLIT, 1, [])
    write_split(spark, storage, frame_of(spark, [(5, "b"), (6, "b")]), run_dir, SPLIT, 2, [])
    assert sorted(pq.read_table(split_path(run_dir, SPLIT)).column("sequence_id").to_pylist()) == [5, 6]
    assert completed_rows(storage, run_dir, SPLIT) == 2


def test_value_counts_of_several_columns_from_one_grouped_read(spark, tmp_path):
    path = str(tmp_path / "t")
    spark.createDataFrame([(1, "x"), (1, "y"), (2, "x"), (None, "x")], "a int, b string").write.parquet(path)
    counts, total = value_counts(spark, path, ["a", "b"])
    assert total == 4 and counts == {"a": {1: 2, 2: 1, None: 1}, "b": {"x": 3, "y": 1}}
    assert value_counts(spark, path, []) == ({}, 4)
