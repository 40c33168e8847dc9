"""Input splits: the run's splits from datasets x schemes x models, each input's columns checked from its Parquet
footer before any Spark job (id, tokens, score, their types), and the normalized frame Spark reads."""

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from utils.core.errors import ConfigError, DataSourceError
from utils.data.sources import locate_input, locate_path, read_split, resolve_splits
from utils.data.splits import Split
from utils.pipeline.config import build_config


def labels(config):
    return [split.label for split in resolve_splits(config)]


def test_splits_in_a_stable_order_from_datasets_schemes_and_models():
    config = build_config({"data": {"datasets": ["pile", "memories"], "schemes": ["duped", "deduped"], "models": ["70m", "1b"]}})
    assert labels(config) == [
        *("pile/duped.70m", "pile/duped.1b", "pile/deduped.70m", "pile/deduped.1b"),
        *("memories/duped.70m", "memories/duped.1b", "memories/deduped.70m", "memories/deduped.1b"),
    ]
    named = build_config({"data": {"splits": ["duped.12b.23000", "deduped.70m"], "schemes": ["duped"], "models": ["70m"]}})
    assert labels(named) == ["memories/duped.12b.23000", "memories/deduped.70m"]  # names replace schemes x models


def test_local_inputs_are_named_by_their_file_unless_named_and_a_name_twice_is_an_error():
    config = build_config(
        {"data": {"datasets": ["local"], "local_inputs": ["/data/rows.v2.parquet", "/data/dir/", {"path": "x.jsonl", "name": "mine"}]}}
    )
    assert labels(config) == ["local/rows", "local/dir", "local/mine"]
    with pytest.raises(ConfigError, match="Split\\(s\\) local/rows listed twice; give local inputs distinct names"):
        resolve_splits(build_config({"data": {"datasets": ["local"], "local_inputs": ["/a/rows.parquet", "/b/rows.jsonl"]}}))
    item = {"path": "r.parquet", "scheme": "deduped", "model": "70m"}
    typed = resolve_splits(build_config({"data": {"datasets": ["local"], "local_inputs": [item]}}))
    assert typed == [Split("local", "deduped", "70m", local_name="r")]


def write(path, **columns):
    pq.write_table(pa.table(columns), path)
    return str(path)


TOKENS = pa.array([[1, 2], [3]], pa.list_(pa.int32()))


def test_a_local_parquet_keeps_its_own_columns_and_finds_index_and_an_optional_score(tmp_path):
    path = write(tmp_path / "rows.parquet", index=pa.array([0, 1], pa.int64()), Tokens=TOKENS, label=["a", "b"])
    source = locate_path(path, "rows")
    assert (source.format, source.id_column, source.tokens_column, source.score_column) == ("parquet", "index", "Tokens", None)
    assert source.extra_columns == ("label",) and source.split == Split("local", "", "", local_name="rows")
    scored = locate_path(write(tmp_path / "s.parquet", sequence_id=[5, 6], tokens=TOKENS, memorization_score=[1.0, 0.5]), "s")
    assert scored.score_column == "memorization_score" and scored.extra_columns == ()


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"id": [1, 2], "tokens": TOKENS}, r"has no sequence_id \(or index\) column \(its columns: id, tokens\)"),
        ({"sequence_id": [1, 2], "ids": TOKENS}, "has no tokens column"),
        ({"sequence_id": [1, 2], "tokens": ["a b", "c"]}, "column 'tokens' in .* is string; it must be a list of integer token ids"),
        ({"sequence_id": [1, 2], "tokens": pa.array([["a"], ["b"]])}, r"is list<\w+: string>"),
        ({"sequence_id": ["1", "2"], "tokens": TOKENS}, "column 'sequence_id' in .* is string; it must be an integer"),
    ],
)
def test_a_column_the_pipeline_needs_missing_or_of_the_wrong_type_is_one_error(tmp_path, columns, message):
    path = write(tmp_path / "bad.parquet", **columns)
    with pytest.raises(DataSourceError, match=f"Split local/bad: .*{message}"):
        locate_path(path, "bad")


def test_float_token_lists_are_accepted_and_json_lines_and_remote_paths_are_left_to_spark(tmp_path):
    assert locate_path(write(tmp_path / "f.parquet", sequence_id=[1], tokens=pa.array([[1.0]])), "f").tokens_column == "tokens"
    (tmp_path / "rows.jsonl").write_text("")
    assert locate_path(str(tmp_path / "rows.jsonl"), "j").format == "json"
    remote = locate_path("s3a://bucket/rows.parquet", "r")
    assert (remote.location, remote.format, remote.extra_columns) == ("s3a://bucket/rows.parquet", "parquet", None)
    assert locate_path("hdfs://nn/rows.jsonl", "r").extra_columns == ()


def test_a_missing_file_a_bad_format_and_a_file_that_is_not_parquet(tmp_path):
    with pytest.raises(DataSourceError, match="Local input .*nothing.parquet does not exist"):
        locate_path(str(tmp_path / "nothing.parquet"), "x")
    config = build_config({"data": {"datasets": ["local"], "local_inputs": [{"path": str(tmp_path), "format": "csv"}]}})
    with pytest.raises(ConfigError, match="format must be parquet or json, got 'csv'"):
        locate_input(config, resolve_splits(config)[0])
    (tmp_path / "text.parquet").write_text("hello")
    with pytest.raises(DataSourceError, match="Split local/text: .*text.parquet is not readable Parquet"):
        locate_path(str(tmp_path / "text.parquet"), "text")


def test_a_pile_split_needs_its_models_score_column(tmp_path):
    mirror = tmp_path / "mirror"
    split_dir = mirror / "EleutherAI/pile-duped-pythia-random-sampled" / "train"
    split_dir.mkdir(parents=True)
    write(split_dir / "part-0.parquet", index=[0], tokens=TOKENS.slice(0, 1), **{"70M": [1.0]})
    config = build_config({"hub": {"local_mirror": str(mirror)}, "run": {"cache_dir": str(tmp_path / "cache")}})
    source = locate_input(config, Split("pile", "duped", "70m"))
    assert (source.score_column, source.default_score) == ("70M", None)
    with pytest.raises(DataSourceError, match="Split pile/duped.160m: .* has no memorization-score column '160M'"):
        locate_input(config, Split("pile", "duped", "160m"))


def test_read_split_normalizes_columns_and_types(spark, tmp_path):
    path = write(tmp_path / "rows.parquet", index=pa.array([7, 8], pa.int32()), tokens=TOKENS, label=["x", "y"])
    source = locate_path(path, "rows")
    frame = read_split(spark, source)
    identity = ["dataset", "split", "scheme", "model", "checkpoint"]
    assert frame.columns == ["sequence_id", "tokens", "memorization_score", *identity, "invalid_reason", "label"]
    rows = [row.asDict() for row in frame.orderBy("sequence_id").collect()]
    assert rows[0] == {
        "sequence_id": 7,
        "tokens": [1, 2],
        "memorization_score": None,
        "dataset": "local",
        "split": "rows",
        "scheme": None,
        "model": None,
        "checkpoint": None,
        "invalid_reason": None,
        "label": "x",
    }
    assert dict(frame.dtypes)["sequence_id"] == "bigint" and dict(frame.dtypes)["memorization_score"] == "double"


def test_read_split_of_json_lines_takes_index_when_sequence_id_is_missing(spark, tmp_path):
    lines = [{"sequence_id": 1, "tokens": [1, 2], "memorization_score": 1}, {"index": 2, "tokens": [3]}]
    (tmp_path / "rows.jsonl").write_text("\n".join(json.dumps(line) for line in lines))
    frame = read_split(spark, locate_path(str(tmp_path / "rows.jsonl"), "rows"))
    rows = sorted((r.sequence_id, r.tokens, r.memorization_score) for r in frame.collect())
    assert rows == [(1, [1.0, 2.0], 1.0), (2, [3.0], None)]


def test_files_of_one_input_with_different_integer_widths_are_read_as_the_widest(spark, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    write(folder / "a.parquet", sequence_id=pa.array([1], pa.int32()), tokens=pa.array([[1, 2]], pa.list_(pa.int32())), tag=["a"])
    write(folder / "b.parquet", sequence_id=pa.array([2], pa.int64()), tokens=pa.array([[3, 2**40]], pa.list_(pa.int64())))
    write(folder / "c.parquet", sequence_id=pa.array([3], pa.uint16()), tokens=pa.array([[5]], pa.large_list(pa.uint8())), tag=["c"])
    source = locate_path(str(folder), "mixed")
    assert source.read_schema.field("tokens").type == pa.list_(pa.int64()) and source.extra_columns == ("tag",)
    rows = sorted((r.sequence_id, r.tokens, r.tag) for r in read_split(spark, source).collect())
    assert rows == [(1, [1, 2], "a"), (2, [3, 2**40], None), (3, [5], "c")]  # a column a file lacks is null there


def test_a_file_no_common_type_reads_or_lacking_a_column_is_named(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    write(folder / "a.parquet", sequence_id=[1], tokens=pa.array([[1]], pa.list_(pa.int64())))
    write(folder / "b.parquet", sequence_id=[2], tokens=pa.array([[1.0]], pa.list_(pa.float64())))
    with pytest.raises(
        DataSourceError, match=r"Split local/bad: column 'tokens' is list<.*int64> in .*a.parquet but list<.*double> in .*b.parquet"
    ):
        locate_path(str(folder), "bad")
    write(folder / "b.parquet", sequence_id=[2], ids=pa.array([[1]], pa.list_(pa.int64())))
    with pytest.raises(DataSourceError, match=r"Split local/bad: .*b.parquet has no tokens column \(its columns: sequence_id, ids\)"):
        locate_path(str(folder), "bad")
    write(folder / "b.parquet", sequence_id=[2], tokens=pa.array([1], pa.int64()))
    with pytest.raises(DataSourceError, match=r"column 'tokens' in .*b.parquet is int64; it must be a list of integer token ids"):
        locate_path(str(folder), "bad")


def test_score_strings_that_are_numbers_are_read_and_others_become_nan(spark, tmp_path):
    path = write(
        tmp_path / "s.parquet", sequence_id=[1, 2, 3, 4], tokens=pa.array([[1]] * 4), memorization_score=["0.25", " 1 ", "high", None]
    )
    scores = dict((r.sequence_id, r.memorization_score) for r in read_split(spark, locate_path(path, "s")).collect())
    assert scores[1] == 0.25 and scores[2] == 1.0 and scores[3] != scores[3] and scores[4] is None  # NaN: flagged by the pass
