"""Filters registered by name (a duplicate name is an error; an unknown name lists the choices)."""

from __future__ import annotations

from filters.base import Filter
from utils.core.errors import ConfigError

FILTERS: dict[str, type[Filter]] = {}


def register_filter(name: str):
    def register(cls: type[Filter]) -> type[Filter]:
        if name in FILTERS:
            raise ValueError(f"Filter name {name!r} is registered twice ({FILTERS[name].__module__} and {cls.__module__}).")
        cls.name = name
        FILTERS[name] = cls
        return cls

    return register


def get_filter(name: str) -> type[Filter]:
    try:
        return FILTERS[name]
    except KeyError:
        raise ConfigError(f"Unknown filter {name!r}. Registered filters: {', '.join(sorted(FILTERS))}.") from None
