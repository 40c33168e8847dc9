"""Settings: one config section as a frozen dataclass that documents and checks its own keys (STYLE.md, 'A metric is one unit').

A module declares its section with `@register_settings("name")` on a frozen dataclass subclassing `Settings`, each
key written `name: type = key(default, "meaning")`. The dataclasses are the one source of keys, defaults and meanings:
configs/default.yaml and docs/CONFIGURATION.md are generated from them (utils/pipeline/reference.py).
"""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from pathlib import Path
from typing import Any, ClassVar

from utils.core.errors import ConfigError

SETTINGS: dict[str, type[Settings]] = {}  # section name -> its dataclass, in registration order
NO_DEFAULT = dataclasses.MISSING


def key(default: Any = NO_DEFAULT, doc: str = "", *, factory: Any = NO_DEFAULT) -> Any:
    """A config key: its default (or a factory for a mutable one) and a one-line meaning for the reference."""
    return dataclasses.field(default=default, default_factory=factory, metadata={"doc": doc})


class Settings:
    """Base of a config section. Override `check` (no I/O), `with_absolute_paths` and `for_sample` where they apply."""

    section: ClassVar[str] = ""
    shorthand: ClassVar[str | None] = None  # a key a plain string stands for (e.g. a local input given as its path)

    def check(self) -> None:
        """Raises a ConfigError naming `section.key` when a value is out of range; runs before any work."""

    def with_absolute_paths(self) -> Settings:
        """The settings with local paths made absolute on the driver, so executors open the same files."""
        return self

    def for_sample(self, directory: Path) -> Settings:
        """The settings of a run on the bundled sample (`sample.enabled`): keys left at their default point into it."""
        return self


def register_settings(section: str):
    """Registers a Settings dataclass under its config section (a duplicate section is an error)."""

    def register(cls: type[Settings]) -> type[Settings]:
        if section in SETTINGS and SETTINGS[section] is not cls:
            raise ValueError(f"Config section {section!r} is registered twice ({SETTINGS[section].__module__} and {cls.__module__}).")
        if not (dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen):
            raise ValueError(f"Settings of section {section!r} must be a frozen dataclass.")
        cls.section = section
        SETTINGS[section] = cls
        return cls

    return register


def parse_settings(cls: type, raw: Any, where: str) -> Any:
    """A raw mapping (YAML, CLI overrides) -> an instance of the dataclass `cls`; unknown keys are a ConfigError."""
    if raw is None:
        return cls()
    if isinstance(raw, str) and getattr(cls, "shorthand", None):
        raw = {cls.shorthand: raw}
    if not isinstance(raw, dict):
        raise ConfigError(f"Config section {where!r} must be a mapping, not {type(raw).__name__}.")
    known = [f.name for f in dataclasses.fields(cls)]
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise ConfigError(f"Unknown key(s) {', '.join(unknown)} in config section {where!r}. Known keys: {', '.join(known)}.")
    hints = typing.get_type_hints(cls)
    return cls(**{name: _coerce(hints[name], value, f"{where}.{name}") for name, value in raw.items()})


def _coerce(hint: Any, value: Any, where: str) -> Any:
    """Lists, mappings and nested sections take their declared shape; scalars stay as given for `check` to judge."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        kinds = [arg for arg in args if arg is not type(None)]
        return _coerce(kinds[0], value, where) if len(kinds) == 1 else value
    if origin is tuple:
        return tuple(_item(args[0], item, where) for item in as_list(value))
    if origin is dict:
        if not isinstance(value or {}, dict):
            raise ConfigError(f"{where} must be a mapping, not {value!r}.")
        return {str(name): _item(args[1], item, f"{where}.{name}") for name, item in (value or {}).items()}
    if dataclasses.is_dataclass(hint):
        return parse_settings(hint, value, where)
    return value


def _item(hint: Any, value: Any, where: str) -> Any:
    """One element of a list or mapping value: numbers and strings are converted, sections parsed."""
    if dataclasses.is_dataclass(hint):
        return parse_settings(hint, value, where)
    if hint is float:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{where} must be a list of numbers, got {value!r}.") from None
    return str(value) if hint is str else value


def as_list(value: Any) -> list[Any]:
    """A YAML list, or a comma-separated string (as CLI flags give lists)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, (list, tuple)):
        return list(value)
    raise ConfigError(f"Expected a list or a comma-separated string, got {value!r}.")


def absolute(path: str | None) -> str | None:
    """A local path made absolute against the driver's working directory (`~` expanded); URIs as given."""
    if path is None or "://" in path:
        return path
    return os.path.abspath(os.path.expanduser(path))


def local_path_or_id(name: str) -> str:
    """A model named by a local path made absolute; a Hugging Face id as given."""
    return absolute(name) if name.startswith((".", "/", "~")) or Path(name).expanduser().exists() else name


def check_positive(settings: Settings, *names: str, whole: bool = False) -> None:
    """Each named key is null or a positive number (a positive whole number with `whole`)."""
    for name in names:
        value = getattr(settings, name)
        if value is None:
            continue
        if whole and (not isinstance(value, int) or isinstance(value, bool)) or value <= 0:
            kind = "a positive whole number" if whole else "positive"
            raise ConfigError(f"{settings.section}.{name} must be {kind} or null, got {value!r}.")
