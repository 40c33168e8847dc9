"""token_frequency (with duplication) through the fused pass (no Spark: a stand-in broadcast), ids outside the count
table flagged, and frequencies of a sliced batch read row by row."""

from types import SimpleNamespace

import numpy as np
import pytest

from filters import get_filter
from metrics.ngram_counts import build_target_table
from tests.batches import batch_of
from utils.core.resources import Resources
from utils.corpus.lookups import NgramDuplicates, TokenCounts
from utils.pipeline.fused_pass import FusedPass
from utils.pipeline.plan import build_plan


def test_fused_pass_adds_counts_and_flags_ids_outside_the_count_table():
    counts = np.array([5, 0, 7, 1], np.int64)  # a count table of 4 token ids
    row = list(range(4)) * 16  # 64 tokens
    table = build_target_table(np.array([row[32:64]], np.uint16))
    resources = Resources(
        token_counts=TokenCounts(SimpleNamespace(value=counts), 4, "test"),
        sequence_duplicates=NgramDuplicates(SimpleNamespace(value=(table, np.array([9]))), 32, 32, 65535),
    )
    plan = build_plan(("duplication", "token_frequency"))
    fused = FusedPass.for_plan(plan, resources, "test", "null", 100)  # the token limits and minimum length apply_plan uses
    out = fused.process(batch_of([row, [0, 1, 9], [2, 2]]), [cls(resources) for cls in plan.filters]).to_pydict()
    assert out["invalid_reason"] == [None, "token_id_outside_count_table", None]
    assert out["sequence_duplicates"] == [9, None, None]  # short row: null without a reason
    assert out["frequencies"][0] == counts[row].tolist() and out["frequencies"][1] is None
    assert out["max_frequency"] == [7, None, 7] and out["median_frequency"][2] == 7.0
    assert out["avg_frequency"][0] == pytest.approx(counts[row].mean())


def token_frequency(counts):
    return get_filter("token_frequency")(Resources(token_counts=TokenCounts(SimpleNamespace(value=np.array(counts)), len(counts), "t")))


def test_a_sliced_batch_gives_each_row_its_own_frequencies_and_summaries():
    counts = [10, 20, 30, 40, 50]
    batch = batch_of([[4, 4], [0, 1, 2, 3], [2], [1, 1, 3]]).slice(1)  # offsets start at 2
    out = token_frequency(counts).compute(batch)
    assert out["frequencies"].to_pylist() == [[10, 20, 30, 40], [30], [20, 20, 40]]
    assert out["max_frequency"].tolist() == [40, 30, 40] and out["min_frequency"].tolist() == [10, 30, 20]
    assert out["avg_frequency"].tolist() == pytest.approx([25.0, 30.0, 80 / 3])
    assert out["median_frequency"].tolist() == [25.0, 30.0, 20.0]
    # exact quartiles, linear between order statistics: [10, 20, 30, 40] at 0.75 * 3 = 2.25 -> 30 + 0.25 * 10
    assert out["p25_frequency"].tolist()[0] == 17.5 and out["p75_frequency"].tolist()[0] == 32.5


def test_the_token_limit_is_the_size_of_the_count_table():
    cls = get_filter("token_frequency")
    assert cls.token_limit(Resources(token_counts=TokenCounts(SimpleNamespace(value=np.zeros(7)), 7, "t"))) == 7
    assert cls.token_limit(Resources(token_counts=None)) is None
    assert cls.outside_reason == "token_id_outside_count_table"
