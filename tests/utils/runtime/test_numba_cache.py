"""Compiled kernels of the shipped project zip are found again by a later run whose zip lies elsewhere."""

import json
import os
import subprocess
import sys
from pathlib import Path

from utils.pipeline.config import build_config
from utils.runtime.numba_cache import ENVIRONMENT
from utils.runtime.shipping import ZIP_PREFIX, project_zip_bytes
from utils.runtime.spark_session import spark_settings

# What an executor's Python worker does: import a kernel module from the zip, run it, report numba's cache stats.
WORKER = """
import json, sys
sys.path.insert(0, sys.argv[1])
from metrics import code_points
code_points.code_points(["d\\u00e9j\\u00e0 vu"])
stats = code_points._decode_utf8.stats
print(json.dumps({"file": code_points.__file__, "hits": stats.cache_hits.total(), "misses": stats.cache_misses.total()}))
"""


def run_worker(zip_path: Path, cache: Path, locators: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    env.update({"NUMBA_CACHE_DIR": str(cache), "XDG_CACHE_HOME": str(cache / "user"), **(ENVIRONMENT if locators else {})})
    done = subprocess.run([sys.executable, "-c", WORKER, str(zip_path)], env=env, cwd=cache, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def shipped(tmp_path: Path, run: str) -> Path:
    """The zip where Spark would put it for one run: a new directory, the same content-hashed name."""
    path = tmp_path / run / "userFiles" / f"{ZIP_PREFIX}0123456789abcdef.zip"
    path.parent.mkdir(parents=True)
    path.write_bytes(project_zip_bytes())
    return path


def test_a_second_run_reuses_the_kernels_compiled_by_the_first(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    first = run_worker(shipped(tmp_path, "run-1"), cache, locators=True)
    assert ".zip" in first["file"] and first["misses"] == 1
    second = run_worker(shipped(tmp_path, "run-2"), cache, locators=True)
    assert (second["hits"], second["misses"]) == (1, 0)
    # numba's own zip locator keys on the zip's whole path: without ours, the same code compiles again every run
    assert run_worker(shipped(tmp_path, "run-3"), cache, locators=False)["misses"] == 1
    assert run_worker(shipped(tmp_path, "run-4"), cache, locators=False)["misses"] == 1


def test_executors_get_the_locator_and_a_users_setting_wins():
    settings = spark_settings(build_config({"spark": {"master": "spark://10.0.0.5:7077"}}).spark)
    assert settings["spark.executorEnv.NUMBA_CACHE_LOCATOR_CLASSES"] == ENVIRONMENT["NUMBA_CACHE_LOCATOR_CLASSES"]
    own = {"spark.executorEnv.NUMBA_CACHE_LOCATOR_CLASSES": "ZipCacheLocator"}
    assert (
        spark_settings(build_config({"spark": {"conf": own}}).spark)["spark.executorEnv.NUMBA_CACHE_LOCATOR_CLASSES"] == "ZipCacheLocator"
    )
