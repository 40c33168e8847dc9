"""Thin Spark adapters, one module per metric family; importing this package registers them all."""

from filters import (  # noqa: F401  (registration side effects)
    code_vs_nl,
    compression,
    detokenize,
    duplication,
    likelihood,
    memorization,
    patterns,
    semantic_duplicates,
    sensitive_content,
    taxonomy,
    token_frequency,
)
from filters.registry import FILTERS, get_filter, register_filter  # noqa: F401
