"""The zip of project packages that executors import from: complete, and the same bytes for the same code."""

import io
import zipfile

from utils.runtime.shipping import PACKAGES, ROOT, project_zip_bytes


def test_zip_holds_every_module_and_is_deterministic():
    data = project_zip_bytes()
    names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    expected = {str(p.relative_to(ROOT)) for package in PACKAGES for p in (ROOT / package).rglob("*.py")}
    assert names == expected and "filters/registry.py" in names and "metrics/ngram_counts.py" in names
    assert project_zip_bytes() == data  # same name, same content: executors accept it again
