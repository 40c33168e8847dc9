"""calculate_metrics.py end to end, in-process on the shared Spark session, reading the Parquet back."""

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from calculate_metrics import main
from tests.brute_force import FixedLengthCounter
from tests.conftest import SHARED_TOKENIZER
from tests.e2e.sample_runs import sample_args
from tests.notebook_runner import run_notebook
from tests.utils.test_report import check_report


def test_sample_run_end_to_end(sample_dir, sample_run):
    run_dir, output = sample_run, sample_run.parent
    table = pd.read_parquet(run_dir)  # the whole run loads as one table
    mirror = sample_dir / "hub"
    expected = {
        ("memories", name): _rows(mirror / "EleutherAI/pythia-memorized-evals" / name)
        for name in ("duped.70m", "duped.160m", "deduped.70m", "deduped.160m")
    }
    for scheme in ("duped", "deduped"):
        rows = _rows(mirror / f"EleutherAI/pile-{scheme}-pythia-random-sampled/train")
        expected.update({("pile", f"{scheme}.70m"): rows, ("pile", f"{scheme}.160m"): rows})
    assert table.groupby(["dataset", "split"]).size().to_dict() == expected
    assert not table.duplicated(["dataset", "split", "sequence_id"]).any()
    one = pd.read_parquet(run_dir / "memories" / "duped.70m")  # one split alone
    assert len(one) == expected[("memories", "duped.70m")] and set(one["split"]) == {"duped.70m"}
    assert (table.loc[table.dataset == "memories", "memorization_score"] == 1.0).all()
    assert table["invalid_reason"].isna().all() and table["text"].str.len().gt(0).all()

    # Known values: the sample's categories show up in the flags.
    categories = pd.read_parquet(sample_dir / "records.parquet").set_index("index")["category"]
    memories = table[table.dataset == "memories"].assign(category=lambda d: d.sequence_id.map(categories))
    share = memories.groupby("category")["is_templating"].mean()
    coverage = memories.groupby("category")["templating_coverage"].mean()
    # A sample window often holds the template plus the tail of the document before it or the start of the next
    # (`static const uint8_t pad[] = {` is a quarter of a 64-token window of 0x00s); the thresholds chosen on
    # people's labels (docs/TEMPLATING.md) leave ~30 % of them out, so the template categories are told apart by
    # how much of them the patterns cover and by a flag share far above prose and code.
    assert coverage["repeating"] > 0.75 and coverage["incrementing"] > 0.75
    assert coverage["prose"] < 0.05 and coverage["code"] < 0.25
    assert share["repeating"] > 0.6 and share["incrementing"] > 0.6 and share["prose"] < 0.02 and share["code"] < 0.02
    assert (
        memories.loc[memories.category == "repeating", "zlib_ratio"].mean()
        < memories.loc[memories.category == "prose", "zlib_ratio"].mean()
    )

    check_semantic_duplicates(table)
    check_nl_scores(memories)
    check_corpus_statistics(sample_dir, table)
    check_model_metrics(sample_dir, table)
    # Licence headers are duplicated across the corpus (a short one's continuation runs into the next,
    # unique document, so not all); prose is recollection unless planted.
    recitation = table["taxonomy"].eq("recitation").groupby(table.sequence_id.map(categories)).mean()
    assert recitation["licence"] > 0.5 and recitation["prose"] < 0.1
    assert set(table["taxonomy"]) == {"recitation", "reconstruction", "recollection"}

    manifest = json.loads((run_dir / "_manifest.json").read_text())
    assert manifest["status"] == "complete" and (run_dir / "_run.log").read_text()
    assert set(manifest["splits"]) == {f"{dataset}/{name}" for dataset, name in expected}  # splits ran two at a time
    assert manifest["statistics"]["default"]["scan"]["tokens"] == 4000 * 2049
    for (dataset, name), rows in expected.items():
        entry = manifest["splits"][f"{dataset}/{name}"]
        assert entry["input_rows"] == entry["output_rows"] == rows
        assert sum(entry["taxonomy"]["counts"].values()) == rows and sum(entry["taxonomy"]["shares"].values()) == pytest.approx(1, abs=1e-5)
        assert (run_dir / dataset / name / "_COMPLETE").is_file()

    check_analysis(run_dir, len(table))
    check_report(run_dir)
    assert "_analysis/figures/roc_pr_pile_deduped.160m.png" in (run_dir / "_report" / "index.html").read_text()
    check_notebook(run_dir)

    # Same command again: complete splits are skipped, nothing is duplicated.
    assert main(sample_args(sample_dir, output, "e2e")) == 0
    assert len(pd.read_parquet(run_dir)) == len(table)


def check_semantic_duplicates(table: pd.DataFrame) -> None:
    """Invariants of the semantic counts (their values are checked against brute force in test_semantic_duplicates.py):
    one count per threshold, fewer at 0.9 than at 0.8, templates a subset of snowclones; the sample's generated
    boilerplate has many snowclones, and rows that share a sequence_id and tokens share their counts."""
    snowclones, templates = np.stack(table["semantic_snowclones"].to_numpy()), np.stack(table["semantic_templates"].to_numpy())
    assert snowclones.shape == templates.shape == (len(table), 2)
    assert (snowclones[:, 1] <= snowclones[:, 0]).all() and (templates <= snowclones).all() and (templates[:, 1] <= templates[:, 0]).all()
    assert (snowclones[:, 0] > 0).mean() > 0.3
    memories = table[table.dataset == "memories"]
    key = memories["scheme"] + ":" + memories["sequence_id"].astype(str)
    per_key = memories.groupby(key)["semantic_snowclones"].agg(lambda v: len({tuple(x) for x in v}))
    assert (per_key == 1).all()  # the same row in two splits of one scheme: one corpus, one count


def check_analysis(run_dir: Path, rows: int) -> None:
    """`analyze` on one Pile split of the sample: every table as Parquet and CSV, every figure, and the run still loads
    as itself (the analysis lives under `_analysis`)."""
    assert main(["analyze", str(run_dir), "--split", "pile/deduped.160m", "--thresholds", "6,50"]) == 0
    analysis = run_dir / "_analysis"
    for name in ("performance", "coefficients", "lrt", "correlations", "calibration", "curves", "threshold_sweep", "detection"):
        assert len(pd.read_parquet(analysis / f"{name}.parquet")) == len(pd.read_csv(analysis / f"{name}.csv")) > 0
    performance = pd.read_parquet(analysis / "performance.parquet")
    assert set(performance["group"]) == {"all", "natural_language", "code"}  # the sample carries nl_score
    assert set(performance["model"] + "/" + performance["category"]) >= {"baseline/all", "taxonomic/all", "taxonomic/recollection"}
    assert performance["status"].notna().all() and performance["estimator"].notna().all()
    test_rows = performance.loc[performance.part == "test", "rows"].groupby(performance["group"]).max()["all"]
    assert abs(test_rows - 0.2 * 600) <= 2  # 20 % of each class, to one row each
    coefficients = pd.read_parquet(analysis / "coefficients.parquet")
    assert (coefficients["p_value"].dropna() > 0).all() and coefficients["log10_p"].notna().any()
    sweep = pd.read_parquet(analysis / "threshold_sweep.parquet")
    assert sweep["status"].notna().all() and "notes" in sweep
    detection = pd.read_parquet(analysis / "detection.parquet")
    assert {"loss", "sequence_duplicates", "templating_coverage"} <= set(detection["score"])
    summary = json.loads((analysis / "summary.json").read_text())["splits"]["pile/deduped.160m"]
    assert summary["missing_features"] == {} and summary["rows"] == 600 and summary["rows_with_null_inputs"] == 0
    assert summary["engine"] == "driver"
    figures = {p.name for p in (analysis / "figures").glob("*.png")}
    kinds = ("coefficients", "roc_pr", "calibration", "threshold_sweep", "detection")
    assert {f"{kind}_pile_deduped.160m.png" for kind in kinds} == figures
    assert len(pd.read_parquet(run_dir)) == rows


def check_nl_scores(memories: pd.DataFrame) -> None:
    """The sample classifier (trained on other prose and code texts) scores the sample's prose rows as natural language and
    its code rows (functions, LaTeX preambles) as code; every row has a probability."""
    assert memories["nl_score"].between(0, 1).all()
    score = memories.groupby("category")["nl_score"]
    assert score.quantile(0.1)["prose"] > 0.9 and score.quantile(0.9)["code"] < 0.1


def _rows(split_directory: Path) -> int:
    files = sorted(split_directory.glob("*.parquet"))
    assert len(files) > 1  # the sample shards its splits like the hub: several tasks per split
    return sum(pq.read_metadata(path).num_rows for path in files)


def check_corpus_statistics(sample_dir: Path, table: pd.DataFrame) -> None:
    """sequence_duplicates equals the planted counts and a brute-force count; frequencies equal a bincount."""
    corpus = sample_corpus(sample_dir)
    records = pd.read_parquet(sample_dir / "records.parquet").set_index("index")
    rows = table.drop_duplicates("sequence_id").set_index("sequence_id")
    known = records["expected_duplicates"].dropna().reindex(rows.index).dropna()
    assert set(known.unique()) >= {1, 2, 5, 6, 50, 1000}  # planted counts that reach the splits
    assert (rows.loc[known.index, "sequence_duplicates"] == known).all()
    counter = FixedLengthCounter(corpus, 32)
    brute = [counter.count(np.asarray(tokens[32:64])) for tokens in rows["tokens"]]
    assert rows["sequence_duplicates"].tolist() == brute
    assert rows.groupby(records["category"])["sequence_duplicates"].median()["licence"] >= 6  # recitation-like

    counts = np.bincount(corpus.ravel(), minlength=1 << 16)
    frequencies = counts[np.stack(rows["tokens"].to_numpy())]
    assert (np.stack(rows["frequencies"].to_numpy()) == frequencies).all()
    assert np.allclose(rows["median_frequency"], np.median(frequencies, axis=1), rtol=1e-12)
    assert (rows["max_frequency"] == frequencies.max(axis=1)).all()


def check_model_metrics(sample_dir: Path, table: pd.DataFrame) -> None:
    """The sample model's scores: equal to the sample's own generate() check, and recitation != prose."""
    records = pd.read_parquet(sample_dir / "records.parquet").set_index("index")
    rows = table.drop_duplicates("sequence_id").set_index("sequence_id")
    assert (rows["model_memorization_score"] == records["greedy_memorization_score"].reindex(rows.index)).all()
    category = records["category"].reindex(rows.index)
    recitation = rows[rows["sequence_duplicates"] >= 6]
    prose = rows[(category == "prose") & (rows["sequence_duplicates"] == 1)]
    assert len(recitation) > 100 and len(prose) > 100
    assert recitation["model_memorization_score"].mean() > 0.5 > 0.1 > prose["model_memorization_score"].mean()
    assert recitation["sequence_perplexity"].median() * 5 < prose["sequence_perplexity"].median()
    assert (rows["min_k_prob"] <= -rows["loss"] + 1e-9).all()  # the lowest 20 % are below the mean
    assert rows[["prompt_perplexity", "generation_perplexity", "zlib_likelihood_ratio", "mean_token_entropy"]].notna().all().all()
    # Extraction risk: the exact greedy prefix is 32 exactly for memorized rows; P(continuation) from the same pass.
    assert ((rows["exact_prefix_length"] == 32) == (rows["model_memorization_score"] == 1.0)).all()
    assert (rows["exact_prefix_length"] <= 32 * rows["model_memorization_score"] + 1e-9).all()  # a prefix is never more than all matches
    summed = rows["token_log_probs"].map(lambda values: float(np.sum(np.asarray(values[31:63], dtype=np.float64))))
    assert np.allclose(rows["continuation_log_prob"], summed, rtol=1e-6, atol=1e-6) and (rows["continuation_log_prob"] <= 0).all()
    assert recitation["continuation_log_prob"].median() > prose["continuation_log_prob"].median() + 10  # far likelier to be extracted
    # A sampler that stops at end-of-text (token 0) reproduces the continuation up to its first one, t = 32..e.
    continuation = rows["tokens"].map(lambda tokens: np.asarray(tokens[32:64]))
    assert (rows["continuation_has_eos"] == continuation.map(lambda c: bool((c == 0).any()))).all()
    stop = continuation.map(lambda c: int(np.flatnonzero(c == 0)[0]) if (c == 0).any() else 31)
    to_eos = [float(np.sum(np.asarray(v[31 : 32 + e], dtype=np.float64))) for v, e in zip(rows["token_log_probs"], stop)]
    assert np.allclose(rows["continuation_log_prob_to_eos"], to_eos, rtol=1e-6, atol=1e-6)
    assert (rows["continuation_log_prob_to_eos"] >= rows["continuation_log_prob"] - 1e-9).all()


def check_notebook(run_dir: Path) -> None:
    """notebooks/explore.ipynb runs top to bottom on this run and shows the category table and two plots."""
    notebook = run_notebook(run_dir)
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    assert sum("image/png" in output.get("data", {}) for output in outputs) >= 2
    assert any("recollection" in output.get("data", {}).get("text/plain", "") for output in outputs)
    assert any("pr_auc" in output.get("data", {}).get("text/plain", "") for output in outputs)  # the _analysis cell
    assert any("discoverable_n10000" in output.get("data", {}).get("text/plain", "") for output in outputs)  # extraction risk
    assert any("pile_share" in output.get("data", {}).get("text/plain", "") for output in outputs)  # sensitive content


def sample_corpus(sample_dir: Path) -> np.ndarray:
    from utils.corpus.megatron import ShardedBin, read_index, read_records

    index = read_index(sample_dir / "corpus" / "document.idx")
    tokens, _, _ = read_records(index, ShardedBin(sorted((sample_dir / "corpus").glob("document-*.bin"))), 0, index.records)
    return np.asarray(tokens).reshape(index.records, 2049)


def test_hidden_states_of_the_sample_and_probes_of_them_in_analyze_and_report(sample_run, tmp_path):
    """The sample model (2 blocks, 64 wide: kept whole) through hidden_states, then the full `analyze` and `report` on a
    copy of the run: a probe per split, layer and representation beside its control, figures, the report's section."""
    table = pd.read_parquet(
        sample_run, columns=["dataset", "hidden_layers", "hidden_prompt_last", "attention_prompt_share", "attention_continuation_share"]
    )
    assert table["hidden_layers"].map(list).map([1, 2].__eq__).all()  # first, middle and last of 2 blocks: 1, 1, 2, kept once
    assert table["hidden_prompt_last"].map(lambda layers: [len(layer) for layer in layers]).map([64, 64].__eq__).all()
    shares = np.stack(table["attention_prompt_share"].to_numpy()) + np.stack(table["attention_continuation_share"].to_numpy())
    assert np.allclose(shares, 1.0, atol=1e-4)
    run_dir = tmp_path / "run"
    shutil.copytree(sample_run, run_dir)
    assert main(["analyze", str(run_dir), "--thresholds", "6"]) == 0
    probes = pd.read_parquet(run_dir / "_analysis" / "probes.parquet")
    assert len(probes) == 8 * 2 * 2 and set(probes["layer"]) == {1, 2}  # 8 splits x 2 layers x 2 representations
    memorized, taxonomy = probes[probes.task == "memorized"], probes[probes.task == "taxonomy"]
    assert set(memorized["split"].str[:5]) == {"pile/"} and (memorized["metric"] == "test_roc_auc").all()
    assert (taxonomy["value"] > taxonomy["majority_share"] + 0.1).all() and (taxonomy["selectivity"] > 0.1).all()
    assert memorized["selectivity"].mean() > 0.1 and probes["value"].between(0, 1).all()
    figures = {p.name for p in (run_dir / "_analysis" / "figures").glob("probe_*.png")}
    assert (
        len([f for f in figures if f.startswith("probe_by_layer_")]) == 8
        and len([f for f in figures if f.startswith("probe_confusion_")]) == 4
    )
    assert main(["report", str(run_dir)]) == 0
    page = (run_dir / "_report" / "index.html").read_text()
    assert "Inside the model: probes of hidden states" in page and "probe_by_layer_pile_duped_70m.png" in page


def test_every_job_of_a_run_is_named_in_the_spark_ui_by_split_and_step(sample_run):
    """The Spark UI (port 4040) names each job of the main pass: corpus statistics, semantic duplicates, and per split
    the count, the compute-and-write and its tally; none is left as a bare call site."""
    jobs = json.loads((sample_run.parent.parent / "spark_jobs.json").read_text())
    unnamed = [f"{job['jobId']}: {job['name']}" for job in jobs if not job.get("description")]
    assert jobs and not unnamed, unnamed
    descriptions = {job["description"] for job in jobs}
    for split in ("memories/duped.70m", "pile/deduped.160m"):
        assert f"{split}: count rows and repeated sequence_ids" in descriptions
        assert any(d.startswith(f"{split}: compute the metrics and write ") for d in descriptions)
    assert any(d.startswith("corpus statistics: ") for d in descriptions) and any(
        d.startswith("semantic duplicates: ") for d in descriptions
    )


def test_random_sample_size(sample_dir, spark, tmp_path, capsys):
    args = sample_args(
        sample_dir, tmp_path / "out", "sampled", "--sample_size", "50", "--sample_seed", "3", "--datasets", "memories", "--models", "70m"
    )
    assert main(args) == 0
    assert "Spark UI: http://127.0.0.1:" in capsys.readouterr().err  # printed under --quiet, on the loopback address
    table = pd.read_parquet(tmp_path / "out" / "sampled")
    assert table.groupby("split").size().to_dict() == {"duped.70m": 50, "deduped.70m": 50}
    ids = sorted(table.loc[table.split == "duped.70m", "sequence_id"])
    head = sorted(pd.read_parquet(sample_dir / "hub/EleutherAI/pythia-memorized-evals/duped.70m")["index"])[:50]
    assert ids != head  # a real random sample, not the first rows


def test_local_parquet_and_jsonl_with_bad_rows(spark, pythia_tokenizer, tmp_path):
    good = pythia_tokenizer.encode("The quick brown fox jumps over the lazy dog again and again").ids
    parquet = tmp_path / "mine.parquet"
    pq.write_table(
        pa.table(
            {"index": [1, 2, 3, 3, 4], "tokens": [good, good[:5], [], good, [70000]], "label": list("abcde"), "source tag": [9] * 5},
            schema=pa.schema([("index", pa.int64()), ("tokens", pa.list_(pa.int64())), ("label", pa.string()), ("source tag", pa.int32())]),
        ),
        parquet,
    )
    jsonl = tmp_path / "other.jsonl"
    jsonl.write_text('{"sequence_id": 7, "tokens": [510, 1533], "memorization_score": 0.5}\n{"sequence_id": 8, "tokens": [1.5, 2]}\n')
    args = [
        "--datasets",
        "local",
        "--local_inputs",
        f"{parquet},{jsonl}",
        "--tokenizer",
        str(SHARED_TOKENIZER),
        "--output",
        str(tmp_path / "out"),
        "--run_id",
        "local",
        "--master",
        "local[2]",
        "--quiet",
    ]
    assert main(args) == 0
    table = pd.read_parquet(tmp_path / "out" / "local")
    mine = table[table.split == "mine"].sort_values("sequence_id")
    assert len(mine) == 5  # duplicate id 3 kept twice, as in the input, never multiplied
    assert mine["invalid_reason"].tolist().count("empty_tokens") == 1 and "token_id_out_of_vocabulary" in mine["invalid_reason"].tolist()
    assert mine.loc[mine.sequence_id == 1, "text"].item() == "The quick brown fox jumps over the lazy dog again and again"
    other = table[table.split == "other"].set_index("sequence_id")
    assert other.loc[7, "memorization_score"] == 0.5 and other.loc[8, "invalid_reason"] == "non_integer_token"
    manifest = json.loads((tmp_path / "out" / "local" / "_manifest.json").read_text())
    assert manifest["splits"]["local/mine"]["duplicate_sequence_ids"] == 1
    # the input's own columns are kept, with their types, right after the identity columns
    own = pq.read_table(tmp_path / "out" / "local" / "local" / "mine")
    names = own.schema.names
    assert names[names.index("checkpoint") + 1 : names.index("checkpoint") + 3] == ["label", "source tag"]
    assert own.schema.field("source tag").type == pa.int32()
    assert sorted(zip(own["sequence_id"].to_pylist(), own["label"].to_pylist())) == [(1, "a"), (2, "b"), (3, "c"), (3, "d"), (4, "e")]


def test_a_local_column_named_like_a_metric_is_one_error_before_any_work(capsys, tmp_path):
    path = tmp_path / "clash.parquet"
    pq.write_table(pa.table({"index": [1], "tokens": [[5, 6]], "zlib_ratio": [0.5]}), path)
    assert main(["--dry-run", "--datasets", "local", "--local-inputs", str(path), "--output", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert "zlib_ratio" in error and str(path) in error and "Rename" in error


@pytest.mark.parametrize(
    "args, message",
    [
        (["--datasets", "memories", "--splits", "duped.13b"], "Unknown memories split 'duped.13b'"),
        (["--filters", "detokenize,nope"], "Unknown filter 'nope'"),
        (["--run_id", "../escape"], "is not allowed"),
        (["--datasets", "local", "--local_inputs", "/does/not/exist.parquet"], "does not exist"),
    ],
)
def test_bad_configuration_is_one_clear_error(args, message, capsys, tmp_path):
    assert main(["--dry-run", "--output", str(tmp_path), *args]) == 2
    assert message in capsys.readouterr().err


def test_unreachable_hub_is_one_clear_error(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    args = ["--dry-run", "--datasets", "memories", "--splits", "deduped.70m", "--output", str(tmp_path)]
    assert main([*args, "--config", str(_config(tmp_path, f"run:\n  cache_dir: {tmp_path / 'cache'}\n"))]) == 2
    error = capsys.readouterr().err
    assert "EleutherAI/pythia-memorized-evals" in error and "deduped.70m" in error and "HF_HUB_OFFLINE" in error


def test_non_parquet_local_file_names_the_file(capsys, tmp_path):
    bad = tmp_path / "broken.parquet"
    bad.write_text("not parquet")
    assert main(["--dry-run", "--datasets", "local", "--local_inputs", str(bad), "--output", str(tmp_path)]) == 2
    assert str(bad) in capsys.readouterr().err


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path
