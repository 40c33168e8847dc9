"""The `data` and `hub` config sections: which splits a run reads, and where the Hugging Face datasets come from."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from utils.core.errors import ConfigError
from utils.core.settings import Settings, absolute, key, register_settings
from utils.data.splits import DATASETS, MODEL_SIZES, SCHEMES

BAD_RECORD_POLICIES = ("null", "raise")


@dataclass(frozen=True)
class LocalInput:
    """A user table (Parquet file/directory or JSON Lines) read as dataset `local`; a plain string is its path."""

    shorthand: ClassVar[str] = "path"

    path: str = key("", "Parquet file or directory, or JSON Lines file")
    name: str | None = key(None, "split name; null: the file name without extension")
    format: str | None = key(None, "parquet or json; null: from the extension")
    scheme: str | None = key(None, "duped or deduped, so filters can resolve the split's Pythia model")
    model: str | None = key(None, "Pythia size of the split (e.g. 70m), for the same reason")
    step: int | None = key(None, "checkpoint step of that model; null: the final one")


@register_settings("data")
@dataclass(frozen=True)
class DataSettings(Settings):
    """Which splits a run reads and what it does with a bad row."""

    datasets: tuple[str, ...] = key(("memories",), "memories, pile, local")
    schemes: tuple[str, ...] = key(SCHEMES, "duped, deduped")
    models: tuple[str, ...] = key(MODEL_SIZES, "Pythia sizes")
    splits: tuple[str, ...] = key((), "memorized-evals split names; replace schemes x models, e.g. [duped.12b.23000]")
    local_inputs: tuple[LocalInput, ...] = key((), "dataset local: [{path: x.parquet, name: mine, scheme: deduped, model: 70m}]")
    sample_size: int | None = key(None, "a random sample of this many rows per split; null: every row")
    sample_seed: int = key(0, "seed of that sample")
    bad_records: str = key("null", "null: keep a bad row with null metrics and invalid_reason set; raise: stop the run")
    vocab_size: int | None = key(None, "token ids must be below this; null: the tokenizer's vocabulary size")

    def check(self) -> None:
        for dataset in self.datasets:
            if dataset not in DATASETS:
                raise ConfigError(f"Unknown dataset {dataset!r}. Valid datasets: {', '.join(DATASETS)}.")
        for scheme in self.schemes:
            if scheme not in SCHEMES:
                raise ConfigError(f"Unknown scheme {scheme!r}. Valid schemes: {', '.join(SCHEMES)}.")
        for model in self.models:
            if model not in MODEL_SIZES:
                raise ConfigError(f"Unknown model size {model!r}. Valid sizes: {', '.join(MODEL_SIZES)}.")
        if "local" in self.datasets and not self.local_inputs:
            raise ConfigError("Dataset 'local' needs at least one input: --local-inputs PATH or data.local_inputs in config.")
        if self.sample_size is not None and self.sample_size <= 0:
            raise ConfigError(f"--sample-size must be a positive number of rows, got {self.sample_size}.")
        if self.bad_records not in BAD_RECORD_POLICIES:
            raise ConfigError(f"data.bad_records must be one of {', '.join(BAD_RECORD_POLICIES)}, got {self.bad_records!r}.")
        if self.vocab_size is not None and self.vocab_size <= 0:
            raise ConfigError(f"data.vocab_size must be positive, got {self.vocab_size}.")

    def with_absolute_paths(self) -> DataSettings:
        inputs = tuple(dataclasses.replace(item, path=absolute(item.path)) for item in self.local_inputs)
        return dataclasses.replace(self, local_inputs=inputs)


@register_settings("hub")
@dataclass(frozen=True)
class HubSettings(Settings):
    """Where the memorized-evals splits and the Pile samples come from."""

    memories_repo: str = key("EleutherAI/pythia-memorized-evals", "Hugging Face dataset of the memorized sequences")
    pile_repo: str = key("EleutherAI/pile-{scheme}-pythia-random-sampled", "Hugging Face dataset of the Pile control samples")
    pile_split: str = key("train", "split of pile_repo")
    revision: str | None = key(None, "dataset revision; null: the default branch")
    local_mirror: str | None = key(None, "directory laid out as <repo_id>/<split>/*.parquet, read instead of the hub")

    def with_absolute_paths(self) -> HubSettings:
        return dataclasses.replace(self, local_mirror=absolute(self.local_mirror))

    def for_sample(self, directory: Path) -> HubSettings:
        return self if self.local_mirror else dataclasses.replace(self, local_mirror=str(directory / "hub"))
