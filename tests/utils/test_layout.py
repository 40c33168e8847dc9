"""The package layout keeps its promises: no import circle between project modules and no two packages importing
each other (imports at any depth counted, so neither can hide inside a function), utils/core a leaf, and metrics/
free of Spark and of the engine."""

import ast
import subprocess
import sys
from pathlib import Path

from tests.utils.runtime.test_shipping import module_name
from utils.runtime.shipping import PROJECT_PACKAGES, ROOT


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """Project modules that `path` imports anywhere in its body (a `from package import name` counts the package)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        for name in names:
            if name in modules:
                found.add(name)
                break
    return found


def project_graph() -> dict[str, set[str]]:
    paths = [p for package in PROJECT_PACKAGES for p in (ROOT / package).rglob("*.py")]
    modules = {module_name(p) for p in paths}
    return {module_name(p): imports_of(p, modules) - {module_name(p)} for p in paths}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for child in sorted(graph.get(node, ())):
            if state.get(child) == 1:
                return path[path.index(child) :] + [child]
            if child not in state and (cycle := visit(child)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_import_circle_between_project_modules():
    graph = project_graph()
    assert "utils.corpus.statistics" in graph and "utils.corpus.precomputed" in graph["utils.corpus.statistics"]
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def package_of(module: str) -> str:
    """`filters`, `metrics`, or a sub-package of utils (`utils.pipeline`)."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "utils" and len(parts) > 2 else parts[0]


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    packages: dict[str, set[str]] = {}
    for module, imported in graph.items():
        packages.setdefault(package_of(module), set()).update(package_of(m) for m in imported)
    return {package: imported - {package} for package, imported in packages.items()}


def two_way_dependencies(packages: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted((a, b) for a, imported in packages.items() for b in imported if a < b and a in packages.get(b, ()))


def test_no_two_packages_import_each_other_and_core_is_a_leaf():
    packages = package_graph(project_graph())
    assert {"filters", "utils.core", "utils.pipeline", "utils.corpus"} <= set(packages)
    assert two_way_dependencies(packages) == []
    assert packages["utils.core"] == set() and packages["metrics"] == set()
    assert not {package for package, imported in packages.items() if "utils.pipeline" in imported} - {"utils.pipeline"}


def test_the_two_way_finder_finds_one():
    assert two_way_dependencies({"a": {"b"}, "b": {"a", "c"}, "c": set()}) == [("a", "b")]


def test_the_circle_finder_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_metrics_import_neither_spark_nor_the_engine():
    for path in (ROOT / "metrics").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                assert not any(n.split(".")[0] in ("pyspark", "utils", "filters") for n in names), f"{path}: {names}"


def test_text_filters_do_not_load_torch():
    """Every Python worker imports the filters package: torch (seconds to import) is loaded only by the model filters' compute."""
    code = "import sys, filters, utils.pipeline.fused_pass; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
