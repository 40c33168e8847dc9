"""The run plan: which filters run in which order, and the schema they produce, checked before any work."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from filters import get_filter
from filters.base import Filter
from utils.core.errors import ConfigError
from utils.core.resources import PROVIDERS
from utils.core.schema import BASE_SCHEMA


@dataclass(frozen=True)
class Plan:
    filters: tuple[type[Filter], ...]  # in order; all run in one fused pass (utils/pipeline/fused_pass.py)
    output_schema: pa.Schema

    @property
    def needs(self) -> set[str]:
        return {need for cls in self.filters for need in cls.needs}

    def describe(self) -> str:
        lines = [
            f"{len(self.filters)} filter(s) in one fused pass: "
            + (" + ".join(cls.name for cls in self.filters) or "(none: tokens are validated)")
        ]
        lines.extend(f"  {cls.describe()}" for cls in self.filters)
        lines.append("output columns: " + ", ".join(f"{f.name}: {f.type}" for f in self.output_schema))
        return "\n".join(lines)


def plan_for(config) -> Plan:
    """The plan of config.filters, each replaced by the variant its settings select (Filter.variant), once each, in order."""
    chosen = []
    for name in config.filters:
        cls = get_filter(name)
        chosen.append(cls.variant(config.section(cls.settings_class) if cls.settings_class else None))
    return build_plan(tuple(dict.fromkeys(chosen)))


def build_plan(filter_names: tuple[str, ...]) -> Plan:
    """Resolves names, checks that each filter's inputs exist before it and that no column is added twice."""
    if len(set(filter_names)) != len(filter_names):
        raise ConfigError(f"A filter is listed twice in {', '.join(filter_names)}.")
    classes = tuple(get_filter(name) for name in filter_names)
    fields = list(BASE_SCHEMA)
    available = {field.name: cls_name for field, cls_name in zip(fields, ["input"] * len(fields))}
    for cls in classes:
        missing = [column for column in cls.reads if column not in available]
        if missing:
            providers = [other.name for other in classes if set(missing) & set(other.adds.names)]
            hint = f" Put {', '.join(providers)} before it." if providers else " Add a filter that provides it."
            raise ConfigError(f"Filter {cls.name!r} reads {', '.join(missing)}, which no earlier step provides.{hint}")
        for field in cls.adds:
            if field.name in available:
                raise ConfigError(f"Filter {cls.name!r} adds column {field.name!r}, which {available[field.name]} already provides.")
            available[field.name] = f"filter {cls.name!r}"
            fields.append(field)
        unprovided = [need for need in cls.needs if need not in PROVIDERS]
        if unprovided:
            raise ConfigError(
                f"Filter {cls.name!r} needs {', '.join(unprovided)}, which no registered provider builds "
                f"(registered resources: {', '.join(sorted(PROVIDERS)) or 'none'})."
            )
    return Plan(classes, pa.schema(fields))
