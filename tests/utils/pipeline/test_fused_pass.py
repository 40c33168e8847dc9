"""Small DataFrames through the fused pass on Spark, with the real Pythia tokenizer."""

import pyarrow as pa
import pytest

from metrics.repetition import token_repetition
from tests.conftest import SHARED_TOKENIZER, require_shared
from utils.core.resources import Resources
from utils.data.splits import Split
from utils.pipeline.fused_pass import apply_plan, first_bad_record
from utils.pipeline.plan import build_plan
from utils.runtime.tokenizers import TokenizerBroadcasts, TokenizerSettings

TEXTS = ["Hello world, this is Pythia.", "1. one\n2. two\n3. three\n4. four\n5. five", "-" * 40]


def frame_of(spark, rows):
    return spark.createDataFrame(
        rows,
        "sequence_id long, tokens array<long>, memorization_score double, "
        "dataset string, split string, scheme string, model string, checkpoint long",
    )


@pytest.fixture(scope="module")
def handle(spark):
    return TokenizerBroadcasts(spark, TokenizerSettings(path=str(require_shared(SHARED_TOKENIZER)))).for_split(
        Split("memories", "deduped", "70m")
    )


def test_real_pythia_ids_decode_and_metrics_attach(spark, pythia_tokenizer, handle):
    assert handle.vocab_size == 50277
    ids = [pythia_tokenizer.encode(t).ids for t in TEXTS] + [[0]]
    rows = [(i, ids[i], 1.0, "memories", "deduped.70m", "deduped", "70m", 143000) for i in range(len(ids))]
    plan = build_plan(("detokenize", "compression", "patterns"))
    out = apply_plan(frame_of(spark, rows), plan, Resources(tokenizer=handle), "memories/deduped.70m", "null", handle.vocab_size)
    result = {row["sequence_id"]: row for row in out.collect()}
    assert [result[i]["text"] for i in range(3)] == TEXTS
    assert result[3]["text"] == "<|endoftext|>"
    assert result[1]["is_incrementing"] and result[2]["is_repeating"] and not result[0]["is_templating"]
    assert (
        result[0]["templating_coverage"] == 0.0
        and result[2]["templating_coverage"] == 1.0
        and 0.5 <= result[1]["templating_coverage"] <= 1.0
    )
    expected = token_repetition(pa.array([ids[2]], pa.list_(pa.int64())))
    assert (result[2]["num_repeating"], result[2]["repeating_offset"], result[2]["smallest_repeating_chunk"]) == (
        expected["num_repeating"][0],
        expected["repeating_offset"][0],
        expected["smallest_repeating_chunk"][0].as_py(),
    )
    assert all(result[i]["invalid_reason"] is None for i in result)


def test_bad_rows_are_kept_flagged_with_null_metrics(spark, handle):
    rows = [
        (1, [510, 1533], 1.0, "local", "t", None, None, None),
        (2, None, 1.0, "local", "t", None, None, None),
        (3, [], 1.0, "local", "t", None, None, None),
        (4, [5, 60000], 1.0, "local", "t", None, None, None),
        (5, [-3], 1.0, "local", "t", None, None, None),
        (5, [510], 1.0, "local", "t", None, None, None),  # duplicate id: kept, never multiplied
    ]
    plan = build_plan(("detokenize", "compression", "patterns"))
    out = apply_plan(frame_of(spark, rows).repartition(2), plan, Resources(tokenizer=handle), "local/t", "null", handle.vocab_size)
    collected = sorted(out.collect(), key=lambda r: (r["sequence_id"], r["tokens"] or []))
    assert len(collected) == len(rows)
    reasons = [r["invalid_reason"] for r in collected]
    assert reasons == [None, "null_tokens", "empty_tokens", "token_id_out_of_vocabulary", "negative_token_id", None]
    for row in collected:
        flagged = row["invalid_reason"] is not None
        assert (row["text"] is None) == flagged and (row["zlib_ratio"] is None) == flagged and (row["is_templating"] is None) == flagged


def test_raise_policy_names_split_and_sequence(spark, handle):
    rows = [(1, [510], 1.0, "local", "t", None, None, None), (42, [99999], 1.0, "local", "t", None, None, None)]
    plan = build_plan(("detokenize",))
    out = apply_plan(frame_of(spark, rows).coalesce(1), plan, Resources(tokenizer=handle), "local/t", "raise", handle.vocab_size)
    with pytest.raises(Exception, match="split local/t, sequence_id 42: token_id_out_of_vocabulary"):
        out.collect()


def test_empty_plan_still_validates(spark):
    rows = [(1, [1, 2], None, "local", "t", None, None, None), (2, [], None, "local", "t", None, None, None)]
    out = apply_plan(frame_of(spark, rows), build_plan(()), Resources(), "local/t", "null", None)
    assert sorted((r["sequence_id"], r["invalid_reason"]) for r in out.collect()) == [(1, None), (2, "empty_tokens")]


def test_a_null_id_and_a_score_outside_0_1_are_flagged_after_the_tokens_and_the_reader_s_reason_first(spark, handle):
    nan = float("nan")
    rows = [
        (1, [1, 2], 0.5, None),
        (None, [1, 2], 1.0, None),  # no id
        (3, [1, 2], 2.0, None),
        (4, [1, 2], -1.0, None),
        (5, [1, 2], nan, None),
        (6, [1, 2], None, None),  # no score known: allowed
        (7, [1, 2], 0.0, None),
        (None, [], 7.0, None),  # the token reason comes first
        (None, None, nan, "unparseable_json_line"),  # the reader's reason comes before all
    ]
    frame = spark.createDataFrame(
        [(*row[:3], "local", "t", None, None, None, row[3]) for row in rows],
        "sequence_id long, tokens array<long>, memorization_score double, dataset string, split string, scheme string, "
        "model string, checkpoint long, invalid_reason string",
    )
    plan = build_plan(("detokenize", "compression"))
    out = apply_plan(frame.coalesce(1), plan, Resources(tokenizer=handle), "local/t", "null", handle.vocab_size).collect()
    assert [row["invalid_reason"] for row in out] == [
        None,
        "null_sequence_id",
        "memorization_score_not_in_0_1",
        "memorization_score_not_in_0_1",
        "memorization_score_not_in_0_1",
        None,
        None,
        "empty_tokens",
        "unparseable_json_line",
    ]
    assert [row["zlib_ratio"] is None for row in out] == [row["invalid_reason"] is not None for row in out]  # flagged: null metrics
    assert [row["memorization_score"] for row in out][2:4] == [2.0, -1.0]  # the score is written as given


def test_first_bad_record_names_the_lowest_row_and_counts_every_reason_without_failing_a_task(spark):
    rows = [(9, [1], 2.0), (4, [1], 1.0), (7, [-1], 0.5), (3, [1], -0.5), (8, [1], 0.5)]
    frame = frame_of(spark, [(*row, "local", "t", None, None, None) for row in rows]).repartition(2)
    error = first_bad_record(spark, frame, build_plan(()), Resources(), "local/t", None)
    assert str(error).startswith("Bad record in split local/t, sequence_id 3: memorization_score_not_in_0_1 (3 bad row(s): ")
    assert "memorization_score_not_in_0_1 2, negative_token_id 1" in str(error)
    assert first_bad_record(spark, frame.where("sequence_id in (4, 8)"), build_plan(()), Resources(), "local/t", None) is None
