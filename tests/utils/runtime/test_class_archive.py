"""The driver JVM's class archive: written by one run, checked, then used; never a truncated one, never for another
Java or Spark installation, never over the user's own choice."""

import os
import subprocess
import sys
import time
from pathlib import Path

from utils.pipeline.config import build_config
from utils.runtime import class_archive
from utils.runtime.class_archive import driver_java_options, installation_key
from utils.runtime.java import java_executable
from utils.runtime.spark_session import class_archive_settings, spark_settings

JAVA = java_executable() or "java"


def fake_spark_home(root: Path, jars: dict[str, int]) -> Path:
    (root / "jars").mkdir(parents=True)
    for name, size in jars.items():
        (root / "jars" / name).write_bytes(b"x" * size)
    return root


def real_archive(path: Path) -> Path:
    """A small archive written by the JVM itself, as a run writes one when it exits."""
    subprocess.run([JAVA, f"-XX:ArchiveClassesAtExit={path}", "-Xlog:disable", "-version"], check=True, capture_output=True)
    assert path.stat().st_size > 0
    return path


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_the_key_follows_the_spark_jars(tmp_path):
    home = fake_spark_home(tmp_path / "a", {"spark-core.jar": 10, "scala-library.jar": 20})
    before = installation_key(JAVA, str(home))
    assert installation_key(JAVA, str(home)) == before
    (home / "jars" / "spark-core.jar").write_bytes(b"x" * 11)  # another Spark version
    assert installation_key(JAVA, str(home)) != before
    changed = installation_key(JAVA, str(home))
    age(home / "jars" / "spark-core.jar", 10)  # the same jar installed again: the JVM would not trust the archive
    assert installation_key(JAVA, str(home)) != changed
    twin = fake_spark_home(tmp_path / "b", {"spark-core.jar": 10, "scala-library.jar": 20})  # another environment
    assert installation_key(JAVA, str(twin)) != before


def test_the_first_run_writes_a_partial_archive_and_later_runs_use_it_once_it_loads(tmp_path):
    home = fake_spark_home(tmp_path / "spark", {"spark-core.jar": 10})
    archives = tmp_path / "archives"
    first = driver_java_options(archives, JAVA, str(home))
    assert first.startswith("-XX:ArchiveClassesAtExit=") and class_archive.QUIET in first
    partial = Path(first.split()[0].split("=", 1)[1])
    assert partial.parent == archives and partial.name.endswith(".partial") and not partial.exists()

    real_archive(partial)  # the JVM writes it as the run exits
    assert driver_java_options(archives, JAVA, str(home)) == ""  # still being written, as far as anyone can tell
    age(partial, class_archive.SETTLE_SECONDS + 1)
    used = driver_java_options(archives, JAVA, str(home))
    archive = archives / f"spark-{installation_key(JAVA, str(home))}.jsa"
    assert used == f"-XX:SharedArchiveFile={archive} {class_archive.QUIET}"
    assert archive.is_file() and not partial.exists()
    assert driver_java_options(archives, JAVA, str(home)) == used


def test_a_truncated_archive_is_deleted_and_not_written_again(tmp_path):
    home = fake_spark_home(tmp_path / "spark", {"spark-core.jar": 10})
    archives = tmp_path / "archives"
    partial = Path(driver_java_options(archives, JAVA, str(home)).split()[0].split("=", 1)[1])
    whole = real_archive(tmp_path / "whole.jsa").read_bytes()
    partial.write_bytes(whole[: len(whole) // 3])  # the JVM was killed while writing it
    age(partial, class_archive.SETTLE_SECONDS + 1)
    assert not class_archive.archive_loads(JAVA, partial)
    assert driver_java_options(archives, JAVA, str(home)) == ""
    assert not partial.exists() and not list(archives.glob("*.jsa"))
    assert driver_java_options(archives, JAVA, str(home)) == ""  # one failure per installation, not one per run
    assert not list(tmp_path.rglob("hs_err*")) and not list(Path.cwd().glob("hs_err*"))


def test_other_installations_keep_a_few_archives(tmp_path):
    archives = tmp_path / "archives"
    archives.mkdir()
    for k in range(4):
        old = archives / f"spark-old{k}.jsa"
        old.write_bytes(b"")
        age(old, 100 - k)  # old3 used last
    home = fake_spark_home(tmp_path / "spark", {"spark-core.jar": 10})
    assert driver_java_options(archives, JAVA, str(home)).startswith("-XX:ArchiveClassesAtExit=")
    assert sorted(p.name for p in archives.glob("*.jsa")) == ["spark-old2.jsa", "spark-old3.jsa"]


def test_added_to_the_users_java_options_never_over_their_own_archive_choice(tmp_path):
    config = build_config({"spark": {"class_archive_dir": str(tmp_path)}}).spark
    options = class_archive_settings(config, spark_settings(config))["spark.driver.extraJavaOptions"]
    assert "-XX:ArchiveClassesAtExit=" in options
    own = build_config({"spark": {"class_archive_dir": str(tmp_path), "conf": {"spark.driver.extraJavaOptions": "-Dx=1"}}}).spark
    assert class_archive_settings(own, spark_settings(own))["spark.driver.extraJavaOptions"].startswith("-Dx=1 -XX:")
    theirs = build_config({"spark": {"conf": {"spark.driver.extraJavaOptions": "-XX:SharedArchiveFile=/x.jsa"}}}).spark
    assert class_archive_settings(theirs, spark_settings(theirs)) == {}


SESSION = """
import sys
sys.path.insert(0, sys.argv[1])
from utils.pipeline.config import build_config
from utils.runtime.spark_session import build_spark_session
spark = build_spark_session(build_config({"spark": {"master": "local[1]", "ui_port": 4070, "class_archive_dir": sys.argv[2]}}).spark)
print(spark.range(1000).selectExpr("sum(id)").first()[0])
print(spark.sparkContext.getConf().get("spark.driver.extraJavaOptions", ""))
"""


def test_a_spark_session_writes_the_archive_and_the_next_one_starts_with_it(tmp_path):
    def session() -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", SESSION, str(Path(__file__).resolve().parents[3]), str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert "[cds" not in done.stdout + done.stderr  # the archive's notes stay quiet
        return done.stdout.strip().splitlines()[-2:]

    total, options = session()
    assert total == "499500" and "-XX:ArchiveClassesAtExit=" in options
    partials = list(tmp_path.glob("*.partial"))
    assert len(partials) == 1 and partials[0].stat().st_size > 10_000_000  # Spark's classes, not only the JDK's
    age(partials[0], class_archive.SETTLE_SECONDS + 1)
    total, options = session()
    assert total == "499500" and "-XX:SharedArchiveFile=" in options and len(list(tmp_path.glob("*.jsa"))) == 1
