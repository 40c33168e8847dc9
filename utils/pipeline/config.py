"""The run configuration: YAML file + CLI overrides -> one frozen, validated `Config`.

Every section is a registered Settings dataclass (utils/core/settings.py) declared by the module it configures:
the engine's own `run` here, `data`/`hub` in utils/data, `spark` in utils/runtime, and each filter's or resource's
beside it. An unknown section or key is a `ConfigError` naming it, so a typo never silently falls back to a default.
`plugins` names modules (or .py files) outside the project that register more filters, sections and resources.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from utils.core.errors import ConfigError
from utils.core.settings import SETTINGS, Settings, absolute, as_list, check_positive, key, parse_settings, register_settings

RUN_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
DEFAULT_FILTERS = ("detokenize", "compression", "patterns", "sensitive_content")
TOP_LEVEL_KEYS = ("filters", "plugins")  # the keys of a config that are not sections


@register_settings("run")
@dataclass(frozen=True)
class RunSettings(Settings):
    """Where a run writes, and how many splits it computes at a time."""

    run_id: str | None = key(None, "the run directory's name under output; null: a UTC timestamp; letters, digits, _ - . only")
    output: str = key("outputs", "output root: a local path, hdfs://..., s3a://... (shared storage on a cluster)")
    cache_dir: str = key(".cache/memorization", "Hugging Face splits cached as Parquet, model copies (shared storage on a cluster)")
    overwrite: bool = key(False, "recompute splits already complete in this run_id")
    dry_run: bool = key(False, "validate and print the plan; run nothing")
    # A Python worker keeps one model, so splits of different models running together reload models.
    concurrent_splits: int = key(1, "splits computed at the same time: >1 fills idle cores when splits are small; 1 for large models")
    break_lock: bool = key(False, "take over the run directory's lock even if its holder may be alive (it is dead: killed, host lost)")
    lock_stale_seconds: float = key(600, "a lock whose heartbeat (every 30 s) is older than this is stale and taken over")

    def check(self) -> None:
        if self.run_id is not None:
            check_run_id(self.run_id)
        check_positive(self, "lock_stale_seconds")
        if not isinstance(self.concurrent_splits, int) or self.concurrent_splits < 1:
            raise ConfigError(f"run.concurrent_splits must be a whole number >= 1, got {self.concurrent_splits!r}.")

    def with_absolute_paths(self) -> RunSettings:
        return dataclasses.replace(self, cache_dir=absolute(self.cache_dir))


@dataclass(frozen=True)
class Config:
    """Every section of a run by name (`config.model`, `config.run`), the filters in order, and the plugins loaded."""

    sections: Mapping[str, Settings]
    filters: tuple[str, ...] = DEFAULT_FILTERS
    plugins: tuple[str, ...] = ()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name == "sections":
            raise AttributeError(name)
        try:
            return self.sections[name]
        except KeyError:
            raise AttributeError(f"No config section {name!r} (sections: {', '.join(self.sections)}).") from None

    def section(self, cls: type[Settings]) -> Settings:
        """The settings of a registered section (its defaults when the config has none, e.g. a plugin's)."""
        return self.sections.get(cls.section) or cls()

    def to_dict(self) -> dict[str, Any]:
        settings = {name: dataclasses.asdict(value) for name, value in self.sections.items()}
        return {**settings, "filters": list(self.filters), "plugins": list(self.plugins)}


def register_sections() -> None:
    """Imports the modules that declare the built-in sections (registration happens on import)."""
    import filters  # noqa: F401  (filters register their sections and resources, and import the shared ones)
    import utils.data.settings  # noqa: F401
    import utils.runtime.spark_settings  # noqa: F401
    import utils.sample.settings  # noqa: F401


def load_plugins(names: tuple[str, ...]) -> None:
    """Imports each plugin: a module name, or a .py file (shipped to executors by value, so a cluster needs no install)."""
    for name in names:
        if name.endswith(".py"):
            path = Path(name).expanduser().resolve()
            if not path.is_file():
                raise ConfigError(f"Plugin {name} does not exist.")
            module_name = "memorization_plugin_" + re.sub(r"\W", "_", path.stem)
            if module_name in sys.modules:
                continue
            spec = importlib.util.spec_from_file_location(module_name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            try:
                spec.loader.exec_module(module)
            except Exception as error:
                del sys.modules[module_name]
                raise ConfigError(f"Plugin {name} failed to load: {type(error).__name__}: {error}") from None
        else:
            try:
                module = importlib.import_module(name)
            except ImportError as error:
                raise ConfigError(f"Plugin module {name!r} cannot be imported: {error}.") from None
        from pyspark import cloudpickle

        cloudpickle.register_pickle_by_value(module)


def load_yaml(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"Config file {path} does not exist.") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"Config file {path} is not valid YAML: {error}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ConfigError(f"Config file {path} must hold a mapping of sections, not {type(loaded).__name__}.")
    return loaded


def merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge `overrides` into a copy of `base` (mappings merge, everything else replaces)."""
    merged = dict(base)
    for name, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(name), dict):
            merged[name] = merge(merged[name], value)
        else:
            merged[name] = value
    return merged


def build_config(raw: dict[str, Any]) -> Config:
    """Validate a raw mapping (YAML merged with CLI overrides) into a `Config`: plugins loaded, every section parsed,
    pointed at the sample when `sample.enabled`, its local paths made absolute, and checked."""
    register_sections()
    plugins = tuple(str(name) for name in as_list(raw.get("plugins")))
    load_plugins(plugins)
    unknown = sorted(set(raw) - set(SETTINGS) - set(TOP_LEVEL_KEYS))
    if unknown:
        known = [*SETTINGS, *TOP_LEVEL_KEYS]
        raise ConfigError(f"Unknown config section(s) {', '.join(unknown)}. Known: {', '.join(known)}.")
    sections = {name: parse_settings(cls, raw.get(name), name) for name, cls in SETTINGS.items()}
    sample = sections["sample"]
    if sample.enabled:
        directory = Path(sample.directory)
        sections = {name: settings.for_sample(directory) for name, settings in sections.items()}
    sections = {name: settings.with_absolute_paths() for name, settings in sections.items()}
    for settings in sections.values():
        settings.check()
    names = tuple(str(name) for name in as_list(raw.get("filters", list(DEFAULT_FILTERS))))
    return Config(sections, names, plugins)


def check_run_id(run_id: str) -> str:
    """A run id is one path component: it can never escape the output directory."""
    if not RUN_ID_PATTERN.match(run_id) or ".." in run_id:
        raise ConfigError(
            f"--run-id {run_id!r} is not allowed: use 1-128 letters, digits, '_', '-' or '.', "
            "starting with a letter or digit, without '..' or '/', so the run stays inside --output."
        )
    return run_id
