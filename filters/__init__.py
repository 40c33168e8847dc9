"""Column adders over Arrow record batches, one module per metric family, each with its settings and resources.

A filter reads declared columns of a batch and returns only its new columns; it never drops or reorders rows (a bad
row keeps its place with null metrics and a reason). Importing this package registers every filter, its config
section and the providers of the resources it needs.
"""

from filters import (  # noqa: F401  (registration side effects)
    code_vs_nl,
    compression,
    detokenize,
    duplication,
    hidden_states,
    likelihood,
    memorization,
    patterns,
    semantic_duplicates,
    sensitive_content,
    taxonomy,
    token_frequency,
)
from filters.registry import FILTERS, get_filter, register_filter  # noqa: F401
