"""What a filter is: a named step that declares the columns it reads and adds and the resources it needs.

`compute` gets an Arrow batch of valid rows (input columns plus every column added by earlier filters)
and returns only its new columns; the pipeline runs all filters in one `mapInArrow` pass
(utils/pipeline/fused_pass.py) and puts nulls in the rows the bad-record policy flagged.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pyarrow as pa

from utils.core.errors import ConfigError
from utils.pipeline.resources import FilterResources

Column = pa.Array | np.ndarray | list


class Filter:
    name: ClassVar[str]
    reads: ClassVar[tuple[str, ...]] = ()
    adds: ClassVar[pa.Schema] = pa.schema([])
    needs: ClassVar[tuple[str, ...]] = ()  # fields of FilterResources (utils/pipeline/resources.py)
    outside_reason: ClassVar[str] = ""  # bad-record reason for ids >= token_limit

    @classmethod
    def token_limit(cls, resources: FilterResources) -> int | None:
        """Ids this filter can handle are < this (e.g. the size of a count table); None: any valid id."""
        return None

    @classmethod
    def variant(cls, config) -> str:
        """The registered filter that runs when a config lists this one: a filter whose columns depend on a
        setting (utils/pipeline/config.py) names its variant here; most run as listed."""
        return cls.name

    @classmethod
    def min_tokens(cls, resources: FilterResources) -> int | None:
        """Valid rows shorter than this get null in some of this filter's columns; None: any length works."""
        return None

    def __init__(self, resources: FilterResources):
        missing = resources.missing(self.needs)
        if missing:
            raise ConfigError(f"Filter {self.name!r} needs {', '.join(missing)}, which this run does not provide.")
        self.resources = resources

    def compute(self, batch: pa.RecordBatch) -> dict[str, Column]:
        raise NotImplementedError

    @classmethod
    def describe(cls) -> str:
        added = ", ".join(f"{field.name}: {field.type}" for field in cls.adds)
        needs = f"; needs {', '.join(cls.needs)}" if cls.needs else ""
        return f"{cls.name}: reads {', '.join(cls.reads)} -> adds {added}{needs}"
