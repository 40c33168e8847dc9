"""Input splits -> normalized Spark DataFrames (sequence_id, tokens, memorization_score, identity columns).

Everything that can be checked without a Spark job (split names, files, columns, types) is checked
here, before the first action.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as pads

from utils.core.errors import ConfigError, DataSourceError
from utils.core.schema import INVALID_REASON
from utils.data.hub import locate_split
from utils.data.json_lines import JSON_LINE_COLUMNS, is_json_lines, json_lines
from utils.data.parquet_schema import READS_INTEGERS, READS_NUMBERS, READS_SCORES, StoredColumn, consistent_type, file_schemas, read_type
from utils.data.settings import LocalInput
from utils.data.splits import FINAL_STEP, PILE_SCORE_COLUMN, Split, parse_split_name

INPUT_ID_COLUMNS = ("sequence_id", "index", "Index")
INPUT_TOKEN_COLUMNS = ("tokens", "Tokens")


@dataclass(frozen=True)
class SplitInput:
    split: Split
    location: str  # Parquet/JSON path Spark reads
    format: str  # parquet | json
    id_column: str
    tokens_column: str
    score_column: str | None  # None: constant `default_score`
    default_score: float | None
    # A local input's own columns beyond id, tokens and score (labels, a source tag), kept in the output after the
    # identity columns; None: not known before Spark reads the schema (remote paths), every such column is kept.
    extra_columns: tuple[str, ...] | None = ()
    # The Arrow types Spark reads the columns with, widest over every file (utils/data/parquet_schema.py); None: Spark
    # infers them (remote paths, JSON Lines).
    read_schema: pa.Schema | None = None


def resolve_splits(config) -> list[Split]:
    """The run's splits, in a stable order, from datasets x schemes x models (+ explicit split names)."""
    data = config.data
    splits: list[Split] = []
    for dataset in data.datasets:
        if dataset == "memories":
            names = list(data.splits) or [f"{scheme}.{model}" for scheme in data.schemes for model in data.models]
            splits.extend(parse_split_name("memories", name) for name in names)
        elif dataset == "pile":
            splits.extend(Split("pile", scheme, model) for scheme in data.schemes for model in data.models)
        elif dataset == "local":
            splits.extend(_local_split(item) for item in data.local_inputs)
    labels = [split.label for split in splits]
    duplicated = sorted({label for label in labels if labels.count(label) > 1})
    if duplicated:
        raise ConfigError(f"Split(s) {', '.join(duplicated)} listed twice; give local inputs distinct names.")
    return splits


def _local_split(item: LocalInput) -> Split:
    name = item.name or Path(item.path.rstrip("/")).name.split(".")[0]
    return Split("local", item.scheme or "", item.model or "", item.step or FINAL_STEP, local_name=name)


def locate_input(config, split: Split) -> SplitInput:
    hub, cache = config.hub, config.run.cache_dir
    if split.dataset == "memories":
        directory = locate_split(hub, cache, hub.memories_repo, split.name)
        return _checked(split, str(directory), "parquet", score_column=None, default_score=1.0)
    if split.dataset == "pile":
        repo = hub.pile_repo.format(scheme=split.scheme)
        directory = locate_split(hub, cache, repo, hub.pile_split)
        return _checked(split, str(directory), "parquet", score_column=PILE_SCORE_COLUMN[split.model], default_score=None)
    item = next(i for i in config.data.local_inputs if _local_split(i) == split)
    return _checked_local(split, item)


def locate_path(path: str, name: str) -> SplitInput:
    """A Parquet/JSON Lines path read like a local input (a table other than the run's splits, e.g. a corpus)."""
    return _checked_local(Split("local", "", "", local_name=name), LocalInput(path=path, name=name))


def _checked_local(split: Split, item: LocalInput) -> SplitInput:
    path = Path(item.path).expanduser()
    remote = "://" in item.path and not item.path.startswith("file://")
    fmt = item.format or ("json" if is_json_lines(path, remote) else "parquet")
    if fmt not in ("parquet", "json"):
        raise ConfigError(f"Local input {item.path}: format must be parquet or json, got {fmt!r}.")
    if remote:  # checked by Spark when it reads the schema
        extra = None if fmt == "parquet" else ()
        return SplitInput(split, item.path, fmt, "sequence_id", "tokens", "memorization_score", None, extra)
    if not path.exists():
        raise DataSourceError(f"Local input {item.path} does not exist.")
    if fmt == "json":
        return SplitInput(split, str(path.resolve()), "json", "sequence_id", "tokens", "memorization_score", None)
    return _checked(
        split, str(path.resolve()), "parquet", score_column="memorization_score", default_score=None, optional_score=True, keep_extra=True
    )


def _checked(
    split: Split,
    location: str,
    fmt: str,
    score_column: str | None,
    default_score: float | None,
    optional_score: bool = False,
    keep_extra: bool = False,
) -> SplitInput:
    """Reads every file's Parquet footer (no data), checks the columns the pipeline needs in each and picks the one
    type that reads each column from all of them (utils/data/parquet_schema.py)."""
    label = split.label
    try:
        files = pads.dataset(location, format="parquet", exclude_invalid_files=False).files
    except (pa.ArrowInvalid, OSError) as error:
        raise DataSourceError(f"Split {label}: {location} is not readable Parquet ({error}).") from None
    schemas = file_schemas(label, location, files)
    first_path, first = next(iter(schemas.items()))
    id_column = next((c for c in INPUT_ID_COLUMNS if c in first.names), None)
    tokens_column = next((c for c in INPUT_TOKEN_COLUMNS if c in first.names), None)
    for path, schema in schemas.items():
        for column, what in ((id_column, "sequence_id (or index) column"), (tokens_column, "tokens column")):
            if column is None or column not in schema.names:
                raise DataSourceError(
                    f"Split {label}: {path} has no {what} (its columns: {', '.join(schema.names)}). "
                    "Rename the column in the file, or give the right file."
                )
    if score_column and all(score_column not in schema.names for schema in schemas.values()):
        if not optional_score:
            raise DataSourceError(
                f"Split {label}: {first_path} has no memorization-score column {score_column!r} (columns: {', '.join(first.names)})."
            )
        score_column = None
    token_type = read_type(label, _stored(label, schemas, tokens_column, element=True), READS_NUMBERS, "a list of integer token ids")
    fields = [
        pa.field(id_column, read_type(label, _stored(label, schemas, id_column), READS_INTEGERS, "an integer")),
        pa.field(tokens_column, pa.list_(token_type)),
    ]
    if score_column:
        fields.append(pa.field(score_column, read_type(label, _stored(label, schemas, score_column), READS_SCORES, "a number")))
    used = {id_column, tokens_column, score_column}
    names = list(dict.fromkeys(name for schema in schemas.values() for name in schema.names if name not in used))
    extra = tuple(names) if keep_extra else ()
    fields += [pa.field(name, consistent_type(label, _stored(label, schemas, name))) for name in extra]
    return SplitInput(split, location, fmt, id_column, tokens_column, score_column, default_score, extra, pa.schema(fields))


def _stored(label: str, schemas: dict[str, pa.Schema], column: str, element: bool = False) -> StoredColumn:
    """The column's stored type per file that has it; `element`: a list column's element type (shown whole in errors)."""
    types, shown = {}, {}
    for path, schema in schemas.items():
        if column in schema.names:
            stored = schema.field(column).type
            if element and not (pa.types.is_list(stored) or pa.types.is_large_list(stored) or pa.types.is_fixed_size_list(stored)):
                raise DataSourceError(f"Split {label}: column {column!r} in {path} is {stored}; it must be a list of integer token ids.")
            types[path], shown[path] = (stored.value_type if element else stored), stored
    return StoredColumn(column, types, shown)


def read_split(spark, source: SplitInput):
    """The normalized DataFrame of one split (no Spark action): BASE_SCHEMA's columns, `invalid_reason` set where the
    input itself is unreadable (a JSON line that is not a JSON object), then the input's own columns."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import DecimalType

    if source.format == "json":
        frame, id_column, tokens_column, score_column = json_lines(spark, source.location), "sequence_id", "tokens", "memorization_score"
        extra: tuple[str, ...] = JSON_LINE_COLUMNS
    else:
        frame = spark.read.schema(_spark_schema(spark, source)).parquet(source.location)
        id_column, tokens_column, score_column = source.id_column, source.tokens_column, source.score_column
        extra = (
            source.extra_columns
            if source.extra_columns is not None
            else tuple(name for name in frame.columns if name not in {id_column, tokens_column, score_column})
        )
    split = source.split
    tokens = F.col(tokens_column)
    if isinstance(frame.schema[tokens_column].dataType.elementType, DecimalType):  # uint64 ids: see parquet_schema.READS_INTEGERS
        tokens = tokens.cast("array<double>")
    reason = F.col(INVALID_REASON) if INVALID_REASON in frame.columns else F.lit(None).cast("string")
    return frame.select(
        F.expr(f"try_cast(`{id_column}` as bigint)").alias("sequence_id"),
        tokens.alias("tokens"),
        _score(frame, score_column, source.default_score).alias("memorization_score"),
        F.lit(split.dataset).alias("dataset"),
        F.lit(split.name).alias("split"),
        F.lit(split.scheme or None).cast("string").alias("scheme"),
        F.lit(split.model or None).cast("string").alias("model"),
        F.lit(split.step if split.model else None).cast("long").alias("checkpoint"),
        reason.alias(INVALID_REASON),
        *[F.col(f"`{name}`") for name in extra],
    )


def _spark_schema(spark, source: SplitInput):
    """The schema to read the Parquet input with: the widest type over its files (checked before Spark), or for a remote
    input the one Spark infers with integer ids widened to bigint so that files of other widths read too."""
    from pyspark.sql.pandas.types import from_arrow_schema
    from pyspark.sql.types import ArrayType, IntegralType, LongType, StructField, StructType

    if source.read_schema is not None:
        return from_arrow_schema(source.read_schema)
    fields = []
    for field in spark.read.parquet(source.location).schema.fields:
        kind = field.dataType
        if field.name == source.id_column and isinstance(kind, IntegralType):
            kind = LongType()
        elif field.name == source.tokens_column and isinstance(kind, ArrayType) and isinstance(kind.elementType, IntegralType):
            kind = ArrayType(LongType())
        fields.append(StructField(field.name, kind))
    return StructType(fields)


def _score(frame, column: str | None, default: float | None):
    """memorization_score as a double: numbers as stored, numeric strings parsed; a string that is not a number becomes
    NaN so that the pass flags it (a score must be a number in [0, 1])."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType

    if column is None:
        return F.lit(default).cast("double")
    raw = F.col(f"`{column}`")
    if not isinstance(frame.schema[column].dataType, StringType):
        return raw.cast("double")
    parsed = F.expr(f"try_cast(`{column}` as double)")
    return F.when(raw.isNotNull() & parsed.isNull(), F.lit(float("nan"))).otherwise(parsed)
