"""The sample pipeline on a real Spark standalone cluster (master + 2 workers on 127.0.0.1), with and without a lost worker.

The driver is a child process started outside the repository, so executors can import the project only
from the zip the session ships; its output must equal the local[2] run's row for row.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.e2e.sample_runs import assert_same_rows, read_run, sample_args, start_cli
from tests.standalone_cluster import StandaloneCluster, free_port, get_json, kill_group

RUN_TIMEOUT = 900


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    cluster = StandaloneCluster(tmp_path_factory.mktemp("standalone"), workers=2)
    try:
        yield cluster.start()
    finally:
        left = cluster.stop()
        assert not left, f"process groups still alive after stop: {left}"


@pytest.fixture(scope="module")
def timings():
    return {}


def cluster_command(cluster, sample_dir, directory, run_id: str, ui_port: int) -> list[str]:
    conf = "  conf:\n    spark.executor.memory: 1g\n    spark.task.maxFailures: '4'\n"
    return sample_args(sample_dir, directory / "out", run_id, master=cluster.url, ui_port=ui_port, config=conf, quiet=False)


def finish(process, log, timeout: float = RUN_TIMEOUT) -> str:
    try:
        process.wait(timeout=timeout)
    except BaseException:
        kill_group(process)
        raise
    text = log.read_text(errors="replace")
    assert process.returncode == 0, f"the run failed (exit {process.returncode}):\n{text[-4000:]}"
    return text


def test_cluster_output_equals_local(cluster, sample_dir, sample_run, tmp_path, timings):
    log = tmp_path / "driver.log"
    started = time.time()
    process = start_cli(cluster_command(cluster, sample_dir, tmp_path, "cluster", free_port()), log, cwd=tmp_path)
    text = finish(process, log)
    timings["clean"] = time.time() - started
    run_dir = tmp_path / "out" / "cluster"
    manifest = json.loads((run_dir / "_manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["spark"]["master"] == cluster.url, text[-2000:]
    assert_same_rows(read_run(run_dir), read_run(sample_run))


def test_lost_worker_is_survived(cluster, sample_dir, sample_run, tmp_path, timings):
    """Kill the worker whose executor is running a task once a split is committed; the run completes, equal to local."""
    log, ui_port = tmp_path / "driver.log", free_port()
    run_dir = tmp_path / "out" / "faulty"
    started = time.time()
    process = start_cli(cluster_command(cluster, sample_dir, tmp_path, "faulty", ui_port), log, cwd=tmp_path)
    try:
        victim = wait_for_busy_worker(cluster, process, run_dir, ui_port)
        cluster.kill_worker(victim)
        killed_at = time.time() - started
    except BaseException:
        kill_group(process)
        raise
    text = finish(process, log)
    timings["faulty"] = time.time() - started
    assert "ExecutorLostFailure" in text or "Lost executor" in text, "the driver never noticed the lost worker:\n" + text[-3000:]
    assert json.loads((run_dir / "_manifest.json").read_text())["status"] == "complete"
    assert_same_rows(read_run(run_dir), read_run(sample_run))
    if "clean" in timings:
        penalty = timings["faulty"] - timings["clean"]
        print(
            f"\nlost worker at {killed_at:.0f} s: run took {timings['faulty']:.0f} s vs {timings['clean']:.0f} s clean "
            f"({penalty:+.0f} s, x{timings['faulty'] / timings['clean']:.2f})"
        )


def test_analyze_on_the_cluster_equals_the_driver_engine(cluster, sample_run, tmp_path):
    """`analyze --engine cluster` on the standalone cluster (every Newton, Firth and ridge pass and the metrics as
    Spark jobs on executors that import the project from the shipped zip) writes the tables the driver engine does."""
    import shutil

    import pandas as pd

    from calculate_metrics import main

    split = "pile/deduped.160m"
    runs = {}
    for engine in ("cluster", "driver"):
        runs[engine] = tmp_path / engine
        shutil.copytree(sample_run / split, runs[engine] / split)
        shutil.copy(sample_run / "_manifest.json", runs[engine] / "_manifest.json")
    config = tmp_path / "analyze.yaml"
    config.write_text(f"spark:\n  ui_port: {free_port()}\n  bind_address: 127.0.0.1\n  conf:\n    spark.executor.memory: 1g\n")
    arguments = ["analyze", str(runs["cluster"]), "--split", split, "--engine", "cluster", "--master", cluster.url, "--config", str(config)]
    log = tmp_path / "analyze.log"
    text = finish(start_cli(arguments, log, cwd=tmp_path), log)
    assert f"{split}: 600 rows" in text and "cluster engine" in text, text[-2000:]
    assert main(["analyze", str(runs["driver"]), "--split", split, "--engine", "driver"]) == 0
    for name in ("performance", "coefficients", "lrt", "threshold_sweep", "detection", "correlations", "calibration", "curves"):
        cluster_table = pd.read_parquet(runs["cluster"] / "_analysis" / f"{name}.parquet")
        driver_table = pd.read_parquet(runs["driver"] / "_analysis" / f"{name}.parquet")
        if "notes" in driver_table:  # where a separated fit's Newton breaks down is a matter of summation order
            for table in (cluster_table, driver_table):
                table["notes"] = table["notes"].str.replace(r"at iteration \d+", "at iteration N", regex=True)
        pd.testing.assert_frame_equal(cluster_table, driver_table, check_exact=False, rtol=1e-6, atol=1e-9, obj=name)


def wait_for_busy_worker(cluster, process, run_dir, ui_port: int, timeout: float = 600) -> int:
    """The worker whose executor has a running task, once at least one split has been committed."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        assert process.poll() is None, "the run ended before a worker could be killed"
        if any(run_dir.glob("*/*/_COMPLETE")):
            busy = busy_executors(ui_port)
            for number in range(len(cluster.worker_processes)):
                try:
                    if busy & cluster.worker_executors(number):
                        return number
                except OSError:  # the worker's UI did not answer in time on a loaded machine: ask again
                    pass
        time.sleep(0.2)
    raise AssertionError("no worker ran a task after the first split was committed")


def busy_executors(ui_port: int) -> set[str]:
    """Executor ids with active tasks, from the driver's REST API (empty while it is not up)."""
    base = f"http://127.0.0.1:{ui_port}/api/v1/applications"
    try:
        application = get_json(base)[0]["id"]
        return {e["id"] for e in get_json(f"{base}/{application}/executors") if e["id"] != "driver" and e["activeTasks"] > 0}
    except (OSError, IndexError, KeyError, ValueError):
        return set()
