"""The report's extraction-risk tables by hand: discoverable shares, greedy rate, and prefix curves."""

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest

from utils.reporting.extraction import discoverability_table, prefix_curves


def test_discoverable_shares_by_hand():
    # P = 0.6: one sample; 0.01: 1 - 0.99^100 = 0.63 (not at 10: 0.096); 1e-4: 10,000 samples (0.63), not 1,000 (0.095);
    # P = 0 (a token outside top-k): never. The null row is left out.
    frame = pd.DataFrame(
        {
            "label": ["memories/deduped.70m"] * 5,
            "taxonomy": ["recitation", "recitation", "recollection", "recollection", "recollection"],
            "continuation_log_prob": [math.log(0.6), math.log(0.01), math.log(1e-4), -math.inf, None],
            "memorization_score": [1.0, 1.0, 1.0, 1.0, 1.0],
            "model_memorization_score": [1.0, 0.5, 0.25, 0.0, 0.0],
            "exact_prefix_length": [32, 3, 0, 0, 0],
        }
    )
    table = discoverability_table(frame, ["memories/deduped.70m"]).set_index("category")
    everything = table.loc["all"]
    assert everything["rows"] == 4
    assert [everything[f"discoverable_n{n}"] for n in (1, 10, 100, 1000, 10000)] == [0.25, 0.25, 0.5, 0.5, 0.75]
    assert everything["greedy_memorized"] == 0.25  # the run's own model's greedy score, not the dataset's
    assert everything["impossible_under_sampler"] == 0.25 and everything["mean_exact_prefix"] == pytest.approx(35 / 4)
    assert table.loc["recitation", "discoverable_n10"] == 0.5 and table.loc["recitation", "discoverable_n100"] == 1.0
    assert table.loc["recollection", "rows"] == 2 and table.loc["recollection", "discoverable_n10000"] == 0.5
    assert "reconstruction" not in table.index  # no rows: no line
    assert table.loc["recitation", "median_samples_to_discover"] == (1 + 69) / 2  # ceil(ln 0.5 / ln 0.99) = 69
    assert table.loc["recitation", "log10_p_q50"] == pytest.approx(-2.0)  # the lower of two (no interpolation across -inf)
    assert table.loc["recollection", "log10_p_q10"] == -math.inf


def test_prefix_curves_stream_token_log_probs(tmp_path):
    values = np.full((3, 63), -0.1, dtype=np.float32)
    values[:, 31:] = np.array([[-0.01], [-0.2], [-1.0]], dtype=np.float32)  # per-token continuation log-probs of each row
    table = pa.table(
        {
            "dataset": ["memories"] * 4,
            "split": ["duped.70m"] * 4,
            "taxonomy": ["recitation", "recollection", "recollection", "recollection"],
            "token_log_probs": [*values.tolist(), [-0.5] * 39],  # the 40-token row is left out
        },
        schema=pa.schema(
            [("dataset", pa.string()), ("split", pa.string()), ("taxonomy", pa.string()), ("token_log_probs", pa.list_(pa.float32()))]
        ),
    )
    pq.write_table(table, tmp_path / "part.parquet")
    curves = prefix_curves(pads.dataset(str(tmp_path / "part.parquet")), ["memories/duped.70m"]).set_index(["category", "prefix_tokens"])
    recollection = curves.loc["recollection"]
    assert recollection.loc[1, "rows"] == 2
    assert recollection.loc[4, "mean_log10_p"] == pytest.approx((4 * -0.2 + 4 * -1.0) / 2 / math.log(10), rel=1e-6)
    # P(first j) >= 0.5 <=> j * per-token <= ln 2: row -0.2 up to j = 3, row -1.0 never
    assert recollection.loc[3, "share_p_at_least_half"] == 0.5 and recollection.loc[4, "share_p_at_least_half"] == 0.0
    assert curves.loc[("recitation", 32), "share_p_at_least_half"] == 1.0  # 32 x -0.01 = -0.32 > ln 0.5
    assert curves.loc[("all", 1), "rows"] == 3
