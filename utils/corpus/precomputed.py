"""The reference's precomputed statistics as an alternative source (docs/METRICS.md, 'Duplication', 'Token frequency').

`usvsnsp/generation-num-duplicates` (splits duped/deduped; `sequence_id`, `counts`) gives
`sequence_duplicates` by sequence id; its counts skip the last offset of each record (docs/METRICS.md).
`usvsnsp/{scheme}-num-frequencies` (splits memorized/non_memorized; `TokenID`, `Frequency`) is summed
into one count per token. Tables come from hub.local_mirror or the Hugging Face cache like the splits;
a key listed twice is reported (and used once), or refused when its values disagree.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pyarrow.dataset as pads

from utils.core.errors import ConfigError, DataSourceError
from utils.corpus.lookups import DUPLICATES, TOKEN_COUNTS, CorpusStatistics, PrecomputedDuplicates, TokenCounts, check_table_keys
from utils.data.hub import locate_split
from utils.data.splits import Split
from utils.runtime.spark_session import job_description

log = logging.getLogger(__name__)
# Column names the published tables have used, first match wins.
DUPLICATES_ID_COLUMNS = ("sequence_id", "Index", "index")
DUPLICATES_COUNT_COLUMNS = ("counts", "Counts", "count")
FREQUENCIES_TOKEN_COLUMNS = ("TokenID", "token_id")
FREQUENCIES_COUNT_COLUMNS = ("Frequency", "frequency")


def precomputed_statistics(spark, config, needs: set[str], frames: dict[Split, Any]) -> dict[str, tuple[CorpusStatistics, dict[str, Any]]]:
    """Per scheme of the run's splits: the lookups from the published tables, and a summary for the manifest."""
    by_scheme: dict[str, list[Split]] = {}
    for split in frames:
        if not split.scheme:
            raise ConfigError(f"Split {split.label} has no scheme, so no precomputed table applies; give the local input a scheme.")
        by_scheme.setdefault(split.scheme, []).append(split)
    result: dict[str, tuple[CorpusStatistics, dict[str, Any]]] = {}
    for scheme, splits in by_scheme.items():
        summary: dict[str, Any] = {"source": "precomputed"}
        duplicates = token_counts = None
        if DUPLICATES in needs:
            duplicates, summary["duplicates"] = _duplicates(spark, config, scheme, [frames[s] for s in splits])
        if TOKEN_COUNTS in needs:
            token_counts, summary["token_counts"] = _token_counts(spark, config, scheme)
        result[scheme] = (CorpusStatistics(duplicates, token_counts), summary)
    return result


def _pick(names: list[str], choices: tuple[str, ...], what: str, where: str) -> str:
    found = next((c for c in choices if c in names), None)
    if found is None:
        raise DataSourceError(f"{where} has no {what} column (one of {', '.join(choices)}); its columns are {', '.join(names)}.")
    return found


def _duplicates(spark, config, scheme: str, frames: list) -> tuple[PrecomputedDuplicates, dict]:
    from functools import reduce

    from pyspark.sql import functions as F

    settings = config.statistics
    repo, split = settings.duplicates_repo, settings.duplicates_split.format(scheme=scheme)
    directory = locate_split(config.hub, config.run.cache_dir, repo, split)
    where = f"{repo} split {split} ({directory})"
    table = spark.read.parquet(str(directory))
    id_column = _pick(table.columns, DUPLICATES_ID_COLUMNS, "sequence id", where)
    count_column = _pick(table.columns, DUPLICATES_COUNT_COLUMNS, "count", where)
    wanted = reduce(lambda a, b: a.unionByName(b), [f.select("sequence_id") for f in frames]).distinct()
    with job_description(spark, f"corpus statistics: the run's rows in {repo} split {split}"):
        rows = (
            table.select(F.col(id_column).cast("long").alias("sequence_id"), F.col(count_column).cast("long").alias("count"))
            .join(wanted, "sequence_id", "left_semi")
            .toArrow()
        )
    ids, counts, repeated = check_table_keys(rows.column("sequence_id").to_numpy(), rows.column("count").to_numpy(), where)
    handle = PrecomputedDuplicates(spark.sparkContext.broadcast((ids, counts)), where)
    return handle, {"table": where, "matched_ids": int(len(ids)), "repeated_keys": repeated}


def _token_counts(spark, config, scheme: str) -> tuple[TokenCounts, dict]:
    settings = config.statistics
    repo = settings.frequencies_repo.format(scheme=scheme)
    summary: dict[str, Any] = {"table": repo}
    parts = []
    for split in ("memorized", "non_memorized"):
        directory = locate_split(config.hub, config.run.cache_dir, repo, split)
        where = f"{repo} split {split} ({directory})"
        table = pads.dataset(str(directory), format="parquet").to_table()
        token_column = _pick(table.column_names, FREQUENCIES_TOKEN_COLUMNS, "token id", where)
        frequency_column = _pick(table.column_names, FREQUENCIES_COUNT_COLUMNS, "frequency", where)
        ids, values, repeated = check_table_keys(
            table.column(token_column).to_numpy().astype(np.int64), table.column(frequency_column).to_numpy().astype(np.int64), where
        )
        if len(ids) and ids[0] < 0:
            raise DataSourceError(f"{where} has negative token id {ids[0]}.")
        parts.append((ids, values))
        summary[f"{split}_repeated_keys"] = repeated
    size = max((int(ids[-1]) + 1 for ids, _ in parts if len(ids)), default=0)
    counts = np.zeros(size, np.int64)
    for ids, values in parts:
        counts[ids] += values
    summary["size"] = size
    return TokenCounts(spark.sparkContext.broadcast(counts), size, repo), summary
