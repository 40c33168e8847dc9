"""The read type of a column over many Parquet files: the table of what Spark widens is checked against Spark itself,
and files no type reads are one error naming them."""

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from utils.core.errors import DataSourceError
from utils.data.parquet_schema import READS_INTEGERS, READS_NUMBERS, READS_SCORES, StoredColumn, consistent_type, read_type


@pytest.mark.parametrize("target", list(READS_NUMBERS), ids=str)
def test_spark_reads_every_stored_type_the_table_lists_as_its_read_type(spark, tmp_path, target):
    from pyspark.sql.pandas.types import from_arrow_schema

    for stored in READS_NUMBERS[target]:
        path = tmp_path / f"{stored}.parquet"
        pq.write_table(pa.table({"id": pa.array([7], stored), "tokens": pa.array([[1, 2, 3]], pa.list_(stored))}), path)
        schema = from_arrow_schema(pa.schema([("id", target), ("tokens", pa.list_(target))]))
        row = spark.read.schema(schema).parquet(str(path)).first()
        assert (int(row["id"]), [int(t) for t in row["tokens"]]) == (7, [1, 2, 3]), stored


def column(**types):
    return StoredColumn("tokens", {f"/d/{name}.parquet": t for name, t in types.items()})


def test_the_narrowest_type_that_reads_every_file_is_chosen():
    assert read_type("local/x", column(a=pa.int32(), b=pa.int64(), c=pa.uint16()), READS_NUMBERS, "ids") == pa.int64()
    assert read_type("local/x", column(a=pa.float32(), b=pa.int32()), READS_NUMBERS, "ids") == pa.float64()
    assert read_type("local/x", column(a=pa.uint64(), b=pa.int64()), READS_NUMBERS, "ids") == pa.decimal128(20, 0)
    assert read_type("local/x", column(a=pa.string(), b=pa.large_string()), READS_SCORES, "a number") == pa.string()


def test_files_that_no_one_type_reads_are_an_error_naming_two_of_them():
    with pytest.raises(DataSourceError, match=r"Split local/x: column 'tokens' is int64 in /d/a.parquet but double in /d/b.parquet"):
        read_type("local/x", column(a=pa.int64(), b=pa.float64()), READS_NUMBERS, "ids")
    with pytest.raises(DataSourceError, match=r"column 'tokens' in /d/b.parquet is string; it must be integer ids"):
        read_type("local/x", column(a=pa.int64(), b=pa.string()), READS_INTEGERS, "integer ids")
    with pytest.raises(DataSourceError, match=r"in /d/a.parquet is halffloat"):
        read_type("local/x", column(a=pa.float16()), READS_NUMBERS, "ids")


def test_a_pass_through_column_keeps_one_type_and_unsigned_reads_as_the_next_signed():
    assert consistent_type("local/x", StoredColumn("label", {"a": pa.uint8(), "b": pa.uint8()})) == pa.int16()
    with pytest.raises(DataSourceError, match="column 'label' is string in a but int64 in b"):
        consistent_type("local/x", StoredColumn("label", {"a": pa.string(), "b": pa.int64()}))
