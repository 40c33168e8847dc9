"""configs/default.yaml and docs/CONFIGURATION.md, generated from the registered settings dataclasses, their one
source of keys, defaults and meanings (utils/core/settings.py). `python -m utils.pipeline.reference` rewrites both;
a test fails when either differs from what the dataclasses say."""

from __future__ import annotations

import dataclasses
import sys
import typing
from pathlib import Path
from typing import Any

import yaml

from utils.core.settings import SETTINGS
from utils.pipeline.config import DEFAULT_FILTERS, register_sections

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_YAML = ROOT / "configs" / "default.yaml"
REFERENCE_PAGE = ROOT / "docs" / "CONFIGURATION.md"
REGENERATE = "python -m utils.pipeline.reference"
TOP_LEVEL = {
    "filters": (list(DEFAULT_FILTERS), "filters to run, in order (docs/FILTERS.md lists them); --filters overrides"),
    "plugins": ([], "modules or .py files that register more filters, sections and resources (docs/FILTERS.md, 'Your own filter')"),
}


PACKAGE_ORDER = ("utils.pipeline", "utils.data", "utils.runtime", "utils.corpus", "filters", "utils.sample")


def sections() -> list[tuple[str, type]]:
    """The registered sections, the engine's first, then by the package and module that declares them."""
    register_sections()

    def rank(item: tuple[int, tuple[str, type]]) -> tuple:
        order, (_, cls) = item
        package = next((i for i, prefix in enumerate(PACKAGE_ORDER) if cls.__module__.startswith(prefix)), len(PACKAGE_ORDER))
        return package, cls.__module__, order

    return [item for _, item in sorted(enumerate(SETTINGS.items()), key=rank)]


def yaml_value(value: Any) -> str:
    """A value as one line of YAML in flow style (tuples as lists)."""
    plain = _plain(value)
    text = yaml.safe_dump(plain, default_flow_style=True, width=1 << 16, sort_keys=False).strip()
    return text.removesuffix("\n...").removesuffix("...").strip()


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def nested_types(cls: type) -> list[tuple[str, type]]:
    """(key, dataclass) of each key whose values are sections of their own (a list or a mapping of them)."""
    found = []
    for name, hint in typing.get_type_hints(cls).items():
        for arg in typing.get_args(hint):
            if dataclasses.is_dataclass(arg):
                found.append((name, arg))
    return found


def default_yaml() -> str:
    lines = [
        f"# Every key with its default and meaning, generated from the settings dataclasses by `{REGENERATE}`",
        "# (do not edit by hand). Copy, edit, and pass with --config; CLI flags override it. Reference: docs/CONFIGURATION.md",
    ]
    for name, (value, doc) in TOP_LEVEL.items():
        lines.append(f"{name}: {yaml_value(value)}  # {doc}")
    for section, cls in sections():
        lines.append(f"{section}:  # {_summary(cls)}")
        defaults = cls()
        for field in dataclasses.fields(cls):
            lines.append(f"  {field.name}: {yaml_value(getattr(defaults, field.name))}  # {field.metadata.get('doc', '')}")
        for name, nested in nested_types(cls):
            lines.append(f"  # each {name} entry ({nested.__name__}):")
            item = nested()
            for field in dataclasses.fields(nested):
                lines.append(f"  #   {field.name}: {yaml_value(getattr(item, field.name))}  # {field.metadata.get('doc', '')}")
    return "\n".join(lines) + "\n"


def reference_page() -> str:
    lines = [
        "# Configuration",
        "",
        f"Every key of a run's config with its default and meaning, generated from the settings dataclasses by `{REGENERATE}`",
        "(do not edit by hand). [`configs/default.yaml`](../configs/default.yaml) holds the same keys as a file to copy;",
        "pass yours with `--config`; command-line flags (`python calculate_metrics.py --help`) override it. An unknown section",
        "or key stops the run with an error naming it. A filter or resource declares its own section in its module",
        "(the module is named under each heading), so a plugin's section appears here once it is registered.",
        "",
        "## Top level",
        "",
        "| key | default | meaning |",
        "| --- | --- | --- |",
    ]
    for name, (value, doc) in TOP_LEVEL.items():
        lines.append(f"| `{name}` | `{yaml_value(value)}` | {_cell(doc)} |")
    for section, cls in sections():
        lines += ["", f"## `{section}`", "", f"{_summary(cls)} Declared in `{cls.__module__.replace('.', '/')}.py`.", ""]
        lines += _table(cls, cls())
        for name, nested in nested_types(cls):
            lines += ["", f"Each entry of `{section}.{name}` ({_summary(nested)}):", ""]
            lines += _table(nested, nested())
    return "\n".join(lines) + "\n"


def _table(cls: type, defaults: Any) -> list[str]:
    rows = ["| key | default | meaning |", "| --- | --- | --- |"]
    for field in dataclasses.fields(cls):
        rows.append(f"| `{field.name}` | `{yaml_value(getattr(defaults, field.name))}` | {_cell(field.metadata.get('doc', ''))} |")
    return rows


def _summary(cls: type) -> str:
    return (cls.__doc__ or "").strip().splitlines()[0]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def main() -> int:
    DEFAULT_YAML.write_text(default_yaml(), encoding="utf-8")
    REFERENCE_PAGE.write_text(reference_page(), encoding="utf-8")
    print(f"Wrote {DEFAULT_YAML.relative_to(ROOT)} and {REFERENCE_PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
