"""detokenize and the token-level repetition columns of patterns read a sliced Arrow batch row by row correctly."""

from types import SimpleNamespace

import pyarrow as pa

from filters import get_filter
from metrics.repetition import token_repetition
from tests.batches import batch_of
from utils.core.resources import Resources
from utils.runtime.tokenizers import TokenizerHandle


def word_tokenizer_json() -> str:
    from tokenizers import Tokenizer, models, pre_tokenizers

    tokenizer = Tokenizer(models.WordLevel({w: i for i, w in enumerate(["<unk>", "a", "b", "c", "d"])}, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return tokenizer.to_str()


def test_detokenize_reads_each_row_of_a_sliced_batch():
    handle = TokenizerHandle(SimpleNamespace(value=word_tokenizer_json()), "test-word-level", 5, "test")
    batch = batch_of([[4, 4, 4], [1, 2], [3], [2, 3, 4]]).slice(1)  # token offsets start at 3
    text = get_filter("detokenize")(Resources(tokenizer=handle)).compute(batch)["text"].to_pylist()
    assert [t.split() for t in text] == [["a", "b"], ["c"], ["b", "c", "d"]]


def test_token_repetition_reads_each_row_of_a_sliced_array():
    rows = [[9] * 8, [1, 2, 1, 2, 1, 2, 1, 2], [5, 6, 7, 8, 5, 6, 7, 8], [3] * 8]
    tokens = pa.array(rows, pa.list_(pa.int32())).slice(1)
    out = token_repetition(tokens)
    expected = token_repetition(pa.array(rows[1:], pa.list_(pa.int32())))  # the same rows, unsliced
    assert out["num_repeating"].tolist() == expected["num_repeating"].tolist()
    assert out["repeating_offset"].tolist() == expected["repeating_offset"].tolist()
    assert out["smallest_repeating_chunk"].to_pylist() == expected["smallest_repeating_chunk"].to_pylist() != [[]] * 3


def test_sensitive_content_through_the_fused_pass_with_and_without_spans():
    from filters.sensitive_content import SensitiveContentSettings
    from utils.pipeline.fused_pass import FusedPass

    texts = ["write to jane.doe@fastmail.fm or 8.8.8.8", "", None, "plain prose, nothing here"]
    batch = batch_of([[5, 6]] * 4).append_column("text", pa.array(texts, pa.string()))
    for name, keep_spans in (("sensitive_content", False), ("sensitive_content_with_spans", True)):
        cls = get_filter(name)
        resources = Resources([SensitiveContentSettings(keep_spans=keep_spans)])
        schema = pa.schema([*batch.schema, *cls.adds])
        out = FusedPass((cls,), resources, schema, "test", "null", 97).process(batch, [cls(resources)]).to_pydict()
        assert out["sensitive_kinds"] == [["email", "ip_public"], [], None, []]
        assert out["sensitive_count"] == [2, 0, None, 0]
        assert ("sensitive_spans" in out) == keep_spans
        if keep_spans:
            spans = out["sensitive_spans"][0]
            assert [texts[0][s["start"] : s["end"]] for s in spans] == ["jane.doe@fastmail.fm", "8.8.8.8"]
            assert all(set(s) == {"kind", "start", "end"} for s in spans)  # offsets only, never the value


def test_keep_spans_selects_the_spans_variant_and_regions_are_checked():
    import pytest

    from utils.core.errors import ConfigError
    from utils.pipeline.config import build_config
    from utils.pipeline.plan import plan_for

    def planned_filters(config):
        return tuple(cls.name for cls in plan_for(config).filters)

    config = build_config({"filters": ["detokenize", "sensitive_content"], "sensitive_content": {"keep_spans": True}})
    assert planned_filters(config) == ("detokenize", "sensitive_content_with_spans")
    assert planned_filters(build_config({"filters": ["detokenize", "sensitive_content"]})) == ("detokenize", "sensitive_content")
    asked_by_name = build_config({"filters": ["detokenize", "sensitive_content_with_spans"]})
    assert planned_filters(asked_by_name) == ("detokenize", "sensitive_content_with_spans")
    both = build_config(
        {"filters": ["detokenize", "sensitive_content", "sensitive_content_with_spans"], "sensitive_content": {"keep_spans": True}}
    )
    assert planned_filters(both) == ("detokenize", "sensitive_content_with_spans")
    with pytest.raises(ConfigError, match="phone_regions must list ISO 3166 region codes"):
        build_config({"sensitive_content": {"phone_regions": ["USA"]}})
    with pytest.raises(ConfigError, match="keep_spans must be true or false"):
        build_config({"sensitive_content": {"keep_spans": "yes"}})
