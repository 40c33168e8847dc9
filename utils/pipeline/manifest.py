"""The run's record beside its output: `_manifest.json` (settings, versions, per-split counts and timings) and `_run.log`."""

from __future__ import annotations

import logging
import platform
from importlib import metadata

MANIFEST = "_manifest.json"
RUN_LOG = "_run.log"
VERSIONED_PACKAGES = (
    "pyspark",
    "pyarrow",
    "pandas",
    "numpy",
    "numba",
    "tokenizers",
    "datasets",
    "huggingface_hub",
    "transformers",
    "torch",
)


class MemoryLog(logging.Handler):
    """Keeps the run's log lines so they can be written beside the output on any file system."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def package_versions() -> dict[str, str]:
    """Python's version and each of VERSIONED_PACKAGES' ("not installed" when missing)."""
    versions = {"python": platform.python_version()}
    for package in VERSIONED_PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions
