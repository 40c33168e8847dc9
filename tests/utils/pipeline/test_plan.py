import pytest

from filters import FILTERS, register_filter
from filters.base import Filter
from utils.core.errors import ConfigError
from utils.core.resources import PROVIDERS
from utils.core.schema import BASE_SCHEMA
from utils.pipeline.plan import build_plan


def test_plan_keeps_the_filters_in_order_with_their_needs_and_columns():
    plan = build_plan(("detokenize", "compression", "patterns"))
    assert [cls.name for cls in plan.filters] == ["detokenize", "compression", "patterns"]
    assert plan.output_schema.names.index("text") < plan.output_schema.names.index("zlib_ratio")
    assert plan.needs == {"tokenizer"}
    assert plan.output_schema.names[: len(BASE_SCHEMA)] == BASE_SCHEMA.names


def test_unknown_filter_lists_choices():
    with pytest.raises(
        ConfigError,
        match="Registered filters: code_vs_nl, compression, detokenize, duplication, hidden_states, likelihood, "
        "likelihood_with_token_log_probs, "
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
        assert set(cls.needs) <= set(PROVIDERS), cls.name  # every need has a registered provider


def test_registering_a_taken_name_is_refused_and_a_need_without_provider_fails_the_plan():
    with pytest.raises(ValueError, match="registered twice"):
        register_filter("detokenize")(type("Again", (Filter,), {"__doc__": "x"}))
    assert FILTERS["detokenize"].__name__ == "Detokenize"
    unknown = register_filter("needs_unknown")(type("Unknown", (Filter,), {"needs": ("gpu_budget",), "__doc__": "x"}))
    try:
        with pytest.raises(ConfigError, match="needs gpu_budget, which no registered provider builds"):
            build_plan(("needs_unknown",))
    finally:
        FILTERS.pop(unknown.name)
