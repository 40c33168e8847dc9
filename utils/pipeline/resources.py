"""What the run hands its filters: each resource by name, None where no filter of the plan needs it.

A filter lists the names it needs (`Filter.needs`); the registry refuses a name that is not a field here,
and a filter refuses to start when one of its needs is None.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: filters import this module on executors, where Spark-side modules are not needed
    from utils.corpus.lookups import NgramDuplicates, PrecomputedDuplicates, SemanticCounts, TokenCounts
    from utils.pipeline.config import SensitiveContentConfig, TaxonomyConfig
    from utils.runtime.classifiers import ClassifierHandle
    from utils.runtime.models import ModelHandle
    from utils.runtime.tokenizers import TokenizerHandle


@dataclass(frozen=True)
class FilterResources:
    tokenizer: TokenizerHandle | None = None  # the split's tokenizer (detokenize)
    model: ModelHandle | None = None  # the split's causal LM (likelihood, memorization)
    sequence_duplicates: NgramDuplicates | PrecomputedDuplicates | None = None  # corpus counts of the continuation
    token_counts: TokenCounts | None = None  # corpus count of every token id
    taxonomy: TaxonomyConfig | None = None  # the taxonomy's thresholds
    semantic_counts: SemanticCounts | None = None  # snowclone/template counts of the split's rows (semantic join)
    nl_classifier: ClassifierHandle | None = None  # the code-vs-natural-language classifier (code_vs_nl)
    sensitive_content: SensitiveContentConfig | None = None  # phone regions of the sensitive_content filter

    def missing(self, needs: tuple[str, ...]) -> list[str]:
        return [need for need in needs if getattr(self, need) is None]


RESOURCE_NAMES = tuple(field.name for field in fields(FilterResources))
