"""Where numba keeps the compiled kernels of the project code shipped to executors, so later runs reuse them.

Executors import metrics/filters/utils from the zip that `shipping.ship_project_code` adds, and Spark stores it
under a new temporary directory every run. numba's own zip locator names its cache directory after the zip's
full path, so every run compiled every kernel again in every Python worker (12 s for the pattern scan alone)
and left another cache directory behind. The zip's name holds a hash of its content, so `ShippedCodeLocator`
keys the cache on that name: the same code finds its compiled kernels again, changed code gets its own.
Executors get the locator through the environment variable numba reads (`NUMBA_CACHE_LOCATOR_CLASSES`).
"""

from __future__ import annotations

import os
from pathlib import Path

from numba.core import caching, config

from utils.runtime.shipping import ZIP_PREFIX

# numba's own locators in numba's own order, after ours.
NUMBA_LOCATORS = ("UserProvidedCacheLocator", "InTreeCacheLocator", "UserWideCacheLocator", "IPythonCacheLocator", "ZipCacheLocator")
LOCATORS = ",".join([f"{__name__}.ShippedCodeLocator", *NUMBA_LOCATORS])
# A numba without the variable or these names (requirements.txt asks for one with both) keeps its own behaviour.
SUPPORTED = hasattr(config, "CACHE_LOCATOR_CLASSES") and all(hasattr(caching, name) for name in NUMBA_LOCATORS)
ENVIRONMENT = {"NUMBA_CACHE_LOCATOR_CLASSES": LOCATORS} if SUPPORTED else {}


class ShippedCodeLocator(getattr(caching, "ZipCacheLocator", object)):
    """Caches kernels of the shipped zip under <NUMBA_CACHE_DIR or the user cache>/<zip name>/<package path>."""

    def __init__(self, py_func, py_file):
        super().__init__(py_func, py_file)
        root = config.CACHE_DIR or caching.AppDirs(appname="numba", appauthor=False).user_cache_dir
        self._cache_path = os.path.join(root, Path(self._zip_path).stem, os.path.dirname(self._internal_path))

    @classmethod
    def from_function(cls, py_func, py_file):
        if ".zip" not in py_file:
            return None
        locator = cls(py_func, py_file)
        if not Path(locator._zip_path).name.startswith(ZIP_PREFIX):  # another zip: numba's own locator
            return None
        try:
            locator.ensure_cache_path()
        except OSError:  # not writable here: numba's own zip locator takes it, as before
            return None
        return locator
