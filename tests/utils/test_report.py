"""The run report from Parquet alone: figures it can draw, and a list of those it cannot."""

import json

import pandas as pd

from calculate_metrics import main


def write_split(run_dir, dataset, split, frame):
    directory = run_dir / dataset / split
    directory.mkdir(parents=True)
    frame.assign(dataset=dataset, split=split, scheme=split.split(".")[0], model=split.split(".")[1], checkpoint=143000).to_parquet(
        directory / "part-0.parquet"
    )


def test_partial_run_draws_what_it_can_and_says_what_it_skipped(tmp_path):
    run_dir = tmp_path / "run"
    rows = pd.DataFrame({"sequence_id": range(50), "zlib_ratio": [i / 50 for i in range(50)], "memorization_score": 1.0})
    write_split(run_dir, "memories", "deduped.160m", rows)
    write_split(run_dir, "memories", "deduped.70m", rows)
    assert main(["report", str(run_dir)]) == 0
    report = run_dir / "_report"
    skipped = json.loads((report / "skipped.json").read_text())
    assert any("taxonomy" in s for s in skipped) and any("pile" in s for s in skipped) and any("manifest" in s for s in skipped)
    assert not list(report.glob("*.png"))
    assert "Skipped" in (report / "index.html").read_text()
    assert len(pd.read_parquet(run_dir)) == 100  # the report never breaks loading the run as one table


def test_not_a_run_directory(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "holds no split output" in capsys.readouterr().err


def check_report(run_dir):
    """Every figure is a non-empty PNG referenced by the page, and nothing was skipped."""
    assert main(["report", str(run_dir)]) == 0
    report = run_dir / "_report"
    page = (report / "index.html").read_text()
    figures = sorted(report.glob("*.png"))
    names = {p.name for p in figures}
    assert {"taxonomy_shares.png", "distribution_sequence_duplicates.png", "rate_sequence_duplicates.png"} <= names
    assert all(p.stat().st_size > 1000 and f'src="{p.name}"' in page for p in figures)
    assert json.loads((report / "skipped.json").read_text()) == []
    assert "Spearman" in page and "memories/deduped.70m" in page
    assert "discoverable" in page and "extraction_prefix_memories_deduped.70m.png" in names
    discoverable = pd.read_csv(report / "extraction_discoverability.csv")
    shares = discoverable[[f"discoverable_n{n}" for n in (1, 10, 100, 1000, 10000)]].to_numpy()
    assert (shares[:, 1:] >= shares[:, :-1]).all()  # more samples never discover fewer rows
    rates = pd.read_csv(report / "sensitive_content_rates.csv").set_index(["scheme", "model", "kind"])
    assert rates.loc[("deduped", "70m", "email"), "memorized_share"] > 0  # the sample's licences carry e-mail addresses
    assert "sensitive_content_rates.png" in names
    curves = pd.read_csv(report / "extraction_prefix_curves.csv")
    assert (curves.groupby(["split", "category"])["mean_log10_p"].apply(lambda c: c.is_monotonic_decreasing)).all()


def test_a_missing_run_directory_is_one_clear_error(tmp_path, capsys):
    assert main(["report", str(tmp_path / "no-such-run")]) == 2
    assert "not found" in capsys.readouterr().err
