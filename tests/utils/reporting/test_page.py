"""The report page's parts: the run's split files (not `_` directories), splits ordered by dataset, scheme, size and
step, the sections that skip with a reason, the manifest table, and the analysis tables when `analyze` ran.
The whole `report` command: tests/utils/test_report.py."""

import json

import pandas as pd
import pytest

from utils.core.errors import DataSourceError
from utils.reporting.page import (
    analysis_section,
    load_columns,
    manifest_section,
    pile_rate_section,
    split_dataset,
    split_order,
    taxonomy_section,
)
from utils.reporting.sections import Sections


def test_split_files_of_a_run_and_only_the_columns_asked_for_that_exist(tmp_path):
    for directory in ("memories/duped.70m", "_report/x", "pile/deduped.1b"):
        (tmp_path / directory).mkdir(parents=True)
    pd.DataFrame({"dataset": ["memories"], "split": ["duped.70m"], "zlib_ratio": [0.5]}).to_parquet(
        tmp_path / "memories/duped.70m/p.parquet"
    )
    pd.DataFrame({"dataset": ["x"], "split": ["y"], "zlib_ratio": [9.0]}).to_parquet(tmp_path / "_report/x/p.parquet")
    pd.DataFrame({"dataset": ["pile"], "split": ["deduped.1b"], "zlib_ratio": [0.7]}).to_parquet(tmp_path / "pile/deduped.1b/p.parquet")
    dataset = split_dataset(tmp_path)
    frame = load_columns(dataset, ["zlib_ratio", "taxonomy"])
    assert list(frame.columns) == ["dataset", "split", "zlib_ratio"] and sorted(frame["zlib_ratio"]) == [0.5, 0.7]
    with pytest.raises(DataSourceError, match="holds no split output"):
        split_dataset(tmp_path / "_report")


def test_splits_order_by_dataset_scheme_size_then_step():
    frame = pd.DataFrame(
        [
            ("pile", "duped.70m", "duped", "70m", 143000),
            ("memories", "duped.12b", "duped", "12b", 143000),
            ("memories", "duped.12b.23000", "duped", "12b", 23000),
            ("memories", "duped.1.4b", "duped", "1.4b", 143000),
            ("memories", "deduped.160m", "deduped", "160m", 143000),
            ("local", "mine", None, None, None),
        ],
        columns=["dataset", "split", "scheme", "model", "checkpoint"],
    )
    assert split_order(pd.concat([frame, frame])) == [
        "local/mine",
        "memories/deduped.160m",
        "memories/duped.1.4b",
        "memories/duped.12b.23000",
        "memories/duped.12b",
        "pile/duped.70m",
    ]


def test_sections_without_their_columns_say_what_is_missing(tmp_path):
    page = Sections(tmp_path)
    frame = pd.DataFrame({"dataset": ["memories"], "split": ["duped.70m"], "label": ["memories/duped.70m"], "x": [1.0]})
    taxonomy_section(page, frame, ["x"], ["memories/duped.70m"])
    pile_rate_section(page, frame, ["x"])
    manifest_section(page, tmp_path)
    assert page.parts == [] and page.skipped == [
        "category shares and per-category distributions (no taxonomy column: run the taxonomy filter)",
        "memorization rate and correlations (no pile splits with memorization_score)",
        "row counts and timings (no _manifest.json)",
    ]


def test_the_pile_rate_section_ranks_metrics_by_spearman(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    page = Sections(tmp_path)
    x = list(range(40))
    frame = pd.DataFrame({"dataset": "pile", "memorization_score": [1.0 if v >= 20 else 0.0 for v in x], "up": x, "down": x[::-1]})
    frame["flat"] = 1.0
    pile_rate_section(page, frame, ["down", "up", "flat"])
    rho = pd.Series(x).rank().corr(frame["memorization_score"].rank())
    table = page.parts[-1]
    assert f"<td>down</td><td>{-rho:+.3f}</td>" in table and f"<td>up</td><td>{rho:+.3f}</td>" in table and "flat" not in table
    assert {p.name for p in tmp_path.glob("*.png")} == {"rate_up.png", "rate_down.png"}


def test_the_manifest_table_sums_flagged_rows_and_seconds(tmp_path):
    manifest = {
        "run_id": "r1",
        "status": "complete",
        "seconds": 12.5,
        "splits": {
            "memories/duped.70m": {"input_rows": 10, "output_rows": 10, "flagged_rows": {"a": 2, "b": 1}, "seconds": {"x": 1.2, "y": 2}}
        },
    }
    (tmp_path / "_manifest.json").write_text(json.dumps(manifest))
    page = Sections(tmp_path)
    manifest_section(page, tmp_path)
    assert page.contents == [("run", "The run: rows, flagged rows and timings")]
    assert "<tr><td>memories/duped.70m</td><td>10</td><td>10</td><td>3</td><td>3.2</td></tr>" in page.parts[1]
    assert "run r1, status complete, 12.5 s" in page.parts[1]


def test_the_analysis_tables_and_figures_appear_only_when_analyze_ran(tmp_path):
    page = Sections(tmp_path)
    analysis_section(page, tmp_path)
    assert page.parts == []
    (tmp_path / "_analysis" / "figures").mkdir(parents=True)
    row = {"split": "pile/duped.70m", "group": "all", "model": "baseline", "category": "all", "rows": 10, "roc_auc": 0.75}
    pd.DataFrame([{**row, "part": "test"}, {**row, "part": "train", "roc_auc": 0.99}]).to_parquet(
        tmp_path / "_analysis/performance.parquet"
    )
    (tmp_path / "_analysis/figures/roc_pr_pile_duped.70m.png").write_bytes(b"png")
    analysis_section(page, tmp_path)
    assert page.contents == [("analysis", "Predictive model of memorization")] and len(page.parts) == 3
    assert "<td>0.75</td>" in page.parts[1] and "0.99" not in page.parts[1]  # test rows only
    assert page.parts[2].startswith('<h3>roc pr pile duped.70m</h3>\n<p class="caption">Test ROC and precision-recall')
    assert page.parts[2].endswith('<img src="../_analysis/figures/roc_pr_pile_duped.70m.png" alt="roc pr pile duped.70m">')
