"""Resources as filters see them, and the provider registry."""

import pickle
from dataclasses import dataclass

import pytest

from utils.core.resources import PROVIDERS, Provider, Resources, register_provider
from utils.core.settings import Settings, key


@dataclass(frozen=True)
class Knob(Settings):
    section = "knob"

    level: int = key(3, "how much")


def test_values_by_name_settings_by_section_and_a_clear_miss():
    resources = Resources([Knob(7)], model="handle", tokenizer=None)
    assert resources.model == "handle" and resources.get("absent") is None
    assert resources.missing(("model", "tokenizer", "absent")) == ["tokenizer", "absent"]
    assert resources.settings_of(Knob) == Knob(7) and Resources().settings_of(Knob) == Knob()
    with pytest.raises(AttributeError, match="No resource 'counts' in this run \\(resources: model, tokenizer\\)"):
        _ = resources.counts


def test_resources_travel_to_executors_intact():
    copy = pickle.loads(pickle.dumps(Resources([Knob(2)], model=[1, 2])))
    assert copy.model == [1, 2] and copy.settings_of(Knob).level == 2


def test_a_resource_provided_twice_is_refused():
    first = register_provider(type("First", (Provider,), {"provides": ("demo_counts",)}))
    try:
        assert PROVIDERS["demo_counts"] is first
        register_provider(first)  # the same class again is harmless
        with pytest.raises(ValueError, match="Resource 'demo_counts' is provided twice"):
            register_provider(type("Second", (Provider,), {"provides": ("demo_counts",)}))
    finally:
        PROVIDERS.pop("demo_counts")


def test_a_provider_does_nothing_unless_it_says_so():
    provider = Provider(config=None, needs=frozenset(), used={})
    provider.check([])
    assert provider.prepare(None, [], {}) is None and provider.for_split(None) == {} and provider.describe(None) is None
    assert provider.vocab_size(None) is None and provider.record(None, {}) == {}
