"""The providers of a plan: found by the names filters need, built once each in the order they use each other, and
asked per split for values, manifest records and the valid-id bound."""

import pyarrow as pa
import pytest

from filters.base import Filter
from filters.registry import FILTERS, register_filter
from utils.core.errors import ConfigError
from utils.core.resources import PROVIDERS, Provider, register_provider
from utils.pipeline.config import build_config
from utils.pipeline.plan import build_plan
from utils.pipeline.resources import RunResources

BUILT: list[str] = []


class Vocabulary(Provider):
    provides = ("demo_vocabulary",)

    def __init__(self, config, needs, used):
        super().__init__(config, needs, used)
        BUILT.append("vocabulary")

    def for_split(self, split):
        return {"demo_vocabulary": f"vocabulary of {split}"}

    def vocab_size(self, split):
        return 50

    def record(self, split, values):
        return {"vocabulary": values["demo_vocabulary"]}


class Counts(Provider):
    name = "demo_counts"
    provides = ("demo_counts", "demo_totals")
    uses = ("demo_vocabulary",)

    def __init__(self, config, needs, used):
        super().__init__(config, needs, used)
        BUILT.append("counts")

    def prepare(self, spark, inputs, frames):
        return {"splits": len(frames)}

    def for_split(self, split):
        return {need: f"{need} with {self.used['demo_vocabulary'].for_split(split)['demo_vocabulary']}" for need in self.needs}


@pytest.fixture
def demo_filters():
    for cls in (Vocabulary, Counts):
        register_provider(cls)
    users = [
        register_filter(name)(type(name, (Filter,), {"needs": needs, "adds": pa.schema([(f"{name}_out", pa.int8())]), "__doc__": "x"}))
        for name, needs in (("demo_a", ("demo_counts",)), ("demo_b", ("demo_counts", "demo_totals")))
    ]
    BUILT.clear()
    yield
    for name in ("demo_vocabulary", "demo_counts", "demo_totals"):
        PROVIDERS.pop(name)
    for cls in users:
        FILTERS.pop(cls.name)


def test_each_provider_is_built_once_after_those_it_uses(demo_filters):
    resources = RunResources(build_config({}), build_plan(("demo_a", "demo_b")))
    assert BUILT == ["vocabulary", "counts"] and [type(p) for p in resources.providers] == [Vocabulary, Counts]
    counts = resources.providers[1]
    assert counts.needs == {"demo_counts", "demo_totals"} and counts.used["demo_vocabulary"] is resources.providers[0]
    assert resources.prepare(None, [], {"s1": None, "s2": None}) == {"demo_counts": {"splits": 2}}


def test_a_split_gets_every_value_the_records_and_the_vocabulary_bound(demo_filters):
    split = build_config({}).data  # any hashable stands for a split here
    resources = RunResources(build_config({}), build_plan(("demo_a",))).for_split("s1")
    assert resources.resources.demo_counts == "demo_counts with vocabulary of s1"
    assert resources.resources.demo_vocabulary == "vocabulary of s1" and resources.record == {"vocabulary": "vocabulary of s1"}
    assert resources.vocab_size == 50 and split.vocab_size is None
    assert RunResources(build_config({"data": {"vocab_size": 9}}), build_plan(("demo_a",))).for_split("s1").vocab_size == 9


def test_providers_that_use_each_other_in_a_circle_are_refused(demo_filters):
    register_provider(type("Loop", (Provider,), {"provides": ("demo_loop",), "uses": ("demo_loop",)}))
    looping = register_filter("demo_loop_user")(type("demo_loop_user", (Filter,), {"needs": ("demo_loop",), "__doc__": "x"}))
    try:
        with pytest.raises(ConfigError, match="use each other in a circle: Loop -> Loop"):
            RunResources(build_config({}), build_plan(("demo_loop_user",)))
    finally:
        PROVIDERS.pop("demo_loop")
        FILTERS.pop(looping.name)


def test_filters_get_their_settings_sections():
    from filters.taxonomy import TaxonomySettings

    reader = register_filter("demo_settings_reader")(type("demo_settings_reader", (Filter,), {"settings_class": TaxonomySettings}))
    try:
        config = build_config({"taxonomy": {"recitation_threshold": 3}})
        resources = RunResources(config, build_plan(("demo_settings_reader",))).for_split("s").resources
        assert resources.settings_of(TaxonomySettings).recitation_threshold == 3
        assert reader(resources).settings == TaxonomySettings(3)
    finally:
        FILTERS.pop(reader.name)
