"""Where a split's analysis rows live while `analyze` works on them, behind one interface of two operations, so that
every fit, metric and correlation is written once for both (docs/METRICS.md, 'Predictive model of memorization'):

- `map_reduce(kernel)`: the sum over blocks of rows of `kernel(block)` (nested dicts, tuples, arrays and numbers),
  where a block is a dict of numpy columns;
- `value_summaries(value_sets, source, summarize)`: for each value set (one score over some rows, the rows sorted
  into small integer cells by `source(block)`) and each of its views (a subset of cells),
  `summarize(view, values, rows, positives)` over the view's distinct values ascending with their row and positive
  counts.

`DriverBlocks` holds the rows in this process (collected once, when they fit the driver budget): no Spark job.
`SparkBlocks` leaves them cached on the cluster: one Spark job per `map_reduce` (a `mapInArrow` whose partitions
return their partial sums), and one per `value_summaries` (emitted (set, cell, value, label) rows counted by
value and summarized per set in `applyInPandas`). The number of jobs does not depend on how many fits, groups,
thresholds or features one call serves.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from metrics.prediction_quality import distinct_counts, merge_counts

Block = dict[str, np.ndarray]
LABEL = "label"
SLICE_ROWS = 1 << 14  # rows per kernel call: the copies a kernel makes stay in cache


@dataclass(frozen=True)
class View:
    """Which cells of a value set one summary covers; `name` is the caller's key."""

    name: tuple
    cells: tuple[int, ...]
    kind: str  # what to compute, for `summarize`: "probability", or "score:higher" / "score:lower" (which end is positive)


@dataclass(frozen=True)
class ValueSet:
    """A score over some rows: `source(block)` gives (values, cells) with cell −1 for rows outside the set."""

    name: tuple
    views: tuple[View, ...]


class Pieces:
    """Arrays that add up by concatenation (values collected from every block)."""

    def __init__(self, arrays: list[np.ndarray]):
        self.arrays = arrays

    def __add__(self, other: Pieces) -> Pieces:
        return Pieces([*self.arrays, *other.arrays])

    def concatenated(self) -> np.ndarray:
        return np.concatenate(self.arrays) if self.arrays else np.zeros(0)


def tree_sum(left, right):
    """Elementwise sum of two results of the same shape (dicts, lists, tuples, arrays, numbers, `+`-able objects)."""
    if left is None:
        return right
    if right is None:
        return left
    if isinstance(left, dict):
        return {key: tree_sum(left.get(key), right.get(key)) for key in left.keys() | right.keys()}
    if isinstance(left, list | tuple):
        return type(left)(tree_sum(a, b) for a, b in zip(left, right))
    return left + right


def slices(block: Block, size: int = SLICE_ROWS) -> Iterator[Block]:
    rows = len(block[LABEL])
    for start in range(0, rows, size):
        yield {name: column[start : start + size] for name, column in block.items()}


class DriverBlocks:
    """The rows as numpy columns in this process; slices of them are worked on by a few threads (numpy and BLAS
    release the GIL)."""

    engine = "driver"

    def __init__(self, columns: Block, threads: int | None = None):
        self.columns = columns
        self.rows = len(columns[LABEL])
        self.threads = threads or min(4, os.cpu_count() or 1)

    def map_reduce(self, kernel: Callable[[Block], object], description: str = "") -> object:
        total = None
        with ThreadPoolExecutor(self.threads) as pool:
            for part in pool.map(kernel, slices(self.columns)):
                total = tree_sum(total, part)
        return total

    def value_summaries(self, value_sets: list[ValueSet], source: Callable, summarize: Callable, description: str = "") -> dict:
        """(set name, view name) -> summary. Each value set is sorted once; its views are taken from that order."""
        labels = self.columns[LABEL]

        def summarize_set(item) -> dict:
            value_set, (values, cells) = item
            held = np.flatnonzero((cells >= 0) & ~np.isnan(values))
            order = held[np.argsort(values[held])]
            sorted_values, sorted_labels, sorted_cells = values[order], labels[order], cells[order]
            out = {}
            for view in value_set.views:
                chosen = cell_mask(view, sorted_cells)
                table = distinct_counts(sorted_values[chosen], sorted_labels[chosen])
                out[(value_set.name, view.name)] = summarize(view, *table)
            return out

        out = {}
        with ThreadPoolExecutor(self.threads) as pool:
            pending = []  # at most one set per thread in flight: each holds arrays as long as the split
            for item in zip(value_sets, source(self.columns)):
                pending.append(pool.submit(summarize_set, item))
                if len(pending) >= self.threads:
                    out.update(pending.pop(0).result())
            for future in pending:
                out.update(future.result())
        return out


def cell_mask(view: View, cells: np.ndarray) -> np.ndarray:
    """Rows whose cell is one of the view's (a lookup table: faster than np.isin on long arrays)."""
    allowed = np.zeros(max(int(cells.max(initial=0)), *view.cells) + 1, dtype=bool)
    allowed[list(view.cells)] = True
    return allowed[cells]


class SparkBlocks:
    """The rows as a cached Spark DataFrame; every operation is one Spark job over it."""

    engine = "cluster"

    def __init__(self, frame, rows: int, batch_rows: int = 1 << 18):
        self.frame = frame.cache()
        self.rows = rows
        self.batch_rows = batch_rows

    def _describe(self, description: str) -> None:
        if description:
            self.frame.sparkSession.sparkContext.setJobDescription(description)

    def map_reduce(self, kernel: Callable[[Block], object], description: str = "") -> object:
        batch_rows = self.batch_rows

        def partial_sums(batches):
            total = None
            for block in arrow_blocks(batches, batch_rows):
                for part in slices(block):
                    total = tree_sum(total, kernel(part))
            if total is not None:
                import pyarrow as pa

                yield pa.RecordBatch.from_pydict({"partial": [pickle.dumps(total)]})

        self._describe(description)
        total = None
        for row in self.frame.mapInArrow(partial_sums, "partial binary").collect():
            total = tree_sum(total, pickle.loads(row["partial"]))
        return total

    def value_summaries(self, value_sets: list[ValueSet], source: Callable, summarize: Callable, description: str = "") -> dict:
        from pyspark.sql import functions as F

        batch_rows = self.batch_rows
        views = {index: value_set.views for index, value_set in enumerate(value_sets)}

        def emit(batches):
            import pyarrow as pa

            for block in arrow_blocks(batches, batch_rows):
                for index, (values, cells) in enumerate(source(block)):  # one batch per set: memory of one set at a time
                    held = (cells >= 0) & ~np.isnan(values)
                    columns = (np.full(int(held.sum()), index, np.int32), cells[held], values[held], block[LABEL][held])
                    yield pa.RecordBatch.from_arrays([pa.array(c) for c in columns], names=["set", "cell", "value", "label"])

        def summarize_set(frame):
            import pandas as pd

            index = int(frame["set"].iloc[0])
            cells, values = frame["cell"].to_numpy(), frame["value"].to_numpy()
            rows, positives = frame["rows"].to_numpy(np.float64), frame["positives"].to_numpy(np.float64)
            out = []
            for number, view in enumerate(views[index]):
                chosen = cell_mask(view, cells)
                table = merge_counts(values[chosen], rows[chosen], positives[chosen])
                out.append((index, number, pickle.dumps(summarize(view, *table))))
            return pd.DataFrame(out, columns=["set", "view", "summary"])

        self._describe(description)
        counted = (
            self.frame.mapInArrow(emit, "set int, cell int, value double, label double")
            .groupBy("set", "cell", "value")
            .agg(F.count(F.lit(1)).alias("rows"), F.sum("label").alias("positives"))
        )
        summaries = counted.groupBy("set").applyInPandas(summarize_set, "set int, view int, summary binary").collect()
        out = {}
        for row in summaries:
            value_set = value_sets[row["set"]]
            out[(value_set.name, value_set.views[row["view"]].name)] = pickle.loads(row["summary"])
        for value_set in value_sets:  # a set with no rows at all: its views summarize empty tables
            for view in value_set.views:
                if (value_set.name, view.name) not in out:
                    empty = np.zeros(0)
                    out[(value_set.name, view.name)] = summarize(view, empty, empty, empty)
        return out

    def release(self) -> None:
        self.frame.unpersist()


def arrow_blocks(batches, rows: int) -> Iterator[Block]:
    """Arrow record batches regrouped into numpy blocks of about `rows` rows (nulls read as NaN)."""
    import pyarrow as pa

    pending, held = [], 0
    for batch in batches:
        pending.append(batch)
        held += batch.num_rows
        if held >= rows:
            yield numpy_block(pa.Table.from_batches(pending))
            pending, held = [], 0
    if held:
        yield numpy_block(pa.Table.from_batches(pending))


def numpy_block(table) -> Block:
    """Each column of an Arrow table as one numpy array (the analysis columns are doubles: nulls read as NaN)."""
    return {name: table.column(name).to_numpy() for name in table.column_names}
