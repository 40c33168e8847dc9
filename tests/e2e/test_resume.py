"""A run killed with SIGKILL while writing a split, then resumed; and a damaged committed split, redone."""

from __future__ import annotations

import json
import re
import time

from calculate_metrics import main
from tests.e2e.sample_runs import assert_same_rows, read_run, sample_args, start_cli
from tests.standalone_cluster import group_alive, kill_group


def test_sigkill_mid_split_then_resume(sample_dir, sample_run, spark, tmp_path, capsys):
    output = tmp_path / "out"
    arguments = sample_args(sample_dir, output, "resumed")
    run_dir = output / "resumed"
    process = start_cli(arguments, tmp_path / "killed.log", cwd=tmp_path)
    try:
        in_progress = wait_for_split_being_written(process, run_dir, tmp_path / "killed.log")
    finally:
        kill_group(process)  # the driver, its JVM and every Python worker at once
    deadline = time.time() + 10
    while group_alive(process.pid) and time.time() < deadline:
        time.sleep(0.1)
    assert not group_alive(process.pid)

    dataset, name = in_progress
    assert not (run_dir / dataset / name).exists(), "a split being written when the run died looks committed"
    manifest = json.loads((run_dir / "_manifest.json").read_text())
    assert manifest.get("status") != "complete" and f"{dataset}/{name}" not in manifest["splits"]
    committed = sorted(p.parent.relative_to(run_dir).as_posix() for p in run_dir.glob("*/*/_COMPLETE"))
    assert committed  # the kill came after at least one split was committed

    capsys.readouterr()
    assert main(arguments) == 0
    printed = capsys.readouterr().out
    for label in committed:
        assert re.search(rf"{re.escape(label)}: \d+ rows \(already complete\)", printed), printed
    assert f"{dataset}/{name}: {sample_rows(sample_run, dataset, name)} rows\n" in printed  # recomputed, not skipped
    assert not (run_dir / "_temporary_splits").exists()
    assert json.loads((run_dir / "_manifest.json").read_text())["status"] == "complete"
    assert_same_rows(read_run(run_dir), read_run(sample_run))

    # A committed split that lost a data file is not trusted: it is redone, the others are skipped.
    damaged = next((run_dir / committed[0]).glob("*.parquet"))
    damaged.unlink()
    assert main(arguments) == 0
    printed = capsys.readouterr().out
    assert f"{committed[0]}: {sample_rows(sample_run, *committed[0].split('/'))} rows\n" in printed
    assert printed.count("(already complete)") == len(json.loads((run_dir / "_manifest.json").read_text())["splits"]) - 1
    assert_same_rows(read_run(run_dir), read_run(sample_run))


def sample_rows(run_dir, dataset: str, name: str) -> int:
    return json.loads((run_dir / dataset / name / "_COMPLETE").read_text())["rows"]


def wait_for_split_being_written(process, run_dir, log, timeout: float = 600) -> tuple[str, str]:
    """(dataset, split) of the split whose Parquet write has started, once another split is committed."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        assert process.poll() is None, "the run ended before it could be killed:\n" + log.read_text(errors="replace")[-3000:]
        if any(run_dir.glob("*/*/_COMPLETE")):
            for started in run_dir.glob("_temporary_splits/*/*/_temporary"):
                return started.parent.parent.name, started.parent.name.rsplit(".", 1)[0]
        time.sleep(0.05)
    raise AssertionError("no split write started in time")
