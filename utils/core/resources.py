"""Resources: what a filter needs beyond its batch (a model, corpus counts, a classifier), built once per run by a
provider the engine finds through the registry (STYLE.md, 'A metric is one unit').

A filter lists resource names in `needs`; a `Provider` subclass registered with `@register_provider` says which names
it `provides`. The engine builds each provider the plan needs once, checks it before any Spark work, prepares it
(Spark work shared by every split, e.g. a corpus scan), then hands each split its values as a `Resources`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from utils.core.settings import Settings

PROVIDERS: dict[str, type[Provider]] = {}  # resource name -> the provider that builds it


class Provider:
    """Builds named resources for a run. Every method has a default, so a provider overrides only what it does."""

    name: ClassVar[str] = ""  # its entry in the run manifest (the summary `prepare` returns)
    provides: ClassVar[tuple[str, ...]] = ()
    uses: ClassVar[tuple[str, ...]] = ()  # resources of other providers it builds on (handed in as `used`)

    def __init__(self, config: Any, needs: frozenset[str], used: Mapping[str, Provider]):
        self.config = config  # the run's Config: a provider reads its own section(s)
        self.needs = needs  # the names of `provides` that the plan's filters need
        self.used = used  # resource name -> the provider of each name in `uses`

    def check(self, splits: list[Any]) -> None:
        """Everything that needs no Spark (files, model configs), for every split; raises a PipelineError."""

    def describe(self, split: Any) -> str | None:
        """What this provider gives the split, for `--dry-run`; None: nothing to say."""
        return None

    def prepare(self, spark: Any, inputs: list[Any], frames: Mapping[Any, Any]) -> dict[str, Any] | None:
        """Spark work shared by every split, before the first one runs (`frames`: each split's DataFrame, read once);
        returns a summary for the run manifest, or None."""
        return None

    def for_split(self, split: Any) -> dict[str, Any]:
        """The values of the needed resources for one split (picklable: they travel to executors)."""
        return {}

    def vocab_size(self, split: Any) -> int | None:
        """The largest valid token id + 1 this provider knows for the split (a tokenizer's vocabulary), or None."""
        return None

    def record(self, split: Any, values: Mapping[str, Any]) -> dict[str, Any]:
        """What the manifest entry of the split says about these values (e.g. which model scored it)."""
        return {}


def register_provider(cls: type[Provider]) -> type[Provider]:
    """Registers a provider under each name it provides (a name provided twice is an error)."""
    for name in cls.provides:
        if name in PROVIDERS and PROVIDERS[name] is not cls:
            raise ValueError(f"Resource {name!r} is provided twice ({PROVIDERS[name].__qualname__} and {cls.__qualname__}).")
        PROVIDERS[name] = cls
    return cls


class Resources:
    """What the filters of one split see: each resource by name (`resources.model`) and the run's settings sections."""

    def __init__(self, settings: Iterable[Settings] = (), **values: Any):
        self._values = dict(values)
        self._settings = {type(s).section: s for s in settings}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"No resource {name!r} in this run (resources: {', '.join(self._values) or 'none'}).") from None

    def __getstate__(self) -> dict[str, Any]:
        return {"_values": self._values, "_settings": self._settings}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def get(self, name: str) -> Any:
        return self._values.get(name)

    def missing(self, needs: tuple[str, ...]) -> list[str]:
        return [need for need in needs if self._values.get(need) is None]

    def settings_of(self, cls: type[Settings]) -> Settings:
        """The run's settings of that section (its defaults when the run holds none)."""
        return self._settings.get(cls.section) or cls()
