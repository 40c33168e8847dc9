"""The `model` and `extraction` config sections: the causal LM that scores a split (likelihood, memorization) and the
sampler under which `continuation_log_prob` is taken (docs/METRICS.md, 'Likelihood', 'Extraction risk')."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path

from utils.core.errors import ConfigError
from utils.core.settings import Settings, check_positive, key, local_path_or_id, register_settings

DTYPES = ("auto", "float32", "bfloat16", "float16")


@register_settings("model")
@dataclass(frozen=True)
class ModelSettings(Settings):
    """The causal LM of the likelihood and memorization filters."""

    name: str | None = key(None, "any Hugging Face causal LM id or a local directory; null: the split's Pythia model")
    repo: str = key("EleutherAI/pythia-{size}{suffix}", "the split's Pythia repo ({size}: 70m..12b, {suffix}: -deduped or empty)")
    revision: str | None = key(None, "null: step<checkpoint> (step143000 final) for Pythia, the default branch for name")
    device: str = key("auto", "auto: the task's GPU when there is one, else cpu; or cpu, cuda, cuda:1")
    dtype: str = key("auto", "auto: bfloat16 on GPU (float16 without bf16), float32 on CPU; or float32, bfloat16, float16")
    batch_size: int | None = key(None, "rows per forward pass; null: 64 on GPU, 16 on CPU")
    generation_batch_size: int | None = key(None, "rows per greedy decoding (memorization); null: 4 x batch_size")
    min_k: float = key(0.2, "k of Min-K% and Min-K%++, in (0, 1]")

    def check(self) -> None:
        if self.dtype not in DTYPES:
            raise ConfigError(f"model.dtype must be one of {', '.join(DTYPES)}, got {self.dtype!r}.")
        check_positive(self, "batch_size", "generation_batch_size")
        if not 0 < self.min_k <= 1:
            raise ConfigError(f"model.min_k must be in (0, 1], got {self.min_k}.")

    def with_absolute_paths(self) -> ModelSettings:
        return dataclasses.replace(self, name=local_path_or_id(self.name)) if self.name else self

    def for_sample(self, directory: Path) -> ModelSettings:
        """The tiny GPT-NeoX trained on the sample corpus."""
        return self if self.name else dataclasses.replace(self, name=str(directory / "model"))


@register_settings("extraction")
@dataclass(frozen=True)
class ExtractionSettings(Settings):
    """The sampler under which continuation_log_prob is taken (likelihood filter)."""

    temperature: float = key(1.0, "softmax(logits / temperature)")
    top_k: int | None = key(None, "sample among the k largest logits only; null: all")

    def check(self) -> None:
        if type(self.temperature) not in (int, float) or not 0 < self.temperature < math.inf:
            raise ConfigError(f"extraction.temperature must be a positive number, got {self.temperature!r}.")
        if self.top_k is not None and (type(self.top_k) is not int or self.top_k < 1):
            raise ConfigError(f"extraction.top_k must be a positive integer or null, got {self.top_k!r}.")
