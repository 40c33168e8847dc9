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


# Product modules with no test module of their own (tests/<same path>/test_<module>.py), each with the reason. Only
# modules with no logic belong here: package __init__ files (imports and re-exports), declarations without behaviour.
EXEMPT = {
    "filters/__init__.py": "imports every filter module for its registration; re-exports the registry",
    "metrics/__init__.py": "package docstring only",
    "metrics/patterns/__init__.py": "re-exports metrics/patterns/coverage.py's entry points and settings",
    "utils/__init__.py": "package docstring only",
    "utils/analysis/__init__.py": "empty package file",
    "utils/core/__init__.py": "package docstring only",
    "utils/corpus/__init__.py": "empty package file",
    "utils/data/__init__.py": "empty package file",
    "utils/pipeline/__init__.py": "empty package file",
    "utils/reporting/__init__.py": "package docstring only",
    "utils/runtime/__init__.py": "empty package file",
    "utils/sample/__init__.py": "package docstring only",
    "utils/core/errors.py": "four exception classes, declarations only",
    "utils/sample/settings.py": "settings-only declaration: three keys, and its directory made absolute by utils/core's helper",
}
MIRRORED_PACKAGES = ("metrics", "filters", "utils")


def mirror_of(module: str) -> str:
    """tests/<same path>/test_<module>.py of a product module path relative to the root."""
    path = Path(module)
    return str(Path("tests") / path.parent / f"test_{path.name}")


def unmirrored_modules(root: Path = ROOT) -> set[str]:
    """Product modules under metrics/, filters/ and utils/ whose mirrored test module does not exist."""
    modules = {str(p.relative_to(root)) for package in MIRRORED_PACKAGES for p in (root / package).rglob("*.py")}
    return {module for module in modules if not (root / mirror_of(module)).is_file()}


def test_every_module_with_logic_has_its_mirrored_test_module():
    unmirrored = unmirrored_modules()
    unlisted = sorted(unmirrored - EXEMPT.keys())
    assert not unlisted, f"no test module for {unlisted}: add {[mirror_of(m) for m in unlisted]}, or EXEMPT it if it has no logic"
    stale = sorted(EXEMPT.keys() - unmirrored)
    assert not stale, f"{stale} now have a test module, or no longer exist: remove them from EXEMPT"


def test_exempt_package_files_define_nothing():
    for module in (m for m in EXEMPT if m.endswith("__init__.py")):
        tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
        defined = [node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        assert not defined, f"{module} defines {defined}: test it in {mirror_of(module)} instead of exempting it"


def test_the_mirror_check_finds_a_module_without_its_test(tmp_path):
    files = ("filters/a.py", "filters/b.py", "utils/x/c.py", "metrics/__init__.py", "tests/filters/test_a.py", "tests/utils/x/test_c.py")
    for path in files:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("")
    assert unmirrored_modules(tmp_path) == {"filters/b.py", "metrics/__init__.py"}
    assert mirror_of("utils/data/sources.py") == "tests/utils/data/test_sources.py"
