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
from utils.data.hub import locate_split
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
    fmt = item.format or ("json" if item.path.endswith((".jsonl", ".json", ".jsonl.gz")) else "parquet")
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
    """Reads the Parquet schema (footers only) and checks the columns the pipeline needs."""
    try:
        schema = pads.dataset(location, format="parquet", exclude_invalid_files=False).schema
    except (pa.ArrowInvalid, OSError) as error:
        raise DataSourceError(f"Split {split.label}: {location} is not readable Parquet ({error}).") from None
    names = schema.names
    id_column = next((c for c in INPUT_ID_COLUMNS if c in names), None)
    tokens_column = next((c for c in INPUT_TOKEN_COLUMNS if c in names), None)
    if id_column is None or tokens_column is None:
        missing = "sequence_id (or index) column" if id_column is None else "tokens column"
        raise DataSourceError(
            f"Split {split.label}: {location} has no {missing} (its columns: {', '.join(names)}). "
            "Rename the column in the file, or give the right file."
        )
    token_type = schema.field(tokens_column).type
    if not (pa.types.is_list(token_type) or pa.types.is_large_list(token_type) or pa.types.is_fixed_size_list(token_type)) or not (
        pa.types.is_integer(token_type.value_type) or pa.types.is_floating(token_type.value_type)
    ):
        raise DataSourceError(
            f"Split {split.label}: column {tokens_column!r} in {location} is {token_type}; it must be a list of integer token ids."
        )
    if not pa.types.is_integer(schema.field(id_column).type):
        raise DataSourceError(f"Split {split.label}: column {id_column!r} in {location} is {schema.field(id_column).type}, not an integer.")
    if score_column and score_column not in names:
        if optional_score:
            score_column = None
        else:
            raise DataSourceError(
                f"Split {split.label}: {location} has no memorization-score column {score_column!r} (columns: {', '.join(names)})."
            )
    used = {id_column, tokens_column, score_column}
    extra = tuple(name for name in names if name not in used) if keep_extra else ()
    return SplitInput(split, location, fmt, id_column, tokens_column, score_column, default_score, extra)


def read_split(spark, source: SplitInput):
    """The normalized DataFrame of one split (no Spark action)."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    if source.format == "json":
        schema = T.StructType(
            [
                T.StructField("sequence_id", T.LongType()),
                T.StructField("index", T.LongType()),
                T.StructField("tokens", T.ArrayType(T.DoubleType())),
                T.StructField("memorization_score", T.DoubleType()),
            ]
        )
        frame = spark.read.schema(schema).json(source.location)
        frame = frame.withColumn("sequence_id", F.coalesce("sequence_id", "index"))
        id_column, tokens_column, score = "sequence_id", "tokens", F.col("memorization_score")
    else:
        frame = spark.read.parquet(source.location)
        id_column, tokens_column = source.id_column, source.tokens_column
        score = F.col(source.score_column) if source.score_column else F.lit(source.default_score)
    split = source.split
    extra = source.extra_columns
    if extra is None:
        extra = tuple(name for name in frame.columns if name not in {id_column, tokens_column, source.score_column})
    return frame.select(
        F.col(id_column).cast("long").alias("sequence_id"),
        F.col(tokens_column).alias("tokens"),
        score.cast("double").alias("memorization_score"),
        F.lit(split.dataset).alias("dataset"),
        F.lit(split.name).alias("split"),
        F.lit(split.scheme or None).cast("string").alias("scheme"),
        F.lit(split.model or None).cast("string").alias("model"),
        F.lit(split.step if split.model else None).cast("long").alias("checkpoint"),
        *[F.col(f"`{name}`") for name in extra],
    )
