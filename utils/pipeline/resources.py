"""The providers a run's filters need, found through the registry and built once per run (utils/core/resources.py):
checked before any work, prepared once with Spark, then asked for each split's values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from utils.core.errors import ConfigError
from utils.core.resources import PROVIDERS, Provider, Resources


@dataclass(frozen=True)
class SplitResources:
    """One split's resources as its filters see them, what the manifest says about them, and the valid id bound."""

    resources: Resources
    record: dict[str, Any]
    vocab_size: int | None


class RunResources:
    """Every provider the plan's needs call for (and those they use), one instance each, in dependency order."""

    def __init__(self, config, plan):
        self.config, self.plan = config, plan
        wanted: dict[type[Provider], set[str]] = {}
        self._want(plan.needs, wanted)
        built: dict[type[Provider], Provider] = {}
        for cls in wanted:
            self._build(cls, wanted, built, ())
        self.providers = list(built.values())

    @staticmethod
    def _want(names, wanted: dict[type[Provider], set[str]]) -> None:
        for name in sorted(names):
            cls = provider_of(name)
            if name not in wanted.setdefault(cls, set()):
                wanted[cls].add(name)
                RunResources._want(cls.uses, wanted)

    def _build(self, cls, wanted, built, building: tuple) -> Provider:
        if cls in built:
            return built[cls]
        if cls in building:
            raise ConfigError(f"Resource providers use each other in a circle: {' -> '.join(c.__name__ for c in (*building, cls))}.")
        used = {name: self._build(provider_of(name), wanted, built, (*building, cls)) for name in cls.uses}
        built[cls] = cls(self.config, frozenset(wanted[cls]), used)
        return built[cls]

    def check(self, splits: list) -> None:
        for provider in self.providers:
            provider.check(splits)

    def describe(self, split) -> list[str]:
        return [note for provider in self.providers if (note := provider.describe(split))]

    def prepare(self, spark, inputs: list, frames: dict) -> dict[str, Any]:
        """Each provider's shared Spark work, in dependency order; their manifest summaries by provider name."""
        summaries = {}
        for provider in self.providers:
            summary = provider.prepare(spark, inputs, frames)
            if summary is not None:
                summaries[provider.name or type(provider).__name__] = summary
        return summaries

    def for_split(self, split) -> SplitResources:
        values: dict[str, Any] = {}
        record: dict[str, Any] = {}
        for provider in self.providers:
            own = provider.for_split(split)
            values.update(own)
            record.update(provider.record(split, own))
        settings = [self.config.section(cls.settings_class) for cls in self.plan.filters if cls.settings_class]
        known = (provider.vocab_size(split) for provider in self.providers)
        vocab_size = self.config.data.vocab_size or next((size for size in known if size is not None), None)
        return SplitResources(Resources(settings, **values), record, vocab_size)


def provider_of(name: str) -> type[Provider]:
    try:
        return PROVIDERS[name]
    except KeyError:
        raise ConfigError(f"No provider is registered for resource {name!r} (registered: {', '.join(sorted(PROVIDERS))}).") from None
