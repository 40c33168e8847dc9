"""The run's record: package versions and the log lines kept for _run.log."""

import logging
import platform

from utils.pipeline.manifest import VERSIONED_PACKAGES, MemoryLog, package_versions


def test_versions_name_python_and_every_package_even_when_missing(monkeypatch):
    from importlib import metadata

    real = metadata.version

    def version(name):
        if name == "torch":
            raise metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(metadata, "version", version)
    versions = package_versions()
    assert versions["python"] == platform.python_version() and set(VERSIONED_PACKAGES) <= set(versions)
    assert versions["torch"] == "not installed" and versions["pyarrow"] == real("pyarrow")


def test_memory_log_keeps_info_and_above_formatted():
    handler = MemoryLog()
    logger = logging.getLogger("test.memory_log")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        logger.debug("hidden")
        logger.warning("split %s: %d rows", "local/t", 3)
    finally:
        logger.removeHandler(handler)
    assert len(handler.lines) == 1 and handler.lines[0].endswith("WARNING test.memory_log: split local/t: 3 rows")
