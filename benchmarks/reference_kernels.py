"""The reference project's own per-row kernels, from a checkout of EleutherAI/semantic-memorization, for baselines.

Only the named function definitions are taken from its files and executed in a fresh namespace: its modules
import its own `filters`, `utils` and `spark` packages (names that clash with ours) and register Spark filters
on import. The functions' module is not importable, so Spark's cloudpickle ships them to workers by value.

    git clone https://github.com/EleutherAI/semantic-memorization
    python benchmarks/fused_pass.py --reference-repo semantic-memorization
"""

from __future__ import annotations

import ast
import re
import unicodedata
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import numpy as np

# file of the checkout -> the functions taken from it (their helpers included)
KERNELS = {
    "filters/pattern.py": ("find_if_incrementing_or_repeating", "split_text", "is_pattern"),
    "filters/huffman_coding_filter.py": ("calculate_huffman_code_length",),
}


def reference_kernels(checkout: Path) -> SimpleNamespace:
    """`is_pattern(text) -> (is_incrementing, is_repeating)` and `calculate_huffman_code_length(text)` of the checkout."""
    namespace = {"__name__": "semantic_memorization_kernels", "re": re, "unicodedata": unicodedata, "np": np, "Counter": Counter}
    for relative, names in KERNELS.items():
        path = checkout / relative
        if not path.is_file():
            raise SystemExit(f"{path} not found: --reference-repo must be a checkout of EleutherAI/semantic-memorization.")
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        wanted = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name in names]
        missing = sorted(set(names) - {node.name for node in wanted})
        if missing:
            raise SystemExit(f"{path} defines no {', '.join(missing)}: not the reference version this benchmark knows.")
        exec(compile(ast.Module(body=wanted, type_ignores=[]), str(path), "exec"), namespace)  # noqa: S102
    return SimpleNamespace(is_pattern=namespace["is_pattern"], huffman_coding_length=namespace["calculate_huffman_code_length"])
