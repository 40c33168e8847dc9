"""What a filter is: a named step that declares the columns it reads and adds and what it needs.

A row-local filter's `compute` gets an Arrow batch of valid rows (input columns plus every column
added by earlier filters) and returns only its new columns; the pipeline fuses consecutive row-local
filters into one `mapInArrow` pass and puts nulls in the rows the bad-record policy flagged.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pyarrow as pa

from utils.pipeline.errors import ConfigError

Column = pa.Array | np.ndarray | list


class Filter:
    name: ClassVar[str]
    reads: ClassVar[tuple[str, ...]] = ()
    adds: ClassVar[pa.Schema] = pa.schema([])
    needs: ClassVar[tuple[str, ...]] = ()  # resources: "tokenizer", "sequence_duplicates", "token_counts"
    row_local: ClassVar[bool] = True
    outside_reason: ClassVar[str] = ""  # bad-record reason for ids >= token_limit

    @classmethod
    def token_limit(cls, resources: dict[str, Any]) -> int | None:
        """Ids this filter can handle are < this (e.g. the size of a count table); None: any valid id."""
        return None

    @classmethod
    def min_tokens(cls, resources: dict[str, Any]) -> int | None:
        """Valid rows shorter than this get null in some of this filter's columns; None: any length works."""
        return None

    def __init__(self, resources: dict[str, Any]):
        missing = [need for need in self.needs if need not in resources]
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
