"""The Java check: versions read from `java -version`, JAVA_HOME before PATH, and one error saying what to install."""

import os
import stat

import pytest

from utils.core.errors import ConfigError
from utils.runtime.java import check_java, java_executable, parse_java_major


def test_java_versions_parse():
    assert parse_java_major('openjdk version "17.0.15" 2025-04-15') == 17
    assert parse_java_major('java version "1.8.0_392"') == 8
    assert parse_java_major('openjdk version "21" 2023-09-19') == 21


def test_output_without_a_version_is_none():
    assert parse_java_major("bash: java: command not found") is None and parse_java_major("") is None


def fake_java(directory, output: str):
    """JAVA_HOME/bin/java: a script that prints `output` on stderr, as `java -version` does."""
    java = directory / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text(f"#!/bin/sh\necho '{output}' >&2\n")
    java.chmod(java.stat().st_mode | stat.S_IXUSR)
    return java


def test_java_home_is_used_before_path_and_an_old_java_is_refused(tmp_path, monkeypatch):
    java = fake_java(tmp_path / "jdk11", 'openjdk version "11.0.2" 2019-01-15')
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "jdk11"))
    assert java_executable() == str(java)
    with pytest.raises(ConfigError, match="is Java 11, too old. Spark 4 needs Java 17 or 21"):
        check_java()
    fake_java(tmp_path / "jdk21", 'openjdk version "21.0.1" 2023-10-17')
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "jdk21"))
    assert check_java() == 21


def test_a_java_home_without_java_and_unreadable_output_are_each_one_error(tmp_path, monkeypatch):
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "empty"))
    assert java_executable() is None
    with pytest.raises(ConfigError, match=f"JAVA_HOME={os.path.join(tmp_path, 'empty')} has no bin/java"):
        check_java()
    fake_java(tmp_path / "odd", "no version here")
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "odd"))
    with pytest.raises(ConfigError, match="Could not read the Java version"):
        check_java()
