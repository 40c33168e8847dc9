"""One writer per run directory: a lock file created atomically, naming its holder, kept fresh by a heartbeat.

A second run (or `analyze`) on a directory in use stops with one line naming the holder. A lock is stale, and taken
over with a warning, when its holder ran on this host and its process is gone, or when its heartbeat is older than
`stale_seconds` (a holder on another host that died); `--break-lock` takes over any lock.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import sys
import threading
import time
import uuid
from typing import Any

from utils.core.errors import OutputError
from utils.data.storage import Storage

log = logging.getLogger(__name__)

LOCK_FILE = "_RUN_LOCK"
HEARTBEAT_SECONDS = 30.0
STALE_SECONDS = 600.0  # 20 missed heartbeats


class RunLock:
    """Context manager holding `run_dir`'s lock for the block's duration."""

    def __init__(
        self,
        storage: Storage,
        run_dir: str,
        command: str,
        break_lock: bool = False,
        stale_seconds: float = STALE_SECONDS,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
    ):
        self.storage = storage
        self.run_dir = run_dir
        self.path = f"{run_dir.rstrip('/')}/{LOCK_FILE}"
        self.break_lock = break_lock
        self.stale_seconds = stale_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.record = {
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "started_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "command": command,
            "argv": sys.argv,
            "token": uuid.uuid4().hex,
        }
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def acquire(self) -> None:
        data = (json.dumps(self.record, indent=2) + "\n").encode("utf-8")
        for _ in range(3):  # a lock broken here may be taken by a third run first
            try:
                created = self.storage.create_new(self.path, data)
            except Exception as error:  # noqa: BLE001  (Py4J or OS errors: a directory we may not write to)
                raise OutputError(f"Run directory {self.run_dir}: cannot create its lock file ({str(error).splitlines()[0]}).") from None
            if created:
                self._beat = threading.Thread(target=self._heartbeat, name="run-lock-heartbeat", daemon=True)
                self._beat.start()
                return
            holder = self._holder()
            if not holder and not self.storage.exists(self.path):  # released meanwhile: try again
                continue
            why = "--break-lock" if self.break_lock else self.stale_because(holder)
            if why is None:
                raise OutputError(
                    f"Run directory {self.run_dir} is in use by {describe(holder)}. Wait for it to finish, choose another "
                    "--run-id, or pass --break-lock if that run is dead."
                )
            log.warning("Taking over the lock of %s held by %s (%s).", self.run_dir, describe(holder), why)
            self.storage.delete(self.path)
        raise OutputError(f"Run directory {self.run_dir}: could not take its lock; another run keeps taking it.")

    def stale_because(self, holder: dict[str, Any]) -> str | None:
        """Why the holder's lock is stale, or None when it may still be running."""
        age = time.time() - holder.get("heartbeat", time.time())
        if age > self.stale_seconds:
            return f"no heartbeat for {age:.0f} s"
        if holder.get("host") == socket.gethostname() and isinstance(holder.get("pid"), int) and not _alive(holder["pid"]):
            return f"its process {holder['pid']} on this host is gone"
        return None

    def release(self) -> None:
        """Stops the heartbeat and removes the lock if it is still this run's."""
        self._stop.set()
        if self._beat is not None:
            self._beat.join()
            self._beat = None
            if self._holder().get("token") == self.record["token"]:
                self.storage.delete(self.path)

    def _holder(self) -> dict[str, Any]:
        """The lock's record and last heartbeat; {} when it vanished or cannot be read (being written)."""
        try:
            holder = json.loads(self.storage.read_text(self.path))
            holder["heartbeat"] = self.storage.modified(self.path)
        except Exception:  # noqa: BLE001  (vanished, half written, or not JSON: treated as held until its age says otherwise)
            try:
                return {"heartbeat": self.storage.modified(self.path)}
            except Exception:  # noqa: BLE001
                return {}
        return holder if isinstance(holder, dict) else {}

    def _heartbeat(self) -> None:
        while not self._stop.wait(self.heartbeat_seconds):
            try:
                self.storage.touch(self.path)
            except Exception as error:  # noqa: BLE001  (a missed beat only ages the lock; the run goes on)
                log.warning("Could not refresh the lock %s: %s", self.path, str(error).splitlines()[0] if str(error) else error)


def describe(holder: dict[str, Any]) -> str:
    """'run `analyze` of pid 123 on host h, started 2026-…' from a lock record."""
    if "pid" not in holder:
        return "another run (its lock file is being written or unreadable)"
    where = f"pid {holder['pid']} on host {holder.get('host', '?')}"
    return f"`{holder.get('command', 'run')}` ({where}, started {holder.get('started_utc', '?')})"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True
