"""One Spark pass over a corpus: token counts, counts inside memorized records and exact n-gram counts against brute
force, an empty corpus, and the merge of the tasks' partial results."""

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from metrics.ngram_counts import build_target_table
from tests.brute_force import count_ngram
from tests.utils.corpus.planted import N
from utils.corpus.megatron import write_megatron
from utils.corpus.readers import CorpusConfig, open_corpus
from utils.corpus.scan import _merge, scan_corpus


def test_scan_in_many_tasks_matches_brute_force(spark, tmp_path, corpus_records):
    write_megatron(tmp_path / "document", corpus_records, shards=3)
    corpus = open_corpus(CorpusConfig(path=str(tmp_path / "document"), record_length=50), "test")
    targets = np.concatenate([corpus_records[:, 0:N], corpus_records[:, 42:50], corpus_records[:5, 17:25]])
    table = build_target_table(targets)
    result = scan_corpus(spark, corpus, chunk_tokens=230, table=table, count_tokens=True, memorized_ids=np.array([0, 3]))
    assert result.records == 60 and result.tokens == 3000
    assert result.ngram_counts.tolist() == [count_ngram(list(corpus_records), t) for t in table.ngrams]
    assert result.token_counts[:6].tolist() == np.bincount(corpus_records.ravel(), minlength=6).tolist()
    assert result.memorized_token_counts[:6].tolist() == np.bincount(corpus_records[[0, 3]].ravel(), minlength=6).tolist()


def test_an_empty_corpus_counts_zeros_without_a_spark_job(spark, tmp_path):
    pq.write_table(pa.table({"tokens": pa.array([], pa.list_(pa.uint16()))}), tmp_path / "empty.parquet")
    corpus = open_corpus(CorpusConfig(format="parquet", path=str(tmp_path / "empty.parquet"), vocab_size=10), "test")
    table = build_target_table(np.array([[1, 2], [3, 4]], np.uint16))
    result = scan_corpus(spark, corpus, chunk_tokens=100, table=table, count_tokens=True, memorized_ids=None)
    assert (result.records, result.tokens) == (0, 0)
    assert result.token_counts.tolist() == [0] * 10 and result.memorized_token_counts is None
    assert result.ngram_counts.tolist() == [0, 0]
    nothing = scan_corpus(spark, corpus, chunk_tokens=100, table=None, count_tokens=False, memorized_ids=np.array([1]))
    assert nothing.token_counts is None and nothing.ngram_counts is None


def test_partial_results_merge_histograms_and_keep_ngram_counts_sparse():
    left = (np.array([1, 0, 2]), None, np.array([4, 9]), np.array([1, 2]), 3, 1)
    right = (np.array([0, 5, 0]), np.array([0, 1, 0]), np.array([9]), np.array([7]), 5, 2)
    histogram, memorized, ids, counts, tokens, records = _merge(left, right)
    assert histogram.tolist() == [1, 5, 2] and memorized.tolist() == [0, 1, 0]  # None + counts = the counts
    assert sorted(zip(ids.tolist(), counts.tolist())) == [(4, 1), (9, 2), (9, 7)]  # summed by target at the end
    assert (tokens, records) == (8, 3)
