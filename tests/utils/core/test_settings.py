"""Settings sections: parsing raw YAML/CLI values into their declared shapes, registration, and the shared checks."""

from dataclasses import dataclass
from typing import ClassVar

import pytest

from utils.core.errors import ConfigError
from utils.core.settings import Settings, absolute, as_list, check_positive, key, local_path_or_id, parse_settings


@dataclass(frozen=True)
class Item:
    shorthand: ClassVar[str] = "path"

    path: str = key("", "where")
    rows: int | None = key(None, "how many")


@dataclass(frozen=True)
class Section(Settings):
    section = "demo"

    thresholds: tuple[float, ...] = key((0.5,), "numbers")
    names: tuple[str, ...] = key((), "strings")
    items: tuple[Item, ...] = key((), "nested list")
    table: dict[str, Item] = key(factory=dict, doc="nested mapping")
    conf: dict[str, str] = key(factory=dict, doc="strings by name")
    label: int | str | None = key(1, "left as given")
    size: int | None = key(None, "positive or null")


def test_values_take_their_declared_shape():
    parsed = parse_settings(
        Section,
        {
            "thresholds": "0.8, 0.9",
            "names": [1, "b"],
            "items": ["a.parquet", {"path": "b.parquet", "rows": 3}],
            "table": {"x": {"path": "c"}},
            "conf": {"spark.x": 4},
            "label": "NL",
        },
        "demo",
    )
    assert parsed.thresholds == (0.8, 0.9) and parsed.names == ("1", "b")
    assert parsed.items == (Item("a.parquet"), Item("b.parquet", 3)) and parsed.table == {"x": Item("c")}
    assert parsed.conf == {"spark.x": "4"} and parsed.label == "NL" and parsed.size is None
    assert parse_settings(Section, None, "demo") == Section()


@pytest.mark.parametrize(
    "raw, message",
    [
        ({"thresholdz": 1}, r"Unknown key\(s\) thresholdz in config section 'demo'. Known keys: thresholds, names"),
        ({"thresholds": ["x"]}, r"demo.thresholds must be a list of numbers, got 'x'"),
        ({"table": [1]}, r"demo.table must be a mapping"),
        ({"items": [{"paht": "a"}]}, r"Unknown key\(s\) paht in config section 'demo.items'"),
        ({"names": 3}, "Expected a list or a comma-separated string, got 3"),
        ("text", "Config section 'demo' must be a mapping, not str"),
    ],
)
def test_a_bad_value_is_an_error_naming_where_it_is(raw, message):
    with pytest.raises(ConfigError, match=message):
        parse_settings(Section, raw, "demo")


def test_as_list_accepts_lists_and_comma_strings():
    assert as_list("a, b,,c") == ["a", "b", "c"] and as_list(("x",)) == ["x"] and as_list(None) == []


def test_check_positive_names_the_key():
    check_positive(Section(size=3), "size", whole=True)
    check_positive(Section(), "size")
    with pytest.raises(ConfigError, match="demo.size must be positive or null, got 0"):
        check_positive(Section(size=0), "size")
    with pytest.raises(ConfigError, match="demo.size must be a positive whole number or null, got 2.5"):
        check_positive(Section(size=2.5), "size", whole=True)
    with pytest.raises(ConfigError, match="whole number or null, got True"):
        check_positive(Section(size=True), "size", whole=True)


def test_local_paths_become_absolute_and_uris_and_hub_ids_stay(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert absolute("x/y") == str(tmp_path / "x/y") and absolute("s3a://b/k") == "s3a://b/k" and absolute(None) is None
    (tmp_path / "here").mkdir()
    assert local_path_or_id("here") == str(tmp_path / "here") and local_path_or_id("./there") == str(tmp_path / "there")
    assert local_path_or_id("EleutherAI/pythia-70m") == "EleutherAI/pythia-70m"


def test_defaults_leave_a_section_unchanged():
    section = Section()
    assert section.with_absolute_paths() is section and section.for_sample(__import__("pathlib").Path("/s")) is section
    section.check()
