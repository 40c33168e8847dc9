"""A class-data-sharing archive for the driver JVM of local runs, so Spark starts ~4 s sooner (JEP 350, dynamic AppCDS).

A local run spends seconds loading and verifying the same ~20,000 Spark, Scala and Hadoop classes every time.
The JVM can write the classes a run loaded to an archive when it exits (`-XX:ArchiveClassesAtExit`) and map
them from there in later runs (`-XX:SharedArchiveFile`). The first run of a Java and Spark installation writes
the archive (~190 MB; that run is several seconds slower), later runs use it. An archive is only valid for the
Java and the Spark jars that wrote it, so its name holds a fingerprint of both. A JVM aborts at start on a
truncated archive, so a written archive is only used after a separate `java -version` has loaded it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

log = logging.getLogger(__name__)

QUIET = "-Xlog:cds=off -Xlog:cds+dynamic=off"  # the archive's per-class notes go to stdout otherwise
SETTLE_SECONDS = 60  # a partial archive not written to for this long is complete, or never will be
MIN_FREE_BYTES = 1 << 30  # an archive is ~190 MB; below this much free space none is written
KEEP_ARCHIVES = 3  # other Java or Spark installations sharing the directory keep theirs


def driver_java_options(directory: str | Path, java: str, spark_home: str) -> str:
    """JVM options that use this Java and Spark's archive, or write it when this run exits; "" when neither can."""
    directory = Path(directory).expanduser()
    try:
        return _options(directory, java, spark_home)
    except OSError as error:
        log.info("JVM class archive: %s is not usable (%s); Spark starts without one.", directory, error)
        return ""


def _options(directory: Path, java: str, spark_home: str) -> str:
    key = installation_key(java, spark_home)
    archive = directory / f"spark-{key}.jsa"
    being_written = False
    if not archive.is_file():
        directory.mkdir(parents=True, exist_ok=True)
        being_written = _settle_partials(directory, key, java, archive)
    if archive.is_file():
        os.utime(archive)  # its modification time says when it was last used (_prune)
        return f"-XX:SharedArchiveFile={archive} {QUIET}"
    if being_written or (directory / f"spark-{key}.failed").exists():
        return ""
    if shutil.disk_usage(directory).free < MIN_FREE_BYTES:
        log.info("JVM class archive: less than 1 GiB free in %s; none is written.", directory)
        return ""
    _prune(directory, KEEP_ARCHIVES - 1)
    partial = directory / f"spark-{key}.{uuid.uuid4().hex}.partial"
    log.info(
        "JVM class archive: this run writes %s (~190 MB) as it exits; later runs start faster (spark.class_archive: false turns it off).",
        archive,
    )
    return f"-XX:ArchiveClassesAtExit={partial} {QUIET}"


def installation_key(java: str, spark_home: str) -> str:
    """Fingerprint of the Java binary and the Spark jars an archive was written with: their paths, sizes and times,
    which the JVM checks too (it ignores an archive of another classpath, or of jars rewritten since)."""
    digest = hashlib.sha256()
    jars = (Path(spark_home) / "jars").resolve()
    for path in [Path(java).resolve(), *(sorted(jars.glob("*.jar")) if jars.is_dir() else ())]:
        status = path.stat()
        digest.update(f"{path}:{status.st_size}:{status.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def archive_loads(java: str, archive: Path) -> bool:
    """Whether a JVM starts with this archive (a truncated one makes it abort)."""
    with tempfile.TemporaryDirectory() as scratch:
        command = [
            java,
            f"-XX:SharedArchiveFile={archive}",
            "-Xshare:auto",
            "-Xlog:disable",
            "-XX:-CreateCoredumpOnCrash",
            f"-XX:ErrorFile={scratch}/hs_err_%p.log",
            "-version",
        ]
        try:
            return subprocess.run(command, capture_output=True, timeout=120, cwd=scratch).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            return False


def _settle_partials(directory: Path, key: str, java: str, archive: Path) -> bool:
    """Promotes a finished partial archive that loads, deletes one that does not; True while one is still being written."""
    being_written = False
    for partial in sorted(directory.glob(f"spark-{key}.*.partial")):
        try:
            if time.time() - partial.stat().st_mtime < SETTLE_SECONDS:
                being_written = True
            elif not archive.exists() and archive_loads(java, partial):
                os.replace(partial, archive)
            else:
                if not archive.exists():  # written by a JVM that was killed, or the disk filled up: not tried again
                    (directory / f"spark-{key}.failed").touch()
                    log.info("JVM class archive: %s did not load; no archive is written for this installation.", partial)
                partial.unlink()
        except FileNotFoundError:  # another run promoted or deleted it first
            continue
    return being_written


def _prune(directory: Path, keep: int) -> None:
    """Deletes all but the `keep` most recently used archives (of other installations: this one has none yet)."""
    archives = sorted(directory.glob("spark-*.jsa"), key=lambda path: path.stat().st_mtime, reverse=True)
    for old in archives[keep:]:
        old.unlink(missing_ok=True)
