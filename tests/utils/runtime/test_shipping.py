"""The zip of project packages that executors import from: complete, importable on its own, and the same bytes for the same code."""

import io
import subprocess
import sys
import zipfile
from pathlib import Path

from utils.runtime.shipping import PROJECT_PACKAGES, ROOT, project_zip_bytes


def module_name(path: Path) -> str:
    """The dotted module name of a project source file."""
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def project_modules() -> list[str]:
    """Every module of the shipped packages, as a dotted name, read from the source tree."""
    return [module_name(p) for p in sorted(p for package in PROJECT_PACKAGES for p in (ROOT / package).rglob("*.py"))]


def test_zip_holds_every_module_and_is_deterministic():
    data = project_zip_bytes()
    names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    expected = {str(p.relative_to(ROOT)) for package in PROJECT_PACKAGES for p in (ROOT / package).rglob("*.py")}
    assert names == expected
    for sub_package in ("utils/pipeline", "utils/corpus", "utils/data", "utils/runtime", "utils/sample"):
        assert f"{sub_package}/__init__.py" in names, sub_package
    assert project_zip_bytes() == data  # same name, same content: executors accept it again


def test_every_module_imports_from_the_zip_alone(tmp_path):
    """As on an executor: a working directory without the project, only the zip on the path."""
    archive = tmp_path / "project.zip"
    archive.write_bytes(project_zip_bytes())
    directories = {p.parent for package in PROJECT_PACKAGES for p in (ROOT / package).rglob("*.py")}
    assert all((d / "__init__.py").is_file() for d in directories), "a package directory lacks __init__.py"
    modules = project_modules()
    script = (
        f"import importlib, sys; sys.path[:0] = [{str(archive)!r}]\n"
        f"for m in {modules!r}:\n    assert importlib.import_module(m).__file__.startswith({str(archive)!r}), m"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr[-2000:]
