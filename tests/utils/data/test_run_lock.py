"""The run directory's lock: one holder, named to the next; stale locks (process gone, heartbeat old) taken over."""

import json
import os
import subprocess
import time

import pytest

from utils.core.errors import OutputError
from utils.data.run_lock import LOCK_FILE, RunLock
from utils.data.storage import Storage


@pytest.fixture
def storage(spark):
    return Storage(spark)


def plant(run_dir, heartbeat_age: float = 0, **record):
    """A lock file as another run would have left it, its heartbeat `heartbeat_age` seconds old."""
    path = run_dir / LOCK_FILE
    path.write_text(json.dumps({"command": "calculate_metrics", "started_utc": "2026-12-07T00:00:00+00:00", **record}))
    os.utime(path, (time.time() - heartbeat_age, time.time() - heartbeat_age))
    return path


def dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_a_second_holder_is_refused_with_the_first_named_and_the_lock_goes_with_its_holder(storage, tmp_path):
    first = RunLock(storage, str(tmp_path), "calculate_metrics")
    with first:
        record = json.loads((tmp_path / LOCK_FILE).read_text())
        assert record["pid"] == os.getpid() and record["command"] == "calculate_metrics"
        with pytest.raises(OutputError) as refused:
            RunLock(storage, str(tmp_path), "analyze").acquire()
        message = str(refused.value)
        assert f"Run directory {tmp_path} is in use by `calculate_metrics` (pid {os.getpid()} on host {record['host']}, started " in message
        assert "--break-lock" in message and "\n" not in message
    assert not (tmp_path / LOCK_FILE).exists()
    with RunLock(storage, str(tmp_path), "analyze"):  # free again
        pass


def test_stale_locks_are_taken_over_and_live_ones_only_with_break_lock(storage, tmp_path, caplog):
    host = os.uname().nodename
    plant(tmp_path, host=host, pid=dead_pid())  # this host, process gone
    with RunLock(storage, str(tmp_path), "calculate_metrics"):
        pass
    assert "its process" in caplog.text and "is gone" in caplog.text
    plant(tmp_path, heartbeat_age=700, host="elsewhere", pid=1)  # another host, no heartbeat for 700 s > 600
    with RunLock(storage, str(tmp_path), "calculate_metrics"):
        pass
    assert "no heartbeat for 70" in caplog.text
    plant(tmp_path, heartbeat_age=30, host="elsewhere", pid=1)  # another host, fresh: may be running
    with pytest.raises(OutputError, match="in use by `calculate_metrics` \\(pid 1 on host elsewhere"):
        RunLock(storage, str(tmp_path), "calculate_metrics").acquire()
    with RunLock(storage, str(tmp_path), "calculate_metrics", break_lock=True):
        assert json.loads((tmp_path / LOCK_FILE).read_text())["pid"] == os.getpid()
    assert "(--break-lock)" in caplog.text


def test_the_heartbeat_keeps_the_lock_fresh_and_a_lock_taken_over_is_not_removed_by_its_old_holder(storage, tmp_path):
    lock = RunLock(storage, str(tmp_path), "calculate_metrics", heartbeat_seconds=0.1)
    lock.acquire()
    os.utime(tmp_path / LOCK_FILE, (time.time() - 500, time.time() - 500))
    time.sleep(0.5)
    assert time.time() - (tmp_path / LOCK_FILE).stat().st_mtime < 5
    plant(tmp_path, host="elsewhere", pid=1)  # broken by another run meanwhile
    lock.release()
    assert json.loads((tmp_path / LOCK_FILE).read_text())["host"] == "elsewhere"


def test_a_directory_the_lock_cannot_be_written_in_is_one_error(storage, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match=f"Run directory {blocker}/run: cannot create its lock file"):
        RunLock(storage, str(blocker / "run"), "analyze").acquire()
