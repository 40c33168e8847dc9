"""The driver's steps: splits computed several at a time (every result recorded once, the first failure stops the
splits not yet started), the row count and repeated ids of a split, and the manifest entry a split's result makes."""

from __future__ import annotations

import threading
import time

import pytest

from utils.core.errors import BadRecordError, ConfigError
from utils.pipeline.run import SplitResult, _clean_worker_error, _for_each_split, _reasons, _shares, count_rows


@pytest.mark.parametrize("concurrent", [1, 3])
def test_every_split_is_recorded_once(concurrent):
    recorded, threads = [], set()

    def compute(split):
        threads.add(threading.current_thread().name)
        time.sleep(0.01 * (split % 3))
        return split * 10

    _for_each_split(list(range(8)), compute, lambda split, result: recorded.append((split, result)), concurrent)
    assert sorted(recorded) == [(s, s * 10) for s in range(8)]
    assert (len(threads) > 1) == (concurrent > 1)


def test_first_failure_stops_the_splits_not_yet_started():
    started, recorded = [], []

    def compute(split):
        started.append(split)
        if split == 1:
            raise ValueError("split 1 is bad")
        time.sleep(0.2)
        return split

    with pytest.raises(ValueError, match="split 1 is bad"):
        _for_each_split(list(range(10)), compute, lambda split, result: recorded.append(split), 2)
    assert len(started) < 10 and 1 not in recorded


def test_count_rows_counts_rows_and_repeated_ids_with_examples(spark):
    frame = spark.createDataFrame([(i % 7 if i < 10 else i, [1, 2]) for i in range(25)], "sequence_id long, tokens array<int>")
    counted = count_rows(spark, frame, "local/t")
    assert counted.rows == 25 and counted.duplicate_ids == 3 and counted.examples == [0, 1, 2]
    single = count_rows(spark, spark.createDataFrame([(1, [1])], "sequence_id long, tokens array<int>"), "local/u")
    assert (single.rows, single.duplicate_ids, single.examples) == (1, 0, [])


def test_a_split_result_is_its_manifest_entry_with_tallies_and_resources_at_the_top():
    result = SplitResult(
        source="/in",
        path="/out/local/t",
        input_rows=4,
        output_rows=4,
        flagged_rows={"empty_tokens": 1},
        tallies={"taxonomy": _shares({"recitation": 3, None: 1}, 4)},
        resources={"model": "m@step1"},
        seconds={"compute_write_and_tally": 1.5},
    )
    entry = result.manifest_entry()
    assert entry["taxonomy"] == {"counts": {"recitation": 3, "null": 1}, "shares": {"recitation": 0.75, "null": 0.25}}
    assert entry["model"] == "m@step1" and entry["flagged_rows"] == {"empty_tokens": 1} and entry["skipped"] is None
    assert "tallies" not in entry and "resources" not in entry and entry["input_rows"] == entry["output_rows"] == 4


def test_reasons_keep_only_the_named_ones(caplog):
    assert _reasons({None: 9, "empty_tokens": 2}, "local/t", "rows kept with null metrics") == {"empty_tokens": 2}
    assert "local/t: rows kept with null metrics: {'empty_tokens': 2}" in caplog.text
    assert _reasons({None: 9}, "local/t", "x") == {}


def test_a_bad_record_raised_in_a_worker_reaches_the_cli_as_its_own_message():
    wrapped = RuntimeError("Traceback ...\nutils.core.errors.BadRecordError: Bad record in split x, sequence_id 3: empty\n  at ...")
    clean = _clean_worker_error(wrapped)
    assert isinstance(clean, BadRecordError) and str(clean) == "Bad record in split x, sequence_id 3: empty"
    own = ConfigError("mine")
    assert _clean_worker_error(own) is own and _clean_worker_error(KeyError("k")).args == ("k",)
