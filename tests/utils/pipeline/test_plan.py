import pytest

from filters import FILTERS, register_filter
from filters.base import Filter
from utils.core.errors import ConfigError
from utils.core.schema import BASE_SCHEMA
from utils.pipeline.plan import build_plan
from utils.pipeline.resources import RESOURCE_NAMES


def test_plan_keeps_the_filters_in_order_with_their_needs_and_columns():
    plan = build_plan(("detokenize", "compression", "patterns"))
    assert [cls.name for cls in plan.filters] == ["detokenize", "compression", "patterns"]
    assert plan.output_schema.names.index("text") < plan.output_schema.names.index("zlib_ratio")
    assert plan.needs == {"tokenizer"}
    assert plan.output_schema.names[: len(BASE_SCHEMA)] == BASE_SCHEMA.names


def test_unknown_filter_lists_choices():
    with pytest.raises(
        ConfigError,
        match="Registered filters: code_vs_nl, compression, detokenize, duplication, likelihood, likelihood_with_token_log_probs, "
        "memorization, patterns, semantic_duplicates, sensitive_content, sensitive_content_with_spans, taxonomy, token_frequency",
    ):
        build_plan(("detokenize", "perplexity_typo"))


def test_missing_input_names_the_provider():
    with pytest.raises(ConfigError, match="Put detokenize before it"):
        build_plan(("compression", "detokenize"))


def test_duplicate_filter_is_refused():
    with pytest.raises(ConfigError, match="listed twice"):
        build_plan(("detokenize", "detokenize"))


def test_every_registered_filter_declares_itself():
    """Contract over every filter: a name, declared reads, Arrow-typed adds that clash with no base column."""
    for cls in FILTERS.values():
        assert cls.adds.names and cls.__doc__, cls.name
        assert not set(cls.adds.names) & set(BASE_SCHEMA.names), cls.name
        assert set(cls.needs) <= set(RESOURCE_NAMES), cls.name


def test_registering_a_taken_name_or_an_unknown_resource_is_refused():
    with pytest.raises(ValueError, match="registered twice"):
        register_filter("detokenize")(type("Again", (Filter,), {"__doc__": "x"}))
    with pytest.raises(ValueError, match="needs gpu_budget; resources are tokenizer, model"):
        register_filter("needs_unknown")(type("Unknown", (Filter,), {"needs": ("gpu_budget",)}))
    assert "needs_unknown" not in FILTERS and FILTERS["detokenize"].__name__ == "Detokenize"
