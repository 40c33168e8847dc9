"""The filter registry: a name is taken once, the class learns its name, and an unknown name lists the choices."""

import pytest

from filters.base import Filter
from filters.registry import FILTERS, get_filter, register_filter
from utils.core.errors import ConfigError


@pytest.fixture
def scratch_name():
    name = "registry_test_filter"
    yield name
    FILTERS.pop(name, None)


def test_registering_names_the_class_and_makes_it_findable(scratch_name):
    @register_filter(scratch_name)
    class Scratch(Filter):
        pass

    assert Scratch.name == scratch_name and get_filter(scratch_name) is Scratch


def test_a_name_taken_twice_names_both_modules(scratch_name):
    register_filter(scratch_name)(type("First", (Filter,), {}))
    with pytest.raises(ValueError, match=rf"Filter name '{scratch_name}' is registered twice \(.*test_registry and .*test_registry\)"):
        register_filter(scratch_name)(type("Second", (Filter,), {}))


def test_an_unknown_name_lists_every_registered_filter_sorted():
    import filters  # noqa: F401  (registers them all)

    with pytest.raises(ConfigError) as error:
        get_filter("compresion")
    listed = str(error.value).split("Registered filters: ")[1].rstrip(".").split(", ")
    assert listed == sorted(FILTERS) and {"compression", "detokenize", "taxonomy"} <= set(listed)


def test_every_column_a_filter_or_the_pipeline_writes_is_in_the_column_table():
    """docs/COLUMNS.md names each output column (type, meaning, unit, source): a new column cannot go undocumented."""
    from tests.conftest import ROOT
    from utils.core.schema import BASE_SCHEMA
    from utils.data.json_lines import JSON_LINE_COLUMNS

    table = (ROOT / "docs" / "COLUMNS.md").read_text()
    columns = {*BASE_SCHEMA.names, *JSON_LINE_COLUMNS, *(name for cls in FILTERS.values() for name in cls.adds.names)}
    assert len(FILTERS) >= 10
    assert sorted(name for name in columns if f"`{name}`" not in table) == []
