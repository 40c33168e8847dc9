"""What a filter is: a named step that declares the columns it reads and adds, the resources it needs and its settings.

`compute` gets an Arrow batch of valid rows (input columns plus every column added by earlier filters)
and returns only its new columns; the pipeline runs all filters in one `mapInArrow` pass
(utils/pipeline/fused_pass.py) and puts nulls in the rows the bad-record policy flagged.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pyarrow as pa

from utils.core.errors import ConfigError
from utils.core.resources import Resources
from utils.core.settings import Settings

Column = pa.Array | np.ndarray | list


class Filter:
    name: ClassVar[str]
    reads: ClassVar[tuple[str, ...]] = ()
    adds: ClassVar[pa.Schema] = pa.schema([])
    needs: ClassVar[tuple[str, ...]] = ()  # resource names, each built by a registered provider (utils/core/resources.py)
    settings_class: ClassVar[type[Settings] | None] = None  # its config section, when it has settings
    tallied: ClassVar[tuple[str, ...]] = ()  # added columns whose value counts the run manifest records per split
    outside_reason: ClassVar[str] = ""  # bad-record reason for ids >= token_limit

    @classmethod
    def token_limit(cls, resources: Resources) -> int | None:
        """Ids this filter can handle are < this (e.g. the size of a count table); None: any valid id."""
        return None

    @classmethod
    def variant(cls, settings: Settings | None) -> str:
        """The registered filter that runs when a config lists this one, given its settings: a filter whose columns
        depend on a setting names its variant here; most run as listed."""
        return cls.name

    @classmethod
    def min_tokens(cls, resources: Resources) -> int | None:
        """Valid rows shorter than this get null in some of this filter's columns; None: any length works."""
        return None

    def __init__(self, resources: Resources):
        missing = resources.missing(self.needs)
        if missing:
            raise ConfigError(f"Filter {self.name!r} needs {', '.join(missing)}, which this run does not provide.")
        self.resources = resources
        self.settings = resources.settings_of(self.settings_class) if self.settings_class else None

    def compute(self, batch: pa.RecordBatch) -> dict[str, Column]:
        raise NotImplementedError

    @classmethod
    def describe(cls) -> str:
        added = ", ".join(f"{field.name}: {field.type}" for field in cls.adds)
        needs = f"; needs {', '.join(cls.needs)}" if cls.needs else ""
        return f"{cls.name}: reads {', '.join(cls.reads)} -> adds {added}{needs}"
