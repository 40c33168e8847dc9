"""The report's sensitive-content rates by hand: memorized share vs the Pile base rate of the same scheme, per category."""

import pyarrow as pa
import pyarrow.dataset as pads
import pytest

from utils.reporting.sensitive import by_category, memorized_vs_base_rate


@pytest.fixture
def run(tmp_path):
    kinds = pa.list_(pa.string())
    memories = pa.table(
        {
            "dataset": ["memories"] * 4,
            "scheme": ["deduped"] * 4,
            "model": ["70m"] * 4,
            "sequence_id": [1, 2, 3, 4],
            "taxonomy": ["recitation", "recitation", "recollection", None],
            "sensitive_kinds": pa.array([["email"], ["email", "ip_public"], [], None], kinds),  # the null row is left out
        }
    )
    # The control sample appears once per model size; its rows count once per scheme.
    pile_rows = {
        "sequence_id": [10, 11, 12, 13, 14, 15],
        "sensitive_kinds": [["email"], [], [], [], ["high_entropy_string"], ["api_token"]],  # high entropy: not in "any"
    }
    piles = [
        pa.table(
            {
                "dataset": ["pile"] * 6,
                "scheme": ["deduped"] * 6,
                "model": [size] * 6,
                "sequence_id": pile_rows["sequence_id"],
                "taxonomy": ["recollection"] * 6,
                "sensitive_kinds": pa.array(pile_rows["sensitive_kinds"], kinds),
            }
        )
        for size in ("70m", "160m")
    ]
    return pads.dataset(pa.concat_tables([memories, *piles]))


def test_memorized_share_beside_the_base_rate(run):
    rates = memorized_vs_base_rate(run).set_index("kind")
    assert rates.loc["email", "memorized_rows"] == 3 and rates.loc["email", "memorized_share"] == pytest.approx(2 / 3)
    assert rates.loc["email", "pile_rows"] == 6 and rates.loc["email", "pile_share"] == pytest.approx(1 / 6)
    assert rates.loc["email", "ratio"] == pytest.approx(4.0)
    assert rates.loc["ip_public", "ratio"] == float("inf")  # memorized, never in the control sample
    assert rates.loc["api_token", "memorized_share"] == 0 and rates.loc["api_token", "pile_share"] == pytest.approx(1 / 6)
    assert rates.loc["any", "memorized_share"] == pytest.approx(2 / 3) and rates.loc["any", "pile_share"] == pytest.approx(2 / 6)
    assert rates.loc["high_entropy_string", "pile_share"] == pytest.approx(1 / 6)


def test_per_category(run):
    shares = by_category(run).set_index(["dataset", "scheme", "taxonomy", "kind"])
    assert shares.loc[("memories", "deduped", "recitation", "email"), "share"] == 1.0
    assert shares.loc[("memories", "deduped", "recitation", "ip_public"), "share"] == 0.5
    assert shares.loc[("memories", "deduped", "recollection", "any"), "share"] == 0.0
    assert shares.loc[("pile", "deduped", "recollection", "email"), "rows"] == 6  # control rows once, not once per model size
    assert shares.loc[("pile", "deduped", "recollection", "email"), "share"] == pytest.approx(1 / 6)
