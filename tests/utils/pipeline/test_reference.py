"""configs/default.yaml and docs/CONFIGURATION.md are what the settings dataclasses say, and every key has a meaning."""

import dataclasses

import yaml

from utils.core.settings import parse_settings
from utils.pipeline.reference import DEFAULT_YAML, REFERENCE_PAGE, REGENERATE, default_yaml, nested_types, reference_page, sections


def test_the_committed_files_are_the_generated_ones():
    """A key added, renamed or re-documented in a dataclass changes these files: regenerate them with the command."""
    assert DEFAULT_YAML.read_text(encoding="utf-8") == default_yaml(), f"configs/default.yaml is stale: run `{REGENERATE}`"
    assert REFERENCE_PAGE.read_text(encoding="utf-8") == reference_page(), f"docs/CONFIGURATION.md is stale: run `{REGENERATE}`"


def test_every_key_of_every_section_has_a_meaning_and_appears_in_both_files():
    page, listed = reference_page(), yaml.safe_load(default_yaml())
    for section, cls in sections():
        assert f"## `{section}`" in page and section in listed, section
        for field in dataclasses.fields(cls):
            assert field.metadata.get("doc"), f"{section}.{field.name} has no meaning: declare it with key(default, doc)"
            assert f"| `{field.name}` |" in page and field.name in listed[section], f"{section}.{field.name}"
        for name, nested in nested_types(cls):
            assert all(field.metadata.get("doc") for field in dataclasses.fields(nested)), f"{section}.{name}"


def test_the_generated_yaml_parses_back_to_the_defaults():
    listed = yaml.safe_load(default_yaml())
    for section, cls in sections():
        assert parse_settings(cls, listed[section], section) == cls(), section
