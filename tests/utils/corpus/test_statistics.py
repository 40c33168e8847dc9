"""The corpus-statistics provider on Spark: counts per row against brute force, its cache reused and rebuilt when
damaged, a Parquet corpus, and its checks before any work."""

import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.brute_force import count_ngram
from tests.utils.corpus.planted import N
from utils.core.errors import ConfigError
from utils.corpus.lookups import DUPLICATES, TOKEN_COUNTS
from utils.corpus.megatron import write_megatron
from utils.corpus.statistics import StatisticsProvider
from utils.data.splits import Split
from utils.pipeline.config import build_config
from utils.pipeline.plan import build_plan


def rows_frame(spark, records, starts):
    """A split whose rows are 2*N tokens of records, the continuation being tokens N..2N-1."""
    rows = [(i, records[r, s : s + 2 * N].astype(int).tolist()) for i, (r, s) in enumerate(starts)]
    return spark.createDataFrame(rows, "sequence_id long, tokens array<int>")


def config_for(tmp_path, corpus_path, **statistics):
    settings = {
        "directory": str(tmp_path / "stats"),
        "ngram_start": N,
        "ngram_length": N,
        "corpora": {"default": {"path": str(corpus_path), "record_length": 50}},
    }
    settings.update(statistics)
    return build_config({"statistics": settings})


def expected_counts(records, frame):
    return {row.sequence_id: count_ngram(list(records), np.array(row.tokens[N:], np.uint16)) for row in frame.collect()}


@pytest.mark.parametrize("hash_bits", [64, 2])
def test_provider_counts_rows_exactly_and_reuses_its_cache(spark, tmp_path, corpus_records, hash_bits):
    write_megatron(tmp_path / "document", corpus_records)
    frame = rows_frame(spark, corpus_records, [(0, 0), (3, 34), (7, 11), (59, 34), (20, 30)])
    split = Split("local", "", "", local_name="rows")
    config = config_for(tmp_path, tmp_path / "document", hash_bits=hash_bits, chunk_tokens=500)
    provider = StatisticsProvider(config, {DUPLICATES, TOKEN_COUNTS})
    provider.prepare(spark, [], {split: frame})
    resources = provider.statistics_of(split)
    batch = pa.RecordBatch.from_pandas(frame.toPandas(), preserve_index=False)
    counts = resources.sequence_duplicates.for_batch(batch).to_pylist()
    assert dict(zip(batch.column("sequence_id").to_pylist(), counts)) == expected_counts(corpus_records, frame)
    assert counts[1] == 5  # row 1 continues with the planted 8-gram, written at 5 places
    assert resources.token_counts.get()[:6].tolist() == np.bincount(corpus_records.ravel(), minlength=6).tolist()
    assert "scan" in provider.summary["default"]

    again = StatisticsProvider(config, {DUPLICATES, TOKEN_COUNTS})
    again.prepare(spark, [], {split: frame})
    assert "scan" not in again.summary["default"] and again.summary["default"]["ngrams_from_cache"] == 4  # rows 1 and 3 share one
    assert again.statistics_of(split).sequence_duplicates.for_batch(batch).to_pylist() == counts


def test_corrupt_cache_is_detected_and_rebuilt(spark, tmp_path, corpus_records):
    write_megatron(tmp_path / "document", corpus_records)
    frame = rows_frame(spark, corpus_records, [(1, 0), (2, 5)])
    split = Split("local", "", "", local_name="rows")
    config = config_for(tmp_path, tmp_path / "document")
    first = StatisticsProvider(config, {DUPLICATES, TOKEN_COUNTS})
    first.prepare(spark, [], {split: frame})
    cache_root = tmp_path / "stats" / first.summary["default"]["fingerprint"]
    token_file = cache_root / "token_counts.parquet"
    token_file.write_bytes(token_file.read_bytes()[:-20])  # truncated copy
    part = next((cache_root / f"ngrams-n{N}").glob("part-*.parquet"))
    marker = part.with_suffix(".json")
    marker.write_text(json.dumps({**json.loads(marker.read_text()), "rows": 99}))
    second = StatisticsProvider(config, {DUPLICATES, TOKEN_COUNTS})
    second.prepare(spark, [], {split: frame})
    assert "scan" in second.summary["default"] and second.summary["default"]["ngrams_from_cache"] == 0
    batch = pa.RecordBatch.from_pandas(frame.toPandas(), preserve_index=False)
    assert second.statistics_of(split).sequence_duplicates.for_batch(batch).to_pylist() == list(
        expected_counts(corpus_records, frame).values()
    )


def test_parquet_corpus_gives_the_same_counts(spark, tmp_path, corpus_records):
    pq.write_table(
        pa.table({"tokens": pa.array(corpus_records.tolist(), pa.list_(pa.uint16()))}), tmp_path / "corpus.parquet", row_group_size=7
    )
    frame = rows_frame(spark, corpus_records, [(0, 0), (3, 34), (33, 2)])
    split = Split("local", "", "", local_name="rows")
    config = build_config(
        {
            "statistics": {
                "directory": str(tmp_path / "stats"),
                "ngram_start": N,
                "ngram_length": N,
                "corpora": {"default": {"format": "parquet", "path": str(tmp_path / "corpus.parquet"), "record_length": 50}},
            }
        }
    )
    provider = StatisticsProvider(config, {DUPLICATES})
    provider.prepare(spark, [], {split: frame})
    batch = pa.RecordBatch.from_pandas(frame.toPandas(), preserve_index=False)
    assert provider.statistics_of(split).sequence_duplicates.for_batch(batch).to_pylist() == list(
        expected_counts(corpus_records, frame).values()
    )


def test_rows_too_short_get_null(spark, tmp_path, corpus_records):
    write_megatron(tmp_path / "document", corpus_records)
    frame = spark.createDataFrame([(1, corpus_records[0, :16].astype(int).tolist()), (2, [1, 2, 3])], "sequence_id long, tokens array<int>")
    split = Split("local", "", "", local_name="rows")
    provider = StatisticsProvider(config_for(tmp_path, tmp_path / "document"), {DUPLICATES})
    provider.prepare(spark, [], {split: frame})
    batch = pa.RecordBatch.from_pandas(frame.toPandas(), preserve_index=False)
    assert provider.statistics_of(split).sequence_duplicates.for_batch(batch).to_pylist() == [
        count_ngram(list(corpus_records), corpus_records[0, 8:16]),
        None,
    ]


def test_float_tokens_out_of_range_do_not_break_the_target_collection(spark, tmp_path, corpus_records):
    """JSON inputs arrive as doubles; a huge id must leave the row to the bad-record policy, not fail a cast."""
    write_megatron(tmp_path / "document", corpus_records)
    good = corpus_records[4, :16].astype(float).tolist()
    frame = spark.createDataFrame([(1, good), (2, [1e12] * 16)], "sequence_id long, tokens array<double>")
    split = Split("local", "", "", local_name="rows")
    provider = StatisticsProvider(config_for(tmp_path, tmp_path / "document"), {DUPLICATES})
    provider.prepare(spark, [], {split: frame})
    assert provider.summary["default"]["distinct_ngrams"] == 1
    batch = pa.RecordBatch.from_pydict(
        {"sequence_id": [1], "tokens": pa.array([corpus_records[4, :16].astype(int).tolist()], pa.list_(pa.int32()))}
    )
    assert provider.statistics_of(split).sequence_duplicates.for_batch(batch).to_pylist() == [
        count_ngram(list(corpus_records), corpus_records[4, 8:16])
    ]


def test_statistics_filters_without_a_corpus_are_a_config_error_before_any_work(tmp_path):
    config = build_config({"filters": ["duplication"], "data": {"datasets": ["memories"]}})
    with pytest.raises(ConfigError, match=r"statistics.corpora has no 'duped' corpus.*statistics.source: precomputed"):
        StatisticsProvider(config, build_plan(config.filters).needs).check([Split("memories", "duped", "70m")])
    missing = build_config({"filters": ["token_frequency"], "statistics": {"corpora": {"default": {"path": str(tmp_path / "none")}}}})
    with pytest.raises(Exception, match="none.idx cannot be read"):
        StatisticsProvider(missing, build_plan(missing.filters).needs).check([Split("memories", "duped", "70m")])
