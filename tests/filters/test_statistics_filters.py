"""duplication and token_frequency through the fused pass (no Spark: a stand-in broadcast), and their config checks."""

from types import SimpleNamespace

import numpy as np
import pytest

from metrics.ngram_counts import build_target_table
from tests.batches import batch_of
from utils.core.errors import ConfigError
from utils.core.resources import Resources
from utils.corpus.lookups import NgramDuplicates, TokenCounts
from utils.corpus.statistics import StatisticsProvider
from utils.data.splits import Split
from utils.pipeline.config import build_config
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


def test_statistics_filters_without_a_corpus_are_a_config_error_before_any_work(tmp_path):
    config = build_config({"filters": ["duplication"], "data": {"datasets": ["memories"]}})
    with pytest.raises(ConfigError, match=r"statistics.corpora has no 'duped' corpus.*statistics.source: precomputed"):
        StatisticsProvider(config, build_plan(config.filters).needs).check([Split("memories", "duped", "70m")])
    missing = build_config({"filters": ["token_frequency"], "statistics": {"corpora": {"default": {"path": str(tmp_path / "none")}}}})
    with pytest.raises(Exception, match="none.idx cannot be read"):
        StatisticsProvider(missing, build_plan(missing.filters).needs).check([Split("memories", "duped", "70m")])


def test_a_filter_whose_resource_is_missing_names_it():
    with pytest.raises(ConfigError, match="needs token_counts"):
        build_plan(("token_frequency",)).filters[0](Resources())
