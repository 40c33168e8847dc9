"""Ships the project's own packages (metrics, filters, utils) to every executor as one zip (`addPyFile`).

Executors on a cluster start in their worker's scratch directory, where `import filters` would fail;
the zip is what lets the same code run on `local[*]`, standalone, YARN and Kubernetes unchanged.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import shutil
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROJECT_PACKAGES = ("metrics", "filters", "utils")
ZIP_PREFIX = "memorization_metrics_"  # the zip is ZIP_PREFIX + a hash of its content + ".zip"
_shipped: dict[str, str] = {}  # application id -> zip path, so one SparkContext gets the zip once


def project_zip_bytes(root: Path = ROOT) -> bytes:
    """The packages' .py files in a zip with fixed timestamps, so equal code gives equal bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for package in PROJECT_PACKAGES:
            for path in sorted((root / package).rglob("*.py")):
                info = zipfile.ZipInfo(str(path.relative_to(root)), date_time=(2020, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def ship_project_code(spark) -> str:
    """Adds the project zip to the session's Python path on every executor; returns its local path."""
    context = spark.sparkContext
    application = context.applicationId
    if application in _shipped:
        return _shipped[application]
    data = project_zip_bytes()
    directory = Path(tempfile.mkdtemp(prefix="memorization-metrics-code-"))
    atexit.register(shutil.rmtree, directory, True)  # Spark serves the file from here until the driver exits
    # The content hash in the name: executors refuse a second file of the same name with other contents.
    path = directory / f"{ZIP_PREFIX}{hashlib.sha256(data).hexdigest()[:16]}.zip"
    path.write_bytes(data)
    context.addPyFile(str(path))
    _shipped[application] = str(path)
    return str(path)
