"""A Spark standalone master and workers on 127.0.0.1, started from the pip-installed pyspark and stopped by PID.

Each process runs in its own process group, so killing a worker's group also kills the executor JVM
and Python workers it launched: that is what losing a machine looks like to the driver.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pyspark

SPARK_HOME = Path(pyspark.__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get_json(url: str, timeout: float = 2.0):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


def group_alive(pgid: int) -> bool:
    """Whether any process of the group is left (the leader's PID is the group's id)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path
    web_port: int

    def log_tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"--- {self.name} ({self.log}) ---\n" + "\n".join(text.splitlines()[-lines:])


@dataclass
class StandaloneCluster:
    directory: Path
    workers: int = 2
    cores_per_worker: int = 1
    worker_memory: str = "3g"
    port: int = field(default_factory=free_port)
    master: Process | None = None
    worker_processes: list[Process] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"spark://127.0.0.1:{self.port}"

    def _start(self, name: str, arguments: list[str], web_port: int) -> Process:
        log = self.directory / f"{name}.log"
        environment = {**os.environ, "SPARK_HOME": str(SPARK_HOME), "SPARK_LOCAL_IP": "127.0.0.1", "SPARK_NO_DAEMONIZE": "1"}
        with log.open("wb") as sink:
            popen = subprocess.Popen(
                [str(SPARK_HOME / "bin" / "spark-class"), *arguments, "--webui-port", str(web_port)],
                stdout=sink,
                stderr=subprocess.STDOUT,
                env=environment,
                start_new_session=True,
            )
        return Process(name, popen, log, web_port)

    def start(self, timeout: float = 90.0) -> StandaloneCluster:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.master = self._start(
            "master", ["org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(self.port)], free_port()
        )
        for number in range(self.workers):
            work_dir = self.directory / f"worker-{number}"
            work_dir.mkdir(exist_ok=True)
            self.worker_processes.append(
                self._start(
                    f"worker-{number}",
                    [
                        "org.apache.spark.deploy.worker.Worker",
                        self.url,
                        "--host",
                        "127.0.0.1",
                        "--cores",
                        str(self.cores_per_worker),
                        "--memory",
                        self.worker_memory,
                        "--work-dir",
                        str(work_dir),
                    ],
                    free_port(),
                )
            )
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if get_json(f"http://127.0.0.1:{self.master.web_port}/json/").get("aliveworkers") == self.workers:
                    return self
            except OSError:
                pass
            if any(p.popen.poll() is not None for p in [self.master, *self.worker_processes]):
                break
            time.sleep(0.5)
        raise RuntimeError(f"The standalone cluster did not come up with {self.workers} workers:\n" + self.logs())

    def logs(self) -> str:
        return "\n".join(p.log_tail() for p in [self.master, *self.worker_processes] if p)

    def worker_executors(self, number: int) -> set[str]:
        """Ids of the executors that worker `number` runs now (from its web UI's JSON)."""
        state = get_json(f"http://127.0.0.1:{self.worker_processes[number].web_port}/json/")
        return {str(executor["id"]) for executor in state.get("executors", [])}

    def kill_worker(self, number: int) -> None:
        """SIGKILL to the worker's whole process group: worker, its executor and that executor's Python workers."""
        kill_group(self.worker_processes[number].popen)

    def stop(self) -> list[int]:
        """Stops every process this cluster started (TERM, then KILL); returns the process groups with processes left (none)."""
        processes = [p.popen for p in [*self.worker_processes, self.master] if p]
        for process in processes:
            if process.poll() is None:
                signal_group(process.pid, signal.SIGTERM)
        deadline = time.time() + 20
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                pass
            signal_group(process.pid, signal.SIGKILL)  # the group: executors a worker left behind too
            process.wait(timeout=10)
        deadline = time.time() + 20  # killed executors are reaped by init, not by us: give it a moment
        while any(group_alive(p.pid) for p in processes) and time.time() < deadline:
            time.sleep(0.2)
        return [p.pid for p in processes if group_alive(p.pid)]


def signal_group(pid: int, sig: int) -> None:
    """`sig` to the process group led by `pid`, if any of it is left."""
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL to a child's whole process group (it was started with start_new_session), then reap the child."""
    signal_group(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
