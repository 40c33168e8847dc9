"""The two engines behind `analyze`: sums of kernels over blocks of rows, and per-view summaries of distinct values,
the same on the driver and on Spark; and the small parts they are built from."""

import numpy as np
import pandas as pd
import pyarrow as pa

from utils.analysis.blocks import (
    SLICE_ROWS,
    DriverBlocks,
    Pieces,
    SparkBlocks,
    ValueSet,
    View,
    arrow_blocks,
    cell_mask,
    slices,
    tree_sum,
)


def test_tree_sum_adds_nested_results_and_none_is_nothing():
    left = {"a": (1, np.array([1, 2])), "b": [Pieces([np.array([1])])], "c": 2.5}
    right = {"a": (4, np.array([10, 20])), "b": [Pieces([np.array([2, 3])])], "d": 7}
    total = tree_sum(left, right)
    assert total["a"][0] == 5 and total["a"][1].tolist() == [11, 22] and isinstance(total["a"], tuple)
    assert total["b"][0].concatenated().tolist() == [1, 2, 3] and (total["c"], total["d"]) == (2.5, 7)
    assert tree_sum(None, 3) == 3 and tree_sum(3, None) == 3 and Pieces([]).concatenated().tolist() == []


def test_slices_cover_every_row_once_and_cell_mask_picks_a_views_cells():
    block = {"label": np.arange(5.0), "x": np.arange(5) * 10}
    parts = list(slices(block, 2))
    assert [p["x"].tolist() for p in parts] == [[0, 10], [20, 30], [40]]
    view = View(("v",), (1, 3), "probability")
    assert cell_mask(view, np.array([0, 1, 2, 3, 3])).tolist() == [False, True, False, True, True]  # cells of held rows: >= 0
    assert cell_mask(View(("v",), (7,), "probability"), np.array([0, 1])).tolist() == [False, False]  # a cell beyond the rows'


def test_map_reduce_on_the_driver_sums_over_every_slice():
    rows = 2 * SLICE_ROWS + 5
    x = np.random.default_rng(0).normal(size=rows)
    blocks = DriverBlocks({"label": (x > 0).astype(float), "x": x}, threads=3)
    total = blocks.map_reduce(lambda block: {"n": len(block["x"]), "sum": block["x"].sum(), "max": Pieces([block["x"][:1]])})
    assert total["n"] == rows and np.isclose(total["sum"], x.sum())
    assert sorted(total["max"].concatenated().tolist()) == sorted(x[[0, SLICE_ROWS, 2 * SLICE_ROWS]].tolist())


COLUMNS = {
    "label": np.array([1, 0, 1, 0, 0, 1, 1.0]),
    "score": np.array([0.5, 0.5, 0.2, 0.9, np.nan, 0.2, 0.7]),
    "group": np.array([0, 0, 1, 1, 1, 2, 2]),
}
SETS = [
    ValueSet(("score",), (View(("all",), (0, 1, 2), "score:higher"), View(("first",), (0,), "score:higher"))),
    ValueSet(("none",), (View(("all",), (0,), "score:higher"),)),  # every row outside the set
]


def source(block):
    yield block["score"], block["group"].astype(np.int32)
    yield block["score"], np.full(len(block["label"]), -1, np.int32)


def tables(view, values, rows, positives):
    return values.tolist(), rows.tolist(), positives.tolist()


def test_value_summaries_count_distinct_values_per_view_on_the_driver_and_on_spark(spark):
    expected = {
        (("score",), ("all",)): ([0.2, 0.5, 0.7, 0.9], [2, 2, 1, 1], [2, 1, 1, 0]),  # the NaN row left out
        (("score",), ("first",)): ([0.5], [2], [1]),
        (("none",), ("all",)): ([], [], []),
    }
    assert DriverBlocks(COLUMNS, threads=2).value_summaries(SETS, source, tables) == expected
    frame = spark.createDataFrame(pd.DataFrame(COLUMNS)).repartition(3)
    on_spark = SparkBlocks(frame, len(COLUMNS["label"]), batch_rows=2)
    try:
        assert on_spark.value_summaries(SETS, source, tables) == expected
        assert on_spark.map_reduce(lambda block: {"n": len(block["label"]), "positives": block["label"].sum()}) == {
            "n": 7,
            "positives": 4.0,
        }
    finally:
        on_spark.release()


def test_arrow_batches_regroup_into_blocks_of_about_the_asked_rows_with_nulls_as_nan():
    batches = [pa.RecordBatch.from_pydict({"label": [1.0, None, 0.0]})] * 3
    blocks = list(arrow_blocks(batches, 5))
    assert [len(b["label"]) for b in blocks] == [6, 3]
    assert np.isnan(blocks[0]["label"][1]) and blocks[1]["label"][0] == 1.0
    assert list(arrow_blocks([], 5)) == []
