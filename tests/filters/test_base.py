"""What every filter shares: a missing resource named when it is built, its settings from the run (or their defaults),
and the one-line description `--dry-run` prints."""

import pyarrow as pa
import pytest

from filters.base import Filter
from filters.taxonomy import TaxonomySettings
from utils.core.errors import ConfigError
from utils.core.resources import Resources
from utils.pipeline.plan import build_plan


def test_a_filter_whose_resource_is_missing_names_it():
    with pytest.raises(ConfigError, match="needs token_counts"):
        build_plan(("token_frequency",)).filters[0](Resources())


class Needy(Filter):
    name = "needy"
    reads = ("tokens", "text")
    adds = pa.schema([("a", pa.int64()), ("b", pa.list_(pa.string()))])
    needs = ("model", "tokenizer")
    settings_class = TaxonomySettings


def test_every_missing_resource_is_named_and_a_none_value_counts_as_missing():
    with pytest.raises(ConfigError, match=r"Filter 'needy' needs model, tokenizer, which this run does not provide"):
        Needy(Resources(tokenizer=None))
    with pytest.raises(ConfigError, match=r"needs tokenizer,"):
        Needy(Resources(model=object()))


def test_settings_come_from_the_run_else_their_defaults():
    assert Needy(Resources(model=1, tokenizer=2)).settings == TaxonomySettings()
    assert Needy(Resources([TaxonomySettings(3)], model=1, tokenizer=2)).settings.recitation_threshold == 3


def test_the_description_lists_reads_adds_with_types_and_needs():
    assert Needy.describe() == "needy: reads tokens, text -> adds a: int64, b: list<item: string>; needs model, tokenizer"


def test_the_defaults_run_any_length_any_id_and_as_listed():
    resources = Resources()
    assert (Needy.token_limit(resources), Needy.min_tokens(resources), Needy.variant(None)) == (None, None, "needy")
    with pytest.raises(NotImplementedError):
        Needy(Resources(model=1, tokenizer=2)).compute(pa.RecordBatch.from_pydict({}))
