"""JSON Lines inputs: every row keeps its file and 1-based line, also when Spark splits a file into blocks, and a line
that is not a JSON object is flagged, not read as a row of nulls."""

import gzip
import json
from pathlib import Path

from utils.data.json_lines import is_json_lines
from utils.data.sources import locate_path, read_split


def test_files_and_directories_of_json_lines_are_told_from_parquet(tmp_path):
    (tmp_path / "a.jsonl").write_text("")
    (tmp_path / "b.json.gz").write_bytes(b"")
    (tmp_path / "_SUCCESS").write_text("")
    assert is_json_lines(tmp_path / "a.jsonl", remote=False) and is_json_lines(tmp_path, remote=False)
    assert is_json_lines(Path("s3a://bucket/rows.jsonl"), remote=True) and not is_json_lines(Path("s3a://bucket/rows"), remote=True)
    (tmp_path / "c.parquet").write_bytes(b"")
    assert not is_json_lines(tmp_path, remote=False)


def test_json_lines_keep_their_file_and_line_and_a_line_that_is_not_an_object_is_flagged(spark, tmp_path):
    lines = [json.dumps({"sequence_id": i, "tokens": [i], "memorization_score": str(i % 2)}) for i in range(1, 3001)]
    lines[99] = lines[99][:20]  # line 100: cut short
    lines[1999] = "[1, 2]"  # line 2000: JSON but not an object
    lines[2499] = ""  # line 2500: blank, not a row
    folder = tmp_path / "lines"
    folder.mkdir()
    (folder / "a.jsonl").write_text("\n".join(lines) + "\n")
    with gzip.open(folder / "b.jsonl.gz", "wt") as handle:
        handle.write(
            '{"index": "7", "tokens": [1, 2]}\nnot json\n{"sequence_id": 8.0, "tokens": [1]}\n{"sequence_id": 8.5, "tokens": [1]}\n'
        )
    spark.conf.set("spark.sql.files.maxPartitionBytes", "16k")  # a.jsonl is read as several blocks by several tasks
    try:
        rows = read_split(spark, locate_path(str(folder), "lines")).select("sequence_id", "invalid_reason", "source_file", "source_line")
        found = {(Path(r.source_file).name, r.source_line): (r.sequence_id, r.invalid_reason) for r in rows.collect()}
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    assert len(found) == 3003  # 2999 lines of a.jsonl, 4 of b.jsonl.gz; each line once
    assert all(found[("a.jsonl", line)] == (line, None) for line in range(1, 3001) if line not in (100, 2000, 2500))
    assert found[("a.jsonl", 100)] == found[("a.jsonl", 2000)] == (None, "unparseable_json_line")
    assert found[("b.jsonl.gz", 1)] == (7, None) and found[("b.jsonl.gz", 2)] == (None, "unparseable_json_line")
    assert found[("b.jsonl.gz", 3)] == (8, None) and found[("b.jsonl.gz", 4)] == (None, None)  # 8.5 is no id: flagged by the pass
