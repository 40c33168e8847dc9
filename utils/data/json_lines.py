"""JSON Lines inputs -> rows that keep their file and line, with lines that are not JSON objects flagged.

Spark's JSON reader gives no line numbers and turns a broken line into a row of nulls, indistinguishable from a row
whose fields are null; reading the lines as text and parsing them here keeps both facts (docs/BAD_INPUT.md).
"""

from __future__ import annotations

from pathlib import Path

from utils.core.schema import INVALID_REASON, UNPARSEABLE_JSON_LINE

JSON_LINE_COLUMNS = ("source_file", "source_line")  # where each row came from, kept in the output
JSON_SUFFIXES = (".jsonl", ".json", ".jsonl.gz", ".json.gz")
# Ids and scores are read as text and parsed, so that "12", 12 and 12.0 are the same id.
JSON_LINE_SCHEMA = "sequence_id string, index string, tokens array<double>, memorization_score string"
CORRUPT = "_corrupt_line"


def is_json_lines(path: Path, remote: bool) -> bool:
    """A file named like JSON Lines, or a local directory whose data files all are."""
    if str(path).endswith(JSON_SUFFIXES):
        return True
    if remote or not path.is_dir():
        return False
    files = [p.name for p in path.iterdir() if p.is_file() and not p.name.startswith(("_", "."))]
    return bool(files) and all(name.endswith(JSON_SUFFIXES) for name in files)


def json_lines(spark, location: str):
    """JSON Lines as rows with their file and line number (`source_file`, `source_line`, 1-based), and
    `invalid_reason` = unparseable_json_line where a line is not a JSON object. Blank lines are not rows.

    Spark gives no line numbers: each line's position in its file is its rank within the block of the file that a task
    reads (`_metadata.file_block_start`), plus the lines of the file's earlier blocks, counted in the same query.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    lines = spark.read.text(location).select(
        "value",
        F.col("_metadata.file_path").alias("source_file"),
        F.col("_metadata.file_block_start").alias("block"),
        F.monotonically_increasing_id().alias("position"),
    )
    blocks = lines.groupBy("source_file", "block").agg(F.min("position").alias("first"), F.count(F.lit(1)).alias("lines"))
    blocks = blocks.withColumn("before", F.sum("lines").over(Window.partitionBy("source_file").orderBy("block")) - F.col("lines"))
    numbered = lines.join(F.broadcast(blocks), ["source_file", "block"])
    numbered = numbered.where(F.trim("value") != "")
    parsed = F.from_json("value", f"{JSON_LINE_SCHEMA}, {CORRUPT} string", {"columnNameOfCorruptRecord": CORRUPT})
    # Only a line the parser rejected is parsed again (strictly), to tell a line that is no JSON object from an object
    # whose fields have other types (those are read as null and flagged by the pass like any null field).
    strict = F.expr("coalesce(startswith(schema_of_variant(try_parse_json(value)), 'OBJECT'), false)")
    is_object = F.when(parsed[CORRUPT].isNull(), F.lit(True)).otherwise(strict)
    text_id = F.coalesce(parsed["sequence_id"], parsed["index"])
    as_number = F.expr("try_cast(text_id as double)")  # 12.0 (a float writer's id) is id 12; 12.5 is no id
    whole = F.when((as_number == F.floor(as_number)) & (F.abs(as_number) < 2.0**63), as_number.cast("bigint"))
    return numbered.withColumn("text_id", text_id).select(
        F.coalesce(F.expr("try_cast(text_id as bigint)"), whole).alias("sequence_id"),
        parsed["tokens"].alias("tokens"),
        parsed["memorization_score"].alias("memorization_score"),
        F.when(~is_object, F.lit(UNPARSEABLE_JSON_LINE)).alias(INVALID_REASON),
        "source_file",
        (F.col("before") + F.col("position") - F.col("first") + 1).alias("source_line"),
    )
