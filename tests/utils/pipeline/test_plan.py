import pytest

from filters import FILTERS
from utils.pipeline.errors import ConfigError
from utils.pipeline.plan import BASE_SCHEMA, build_plan


def test_first_filters_fuse_into_one_pass():
    plan = build_plan(("detokenize", "compression", "patterns"))
    assert [[cls.name for cls in stage] for stage in plan.stages] == [["detokenize", "compression", "patterns"]]
    assert plan.needs == {"tokenizer"}
    assert plan.output_schema.names[: len(BASE_SCHEMA)] == BASE_SCHEMA.names


def test_unknown_filter_lists_choices():
    with pytest.raises(ConfigError, match="Registered filters: compression, detokenize, duplication, likelihood, likelihood_with_token_log_probs, memorization, patterns, taxonomy, token_frequency"):
        build_plan(("detokenize", "perplexity_typo"))


def test_missing_input_names_the_provider():
    with pytest.raises(ConfigError, match="Put detokenize before it"):
        build_plan(("compression", "detokenize"))


def test_duplicate_filter_is_refused():
    with pytest.raises(ConfigError, match="listed twice"):
        build_plan(("detokenize", "detokenize"))


def test_every_registered_filter_declares_itself():
    """Contract over every filter: a name, declared reads, Arrow-typed adds that clash with no base column."""
    for name, cls in FILTERS.items():
        assert cls.name == name and cls.adds.names and cls.__doc__
        assert not set(cls.adds.names) & set(BASE_SCHEMA.names)
