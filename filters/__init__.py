"""Thin Spark adapters, one module per metric family; importing this package registers them all."""

from filters import compression, detokenize, duplication, likelihood, memorization, patterns, taxonomy, token_frequency  # noqa: F401  (registration side effects)
from filters.registry import FILTERS, get_filter, register_filter  # noqa: F401
