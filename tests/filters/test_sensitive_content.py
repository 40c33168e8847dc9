"""sensitive_content: kinds, counts and (in its spans variant) offsets per row, null text kept null, and its settings."""

import pyarrow as pa
import pytest

from filters import get_filter
from filters.sensitive_content import SensitiveContent, SensitiveContentSettings, SensitiveContentWithSpans
from tests.batches import batch_of
from utils.core.errors import ConfigError
from utils.core.resources import Resources


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


def compute(texts, settings=None, cls=SensitiveContent):
    settings = settings or SensitiveContentSettings()
    batch = pa.RecordBatch.from_pydict({"text": pa.array(texts, pa.string())})
    return cls(Resources([settings])).compute(batch)


def test_a_kind_is_listed_once_but_counted_per_finding_and_each_row_keeps_its_own_spans():
    texts = ["x@y.z", "mail li.wei@mit.edu, li.wei@mit.edu and 10.0.0.1", None, "no findings"]
    out = compute(texts, cls=SensitiveContentWithSpans)
    assert out["sensitive_kinds"].to_pylist() == [[], ["email", "ip_private_or_reserved"], None, []]  # x@y.z: a 1-letter TLD
    assert out["sensitive_count"].to_pylist() == [0, 3, None, 0]  # one kind twice counts twice, listed once
    spans = out["sensitive_spans"].to_pylist()
    assert [(s["kind"], texts[1][s["start"] : s["end"]]) for s in spans[1]] == [
        ("email", "li.wei@mit.edu"),
        ("email", "li.wei@mit.edu"),
        ("ip_private_or_reserved", "10.0.0.1"),
    ]
    assert spans[0] == [] and spans[2] is None and spans[3] == []


def test_the_phone_regions_setting_decides_which_national_formats_count():
    text = ["Ruf an: 030 12345678"]  # a Berlin number written the German way
    assert compute(text, SensitiveContentSettings(phone_regions=("US",)))["sensitive_kinds"].to_pylist() == [[]]
    assert compute(text, SensitiveContentSettings(phone_regions=("DE",)))["sensitive_kinds"].to_pylist() == [["phone_number"]]


def test_the_variant_follows_keep_spans_unless_the_spans_filter_is_asked_for_by_name():
    assert SensitiveContent.variant(SensitiveContentSettings(keep_spans=False)) == "sensitive_content"
    assert SensitiveContent.variant(SensitiveContentSettings(keep_spans=True)) == "sensitive_content_with_spans"
    assert SensitiveContentWithSpans.variant(SensitiveContentSettings(keep_spans=False)) == "sensitive_content_with_spans"
    assert "sensitive_spans" not in SensitiveContent.adds.names and SensitiveContentWithSpans.adds.names[-1] == "sensitive_spans"


@pytest.mark.parametrize("regions", [(), ("US", "XX")])
def test_no_region_or_an_unknown_one_is_a_config_error(regions):
    with pytest.raises(ConfigError, match="phone_regions must list ISO 3166 region codes"):
        SensitiveContentSettings(phone_regions=regions).check()
