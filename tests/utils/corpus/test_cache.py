"""The statistics cache: tables written atomically with a marker, read back only while the marker agrees, n-gram
counts accumulating as parts, and a damaged file reported, deleted and never read."""

import json

import numpy as np
import pyarrow as pa

from utils.corpus.cache import StatisticsCache


def test_token_counts_round_trip_per_variant_and_nothing_before_they_are_written(tmp_path):
    cache = StatisticsCache(str(tmp_path), "abc", {"path": "corpus"})
    assert cache.read_token_counts() is None
    cache.write_token_counts(pa.table({"count": [1, 2, 3]}))
    cache.write_token_counts(pa.table({"count": [9]}), variant="_memorized")
    assert cache.read_token_counts().column("count").to_pylist() == [1, 2, 3]
    assert cache.read_token_counts("_memorized").column("count").to_pylist() == [9]
    marker = json.loads((tmp_path / "abc" / "token_counts.json").read_text())
    assert marker == {"rows": 3, "bytes": (tmp_path / "abc" / "token_counts.parquet").stat().st_size}
    assert not [p for p in (tmp_path / "abc").iterdir() if p.name.endswith(".tmp")]


def test_ngram_parts_accumulate_and_each_length_has_its_own_directory(tmp_path):
    cache = StatisticsCache(str(tmp_path), "abc", {})
    assert cache.read_ngram_counts(3) is None
    cache.write_ngram_counts(np.array([[1, 2, 3], [4, 5, 6]]), np.array([7, 1]))
    cache.write_ngram_counts(np.array([[9, 9, 9]]), np.array([2]))
    cache.write_ngram_counts(np.array([[1, 2]]), np.array([5]))
    ngrams, counts = cache.read_ngram_counts(3)
    assert sorted(zip(map(tuple, ngrams.tolist()), counts.tolist())) == [((1, 2, 3), 7), ((4, 5, 6), 1), ((9, 9, 9), 2)]
    assert cache.read_ngram_counts(2)[0].tolist() == [[1, 2]]


def test_a_file_whose_marker_disagrees_or_is_missing_is_deleted_and_not_read(tmp_path):
    cache = StatisticsCache(str(tmp_path), "abc", {})
    cache.write_token_counts(pa.table({"count": [1, 2]}))
    path = tmp_path / "abc" / "token_counts.parquet"
    marker = path.with_suffix(".json")
    marker.write_text(json.dumps({"rows": 5, "bytes": path.stat().st_size}))
    assert cache.read_token_counts() is None and not path.exists() and not marker.exists()
    cache.write_token_counts(pa.table({"count": [1, 2]}))
    marker.unlink()  # a crash between the table and its marker
    assert cache.read_token_counts() is None and not path.exists()
    cache.write_ngram_counts(np.array([[1, 2]]), np.array([3]))
    part = next((tmp_path / "abc" / "ngrams-n2").glob("part-*.parquet"))
    part.write_bytes(part.read_bytes()[:-10])  # truncated: the other parts are still read
    cache.write_ngram_counts(np.array([[4, 5]]), np.array([6]))
    ngrams, counts = cache.read_ngram_counts(2)
    assert (ngrams.tolist(), counts.tolist()) == ([[4, 5]], [6]) and not part.exists()


def test_the_corpus_description_is_written_once(tmp_path):
    StatisticsCache(str(tmp_path), "abc", {"path": "first"})
    StatisticsCache(str(tmp_path), "abc", {"path": "second"})
    assert json.loads((tmp_path / "abc" / "corpus.json").read_text()) == {"path": "first"}
