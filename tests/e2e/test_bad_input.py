"""The bad-input catalogue (docs/BAD_INPUT.md), one test per row: a clear error before any work, or a kept row with a
reason.

Every row of the docs/BAD_INPUT.md table names the test that proves it;
`test_bad_input_catalogue_names_existing_tests` keeps the two in step.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from calculate_metrics import main
from tests.conftest import ROOT
from tests.e2e.sample_runs import sample_args, start_cli
from tests.standalone_cluster import kill_group

TOKENS = pa.list_(pa.int64())


def sample_rows(sample_dir: Path) -> tuple[list[int], list[int]]:
    """Two real 64-token rows of the sample (memorized-evals duped.70m)."""
    table = pd.read_parquet(sample_dir / "hub/EleutherAI/pythia-memorized-evals/duped.70m")
    return [int(t) for t in table["tokens"].iloc[0]], [int(t) for t in table["tokens"].iloc[1]]


def sample_command(sample_dir: Path, tmp_path: Path, *extra: str, config: str = "") -> list[str]:
    return sample_args(sample_dir, tmp_path / "out", "bad", *extra, config=config)


def test_bad_rows_are_kept_with_a_reason(sample_dir, spark, tmp_path, capsys):
    a, b = sample_rows(sample_dir)
    rows = tmp_path / "rows.parquet"
    pq.write_table(
        pa.table(
            {
                "sequence_id": [1, 1, 2, 3, 4, 5, 6, 7, 8],
                "tokens": [a, a, None, [], a[:10] + [None] + a[11:], a[:5] + [-3] + a[6:], a[:5] + [4096] + a[6:], a[:40], a + b[:36]],
            },
            schema=pa.schema([("sequence_id", pa.int64()), ("tokens", TOKENS)]),
        ),
        rows,
    )
    floats = tmp_path / "floats.parquet"
    pq.write_table(pa.table({"sequence_id": [20, 21], "tokens": [[float(t) for t in a], [1.5, 2.0]]}), floats)

    # local inputs have no scheme, so semantic_duplicates gets its corpus named (bad rows must get null counts too)
    corpus = "semantic:\n  corpus: memories:duped.70m\n"
    assert main(sample_command(sample_dir, tmp_path, "--datasets", "local", "--local_inputs", f"{rows},{floats}", config=corpus)) == 0
    table = pd.read_parquet(tmp_path / "out" / "bad")
    assert table.groupby("split").size().to_dict() == {"rows": 9, "floats": 2}  # nothing dropped, nothing duplicated
    out = table[table.split == "rows"].sort_values("sequence_id", kind="stable").reset_index(drop=True)
    reasons = dict(zip(out["sequence_id"], out["invalid_reason"]))
    assert reasons == {
        1: None,
        2: "null_tokens",
        3: "empty_tokens",
        4: "null_token_id",
        5: "negative_token_id",
        6: "token_id_out_of_vocabulary",
        7: None,
        8: None,
    }
    metrics = [
        "text",
        "zlib_ratio",
        "sequence_duplicates",
        "max_frequency",
        "loss",
        "model_memorization_score",
        "taxonomy",
        "semantic_snowclones",
    ]
    assert out.loc[out.invalid_reason.notna(), metrics].isna().all().all()
    good, short, long = (out[out.sequence_id == i].iloc[0] for i in (1, 7, 8))
    assert (out.sequence_id == 1).sum() == 2
    assert out.loc[out.invalid_reason.isna(), "semantic_snowclones"].map(len).eq(2).all()
    assert json.loads((tmp_path / "out/bad/_manifest.json").read_text())["splits"]["local/rows"]["duplicate_sequence_ids"] == 1

    # Shorter than 64: what needs 64 tokens is null, with a reason; everything else is computed.
    assert short["incomplete_metrics_reason"] == "shorter_than_64_tokens"
    assert pd.isna(short["sequence_duplicates"]) and pd.isna(short["model_memorization_score"]) and short["taxonomy"] is None
    assert short[["text", "zlib_ratio", "max_frequency", "loss", "generation_perplexity", "is_templating"]].notna().all()
    # Longer than 64: every metric; duplication and memorization look at tokens 0..63, so equal the 64-token row's.
    assert long["incomplete_metrics_reason"] is None and good["incomplete_metrics_reason"] is None
    assert long["sequence_duplicates"] == good["sequence_duplicates"] >= 1
    assert long["model_memorization_score"] == good["model_memorization_score"]
    assert long["loss"] != good["loss"] and len(long["tokens"]) == 100

    floats_out = table[table.split == "floats"].set_index("sequence_id")
    assert floats_out.loc[21, "invalid_reason"] == "non_integer_token" and floats_out.loc[20, "invalid_reason"] is None
    assert floats_out.loc[20, "sequence_duplicates"] == good["sequence_duplicates"] and list(floats_out.loc[20, "tokens"]) == a

    # The same file under --bad_records raise: one clear error naming split and row.
    capsys.readouterr()
    command = sample_command(
        sample_dir,
        tmp_path,
        "--datasets",
        "local",
        "--local_inputs",
        str(rows),
        "--bad_records",
        "raise",
        "--run_id",
        "raise",
        config=corpus,
    )
    assert main(command) == 2
    error = capsys.readouterr().err
    assert "split local/rows, sequence_id 2: null_tokens" in error and "Traceback" not in error
    assert not (tmp_path / "out" / "raise" / "local" / "rows").exists()


def _missing_tokens(tmp_path, sample_dir):
    path = tmp_path / "no_tokens.parquet"
    pq.write_table(pa.table({"sequence_id": [1], "text": ["hello"]}), path)
    return ["--datasets", "local", "--local_inputs", str(path)], "", [str(path), "has no tokens column", "its columns: sequence_id, text"]


def _string_tokens(tmp_path, sample_dir):
    path = tmp_path / "strings.parquet"
    pq.write_table(pa.table({"sequence_id": [1], "tokens": [["a", "b"]]}), path)
    return ["--datasets", "local", "--local_inputs", str(path)], "", [str(path), "'tokens'", "list of integer token ids"]


def _missing_needs(tmp_path, sample_dir):
    return ["--filters", "detokenize,patterns,taxonomy"], "", ["taxonomy", "sequence_duplicates", "no earlier step provides"]


def _corpus_copy(tmp_path, sample_dir) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(sample_dir / "corpus", corpus)
    return corpus


def _truncated_bin(tmp_path, sample_dir):
    corpus = _corpus_copy(tmp_path, sample_dir)
    shard = corpus / "document-00001-of-00002.bin"
    with shard.open("r+b") as handle:
        handle.truncate(shard.stat().st_size - 100)
    config = f"statistics:\n  corpora:\n    default:\n      path: {corpus / 'document'}\n"
    return ["--datasets", "memories"], config, [str(corpus / "document"), "truncated"]


def _wrong_magic(tmp_path, sample_dir):
    corpus = _corpus_copy(tmp_path, sample_dir)
    index = corpus / "document.idx"
    index.write_bytes(b"NOTMEGATRON" + index.read_bytes()[11:])
    config = f"statistics:\n  corpora:\n    default:\n      path: {corpus / 'document'}\n"
    return ["--datasets", "memories"], config, [str(index), "magic"]


def _model_not_found(tmp_path, sample_dir):
    return ["--datasets", "memories"], "model:\n  name: /does/not/exist/model\n", ["/does/not/exist/model", "could not be found"]


def _revision_not_found(tmp_path, sample_dir):
    config = "model:\n  name: EleutherAI/pythia-70m\n  revision: step7\n"  # HF_HUB_OFFLINE=1 in tests: not cached
    return ["--datasets", "memories"], config, ["EleutherAI/pythia-70m@step7", "could not be found"]


@pytest.mark.parametrize(
    "case",
    [_missing_tokens, _string_tokens, _missing_needs, _truncated_bin, _wrong_magic, _model_not_found, _revision_not_found],
    ids=lambda case: case.__name__.strip("_"),
)
def test_bad_file_or_setting_is_one_clear_error_before_any_work(case, sample_dir, tmp_path, capsys):
    arguments, config, fragments = case(tmp_path, sample_dir)
    assert main(sample_command(sample_dir, tmp_path, "--dry-run", *arguments, config=config)) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and "Traceback" not in error
    for fragment in fragments:
        assert fragment in error, f"{fragment!r} not in {error!r}"


def test_output_directory_not_writable(sample_dir, spark, tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory")
    command = sample_command(sample_dir, tmp_path, "--datasets", "memories", "--models", "70m", "--schemes", "duped")
    command[command.index("--output") + 1] = str(blocker / "out")
    assert main(command) == 2
    error = capsys.readouterr().err
    assert str(blocker / "out") in error and "not writable" in error and "--output" in error


def test_bad_input_catalogue_names_existing_tests():
    """Each row of the table in docs/BAD_INPUT.md names a test that exists (module and function)."""
    text = (ROOT / "docs" / "BAD_INPUT.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| input")]
    assert len(rows) >= 20
    for row in rows:
        references = re.findall(r"`(tests/[\w/]+\.py)::(\w+)", row)
        assert references, f"docs/BAD_INPUT.md row names no test: {row}"
        for module, function in references:
            assert re.search(rf"^def {function}\(", (ROOT / module).read_text(), re.M), f"{module}::{function} does not exist ({row})"


def bad_inputs(sample_dir: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A Parquet directory whose files store ids with different widths, with a null id and scores outside [0, 1]; and
    JSON Lines with a line cut short, a line that is not JSON, and a score that is not a number."""
    a, b = sample_rows(sample_dir)
    folder = tmp_path / "widths"
    folder.mkdir()
    int32 = pa.list_(pa.int32())
    pq.write_table(
        pa.table({"sequence_id": pa.array([1, 2], pa.int32()), "tokens": pa.array([a, b], int32), "memorization_score": [1.0, 2.0]}),
        folder / "a.parquet",
    )
    pq.write_table(
        pa.table(
            {"sequence_id": pa.array([3, None, 5]), "tokens": pa.array([a, b, a], TOKENS), "memorization_score": [float("nan"), 0.5, -1.0]}
        ),
        folder / "b.parquet",
    )
    lines = tmp_path / "lines.jsonl"
    records = [{"sequence_id": 10, "tokens": a, "memorization_score": "0.5"}, {"sequence_id": 11, "tokens": b}]
    text = [json.dumps(records[0]), json.dumps(records[1])[:40], "not json", json.dumps({**records[1], "memorization_score": "high"})]
    lines.write_text("\n".join(text) + "\n")
    return folder, lines


def test_mixed_widths_null_ids_bad_scores_and_broken_json_lines_are_rows_with_their_reason(sample_dir, spark, tmp_path):
    folder, lines = bad_inputs(sample_dir, tmp_path)
    command = sample_command(
        sample_dir, tmp_path, "--datasets", "local", "--local_inputs", f"{folder},{lines}", "--filters", "detokenize,compression"
    )
    assert main(command) == 0
    table = pd.read_parquet(tmp_path / "out" / "bad" / "local" / "widths")
    assert sorted(table.sequence_id.fillna(-1).astype(int)) == [-1, 1, 2, 3, 5]  # every row once, the int32 file's too
    reasons = dict(zip(table.sequence_id.fillna(-1).astype(int), table.invalid_reason))
    assert reasons == {
        1: None,
        2: "memorization_score_not_in_0_1",
        3: "memorization_score_not_in_0_1",
        -1: "null_sequence_id",
        5: "memorization_score_not_in_0_1",
    }
    assert (
        table.loc[table.invalid_reason.notna(), "zlib_ratio"].isna().all() and table.loc[table.sequence_id == 1, "zlib_ratio"].notna().all()
    )
    json_rows = pd.read_parquet(tmp_path / "out" / "bad" / "local" / "lines").sort_values("source_line")
    assert (
        json_rows.source_line.tolist() == [1, 2, 3, 4]
        and (json_rows.source_file == lines.resolve().as_uri().replace("file:///", "file:/")).all()
    )
    assert json_rows.invalid_reason.tolist() == [None, "unparseable_json_line", "unparseable_json_line", "memorization_score_not_in_0_1"]
    assert json_rows.memorization_score.iloc[0] == 0.5  # a number given as a string is read
    manifest = json.loads((tmp_path / "out" / "bad" / "_manifest.json").read_text())
    assert manifest["splits"]["local/lines"]["flagged_rows"] == {"unparseable_json_line": 2, "memorization_score_not_in_0_1": 1}
    assert manifest["splits"]["local/widths"]["input_rows"] == manifest["splits"]["local/widths"]["output_rows"] == 5


def test_under_raise_a_bad_row_is_one_error_line_naming_file_and_line_with_no_stack_trace_on_the_console(sample_dir, tmp_path):
    """A real child process: what the console shows, Spark's own logging included."""
    _, lines = bad_inputs(sample_dir, tmp_path)
    arguments = sample_args(
        sample_dir,
        tmp_path / "out",
        "raised",
        "--datasets",
        "local",
        "--local-inputs",
        str(lines),
        "--filters",
        "detokenize",
        "--bad-records",
        "raise",
        ui_port=4070,
    )
    process = start_cli(arguments, tmp_path / "console.log", cwd=tmp_path)
    assert process.wait(timeout=600) == 2
    console = (tmp_path / "console.log").read_text()
    errors = [
        line for line in console.splitlines() if "error:" in line.lower() or "exception" in line.lower() or "traceback" in line.lower()
    ]
    assert len(errors) == 1 and errors[0].endswith(
        f"error: Bad record in split local/lines, {lines.resolve().as_uri().replace('file:///', 'file:/')} line 2: unparseable_json_line "
        "(3 bad row(s): memorization_score_not_in_0_1 1, unparseable_json_line 2; "
        "data.bad_records=raise; use 'null' to keep such rows flagged instead)."
    ), console[-3000:]
    assert "\tat " not in console and not (tmp_path / "out" / "raised" / "local").exists()


def test_a_second_run_on_a_run_directory_in_use_is_one_line_naming_the_first(sample_dir, spark, tmp_path, capsys):
    """Two runs with the same --output and --run-id started seconds apart: the first completes, the second is refused."""
    folder, _ = bad_inputs(sample_dir, tmp_path)
    arguments = sample_args(
        sample_dir,
        tmp_path / "out",
        "shared",
        "--datasets",
        "local",
        "--local-inputs",
        str(folder),
        "--filters",
        "detokenize,compression",
        ui_port=4075,
    )
    first = start_cli(arguments, tmp_path / "first.log", cwd=tmp_path)
    try:
        lock = tmp_path / "out" / "shared" / "_RUN_LOCK"
        deadline = time.time() + 300
        while not lock.exists() and first.poll() is None and time.time() < deadline:
            time.sleep(0.1)
        assert lock.exists(), (tmp_path / "first.log").read_text()[-3000:]
        capsys.readouterr()
        assert main(arguments) == 2
        error = capsys.readouterr().err
        lines = [line for line in error.splitlines() if not line.startswith("Spark UI: ")]
        assert len(lines) == 1 and lines[0].startswith(f"error: Run directory {(tmp_path / 'out' / 'shared').resolve().as_uri()} ")
        assert f"is in use by `calculate_metrics` (pid {first.pid} on host " in lines[0] and "--break-lock" in lines[0]
        assert first.wait(timeout=600) == 0, (tmp_path / "first.log").read_text()[-3000:]
    finally:
        kill_group(first)
    assert not lock.exists() and json.loads((tmp_path / "out" / "shared" / "_manifest.json").read_text())["status"] == "complete"
    assert main(arguments) == 0  # free again: the same run directory, resumed (both splits already complete)
