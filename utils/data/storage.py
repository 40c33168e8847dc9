"""File operations on the run's output location through Hadoop's FileSystem API (local, HDFS, S3...).

The driver commits splits by rename and writes small JSON files here, so the same code works when
`--output` is `file:`, `hdfs://` or `s3a://` on a cluster.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from typing import Any

# A directory holding this file was completed, then moved into place (hub cache split, output split, the sample).
COMPLETE_MARKER = "_COMPLETE"


class Storage:
    def __init__(self, spark):
        self._jvm = spark.sparkContext._jvm
        self._conf = spark.sparkContext._jsc.hadoopConfiguration()

    def _path(self, path: str):
        return self._jvm.org.apache.hadoop.fs.Path(path)

    def _fs(self, path: str):
        return self._path(path).getFileSystem(self._conf)

    def qualify(self, path: str) -> str:
        """Absolute URI of a path (relative local paths resolve against the driver's working dir)."""
        p = self._path(path)
        return str(self._fs(path).makeQualified(p).toUri())

    def exists(self, path: str) -> bool:
        return bool(self._fs(path).exists(self._path(path)))

    def mkdirs(self, path: str) -> None:
        self._fs(path).mkdirs(self._path(path))

    def delete(self, path: str) -> None:
        if self.exists(path):
            self._fs(path).delete(self._path(path), True)

    def rename(self, source: str, target: str) -> None:
        self.mkdirs(str(self._path(target).getParent()))
        if not self._fs(source).rename(self._path(source), self._path(target)):
            raise OSError(f"could not rename {source} to {target}")

    def list_files(self, directory: str) -> dict[str, int]:
        """Name -> size of the plain files directly in `directory` (empty when it does not exist)."""
        if not self.exists(directory):
            return {}
        statuses = self._fs(directory).listStatus(self._path(directory))
        return {s.getPath().getName(): int(s.getLen()) for s in statuses if s.isFile()}

    def write_bytes(self, path: str, data: bytes) -> None:
        """Writes to `path`.tmp and renames, so a reader never sees half a file."""
        temporary = path + ".tmp"
        stream = self._fs(path).create(self._path(temporary), True)
        try:
            stream.write(bytearray(data))
        finally:
            stream.close()
        self.delete(path)
        self.rename(temporary, path)

    def write_text(self, path: str, text: str) -> None:
        self.write_bytes(path, text.encode("utf-8"))

    def read_text(self, path: str) -> str:
        fs = self._fs(path)
        stream = fs.open(self._path(path))
        try:
            reader = self._jvm.java.io.BufferedReader(self._jvm.java.io.InputStreamReader(stream, "UTF-8"))
            lines = []
            line = reader.readLine()
            while line is not None:
                lines.append(line)
                line = reader.readLine()
            return "\n".join(lines)
        finally:
            stream.close()

    def write_json(self, path: str, value: Any) -> None:
        self.write_text(path, json.dumps(value, indent=2, sort_keys=True, default=str) + "\n")

    def read_json(self, path: str) -> Any:
        return json.loads(self.read_text(path))

    def create_new(self, path: str, data: bytes) -> bool:
        """Creates `path` holding `data` unless it exists; False when it does. Atomic where the file system's exclusive
        create is (local disks, HDFS); on object stores (S3) two writers racing within the same moment may both win."""
        local = self._local(path)
        if local is not None:
            try:
                handle = os.open(local, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                return False
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            return True
        try:
            stream = self._fs(path).create(self._path(path), False)
        except Exception as error:  # noqa: BLE001  (Py4J wraps the Java exception)
            if "FileAlreadyExistsException" in str(error) or self.exists(path):
                return False
            raise
        try:
            stream.write(bytearray(data))
        finally:
            stream.close()
        return True

    def modified(self, path: str) -> float:
        """Seconds since the epoch of the file's last modification."""
        return int(self._fs(path).getFileStatus(self._path(path)).getModificationTime()) / 1000

    def touch(self, path: str) -> None:
        """Sets the file's modification time to now."""
        local = self._local(path)
        if local is not None:
            os.utime(local)
        else:
            self._fs(path).setTimes(self._path(path), int(time.time() * 1000), -1)

    def _local(self, path: str) -> str | None:
        """The driver-local path of a `file:` URI or plain path, else None."""
        uri = self._fs(path).makeQualified(self._path(path)).toUri()
        return str(uri.getPath()) if uri.getScheme() == "file" else None

    def check_writable(self, directory: str) -> None:
        probe = f"{directory.rstrip('/')}/_write_probe.{uuid.uuid4().hex}"  # one per writer: runs may probe side by side
        self.mkdirs(directory)
        self.write_text(probe, "ok")
        self.delete(probe)
