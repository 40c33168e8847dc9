"""The analysis rows of one split: the features it has (and why the others are not used), the label, the complete rows
counted, the semantic count at threshold 0.8, the hash that decides the train/test split, and the clear errors."""

import numpy as np
import pandas as pd
import pytest

from utils.analysis.data import HASH, HASH_BITS, load_rows
from utils.core.errors import ConfigError, DataSourceError


def write(directory, frame):
    directory.mkdir(parents=True)
    frame.to_parquet(directory / "part-0.parquet")
    return str(directory)


FRAME = pd.DataFrame(
    {
        "sequence_id": [1, 2, 3, 4, 5],
        "memorization_score": [1.0, 0.5, 1.0, None, 0.0],
        "huffman_coding_length": [1.0, 2.0, np.nan, 4.0, 5.0],
        "sequence_duplicates": [3, 7, 1, 2, 9],
        "is_templating": [True, False, True, False, None],
        "semantic_snowclones": [[5, 1], [0, 0], [2, 2], [1, 0], [3, 3]],
        "loss": [0.1, 0.2, 0.3, 0.4, 0.5],
    }
)


def test_complete_rows_only_with_what_was_left_out_and_why(spark, tmp_path):
    path = write(tmp_path / "split", FRAME)
    wanted = ["huffman_coding_length", "avg_frequency", "0_8_snowclones", "0_8_templates"]
    rows = load_rows(spark, path, "t/split", wanted, [0.9, 0.8], seed=3)
    assert rows.features == ["huffman_coding_length", "0_8_snowclones"]
    assert rows.missing == {
        "avg_frequency": "not a column of this split",
        "0_8_templates": "no semantic_templates column (run the semantic_duplicates filter)",
    }
    # row 3: NaN feature, row 4: no label, row 5: no templating flag (a taxonomy input)
    assert (rows.rows, rows.complete_rows, rows.positives) == (5, 2, 1)
    assert (
        rows.has_taxonomy_inputs
        and not rows.has_nl_score
        and rows.scores == ["loss", "sequence_duplicates", "0_8_snowclones", "huffman_coding_length"]
    )
    got = rows.frame.toPandas().sort_values("label")
    assert got["label"].tolist() == [0.0, 1.0] and got["0_8_snowclones"].tolist() == [0.0, 1.0]  # element 2: the 0.8 count
    assert got["huffman_coding_length"].tolist() == [2.0, 1.0] and got["is_templating"].tolist() == [0.0, 1.0]
    assert ((got[HASH] >= 0) & (got[HASH] < 2**HASH_BITS)).all() and set(rows.columns) >= {"loss", "huffman_coding_length"}


def test_the_hash_follows_the_seed_and_the_threshold_must_include_0_8(spark, tmp_path):
    path = write(tmp_path / "split", FRAME)
    first = load_rows(spark, path, "t", ["huffman_coding_length"], [0.8], seed=1).frame.toPandas()[HASH]
    again = load_rows(spark, path, "t", ["huffman_coding_length"], [0.8], seed=1).frame.toPandas()[HASH]
    other = load_rows(spark, path, "t", ["huffman_coding_length"], [0.8], seed=2).frame.toPandas()[HASH]
    assert first.tolist() == again.tolist() != other.tolist()
    rows = load_rows(spark, path, "t", ["huffman_coding_length", "0_8_snowclones"], [0.9], seed=1)
    assert rows.missing == {"0_8_snowclones": "semantic.thresholds of the run [0.9] have no 0.8"}


def test_no_label_no_feature_or_no_split_is_one_clear_error(spark, tmp_path):
    path = write(tmp_path / "split", FRAME)
    with pytest.raises(ConfigError, match="split t: none of the features avg_frequency are available"):
        load_rows(spark, path, "t", ["avg_frequency"], [0.8], seed=1)
    unlabelled = write(tmp_path / "unlabelled", FRAME.drop(columns="memorization_score"))
    with pytest.raises(DataSourceError, match="has no memorization_score column"):
        load_rows(spark, unlabelled, "t", ["huffman_coding_length"], [0.8], seed=1)
    with pytest.raises(DataSourceError, match="split t: cannot read"):
        load_rows(spark, str(tmp_path / "none"), "t", ["huffman_coding_length"], [0.8], seed=1)
