"""Finds the Java runtime Spark will use and stops early, with instructions, if it is missing or too old."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

from utils.core.errors import ConfigError

MIN_JAVA_MAJOR = 17  # Spark 4.x runs on Java 17 or 21
INSTALL_HINT = (
    "Spark 4 needs Java 17 or 21. Install one, for example `sudo apt-get install openjdk-17-jre-headless` "
    "(Debian/Ubuntu), `brew install openjdk@17` (macOS) or `conda install -c conda-forge openjdk=17`, "
    "then put it on PATH or set JAVA_HOME."
)


def java_executable() -> str | None:
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidate = os.path.join(java_home, "bin", "java")
        return candidate if os.access(candidate, os.X_OK) else None
    return shutil.which("java")


def parse_java_major(version_output: str) -> int | None:
    """Major version from `java -version` output: '1.8.0_392' -> 8, '17.0.15' -> 17, '21' -> 21."""
    match = re.search(r'version "(\d+)(?:\.(\d+))?', version_output)
    if not match:
        return None
    major, minor = int(match.group(1)), match.group(2)
    return int(minor) if major == 1 and minor is not None else major


def check_java() -> int:
    """Returns the Java major version, or raises ConfigError saying what to install."""
    java = java_executable()
    if java is None:
        where = f"JAVA_HOME={os.environ['JAVA_HOME']} has no bin/java" if os.environ.get("JAVA_HOME") else "no `java` on PATH"
        raise ConfigError(f"Java not found ({where}). {INSTALL_HINT}")
    try:
        result = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ConfigError(f"Could not run {java} -version ({error}). {INSTALL_HINT}") from None
    major = parse_java_major(result.stderr + result.stdout)
    if major is None:
        raise ConfigError(f"Could not read the Java version from {java} -version. {INSTALL_HINT}")
    if major < MIN_JAVA_MAJOR:
        raise ConfigError(f"{java} is Java {major}, too old. {INSTALL_HINT}")
    return major
