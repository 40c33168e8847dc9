"""Every Parquet file's footer of one input -> the one read type per column that Spark reads them all with.

Files of one input may come from different writers and store a column with different widths (`tokens` as
`list<int32>` here, `list<int64>` there). Spark reads a file whose type is narrower than the requested one (type
widening) but fails mid-job on a wider one, so the read type is the widest any file needs, chosen here from the
footers alone; a file that no read type fits is one error naming it, before any Spark work.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.parquet as pq

from utils.core.errors import DataSourceError

_SMALL_INTEGERS = (pa.int8(), pa.int16(), pa.int32(), pa.uint8(), pa.uint16(), pa.uint32())
# Read type -> the stored types Spark's Parquet reader widens to it (checked in tests/utils/data/test_parquet_schema.py).
# decimal(20, 0) is the only type that holds uint64; its values are cast to double after reading (exact below 2^53, and
# any larger id is out of every vocabulary anyway).
READS_INTEGERS = {
    pa.int64(): (*_SMALL_INTEGERS, pa.int64()),
    pa.decimal128(20, 0): (pa.int8(), pa.int16(), pa.int32(), pa.int64(), pa.uint64()),
}
READS_NUMBERS = {
    **READS_INTEGERS,
    pa.float64(): (*_SMALL_INTEGERS, pa.float32(), pa.float64()),
}
READS_SCORES = {**READS_NUMBERS, pa.string(): (pa.string(), pa.large_string())}


@dataclass(frozen=True)
class StoredColumn:
    """One column's stored type in each file that has it."""

    name: str
    types: dict[str, pa.DataType]  # file -> stored type (element type for list columns)
    shown: dict[str, pa.DataType] | None = None  # file -> the whole stored type, for messages

    def describe(self, path: str) -> str:
        return str((self.shown or self.types)[path])


def file_schemas(label: str, location: str, files: list[str]) -> dict[str, pa.Schema]:
    """Each file's schema, from its footer; an unreadable file is an error naming it."""
    schemas = {}
    for path in files:
        try:
            schemas[path] = pq.read_schema(path)
        except (pa.ArrowInvalid, OSError) as error:
            raise DataSourceError(f"Split {label}: {path} in {location} is not readable Parquet ({error}).") from None
    if not schemas:
        raise DataSourceError(f"Split {label}: {location} holds no Parquet file.")
    return schemas


def read_type(label: str, column: StoredColumn, reads: dict[pa.DataType, tuple[pa.DataType, ...]], meaning: str) -> pa.DataType:
    """The first read type (in `reads` order) that every file's stored type widens to; else an error naming a file."""
    stored = set(column.types.values())
    for target, sources in reads.items():
        if stored <= set(sources):
            return target
    readable = {t for sources in reads.values() for t in sources}
    odd = next((path for path, t in column.types.items() if t not in readable), None)
    if odd is not None:
        raise DataSourceError(f"Split {label}: column {column.name!r} in {odd} is {column.describe(odd)}; it must be {meaning}.")
    first, second = _conflicting_pair(column, reads)
    raise DataSourceError(
        f"Split {label}: column {column.name!r} is {column.describe(first)} in {first} but {column.describe(second)} in {second}; "
        "no one type reads both. Write the files with one type (e.g. int64 token ids)."
    )


def consistent_type(label: str, column: StoredColumn) -> pa.DataType:
    """A pass-through column's type, which must be the same in every file that has it."""
    types = list(dict.fromkeys(column.types.values()))
    if len(types) > 1:
        first = next(p for p, t in column.types.items() if t == types[0])
        second = next(p for p, t in column.types.items() if t == types[1])
        raise DataSourceError(
            f"Split {label}: column {column.name!r} is {types[0]} in {first} but {types[1]} in {second}; "
            "give it one type in every file, or drop it."
        )
    return _signed(types[0])


def _signed(arrow_type: pa.DataType) -> pa.DataType:
    """The type Spark reads an unsigned integer column as (the next wider signed one)."""
    wider = {pa.uint8(): pa.int16(), pa.uint16(): pa.int32(), pa.uint32(): pa.int64(), pa.uint64(): pa.decimal128(20, 0)}
    return wider.get(arrow_type, arrow_type)


def _conflicting_pair(column: StoredColumn, reads: dict[pa.DataType, tuple[pa.DataType, ...]]) -> tuple[str, str]:
    """Two files whose stored types no single read type covers."""
    paths = list(column.types)
    for i, first in enumerate(paths):
        for second in paths[i + 1 :]:
            pair = {column.types[first], column.types[second]}
            if not any(pair <= set(sources) for sources in reads.values()):
                return first, second
    return paths[0], paths[-1]
