"""The catalogue of Pythia splits: which (dataset, scheme, model, step) exist and their names.

Names follow `EleutherAI/pythia-memorized-evals` (docs/METRICS.md, 'Data'): `{scheme}.{size}` for the
final checkpoint and `{scheme}.12b.{step}` for the intermediate 12b checkpoints.
"""

from __future__ import annotations

from dataclasses import dataclass

from utils.core.errors import ConfigError

SCHEMES = ("duped", "deduped")
MODEL_SIZES = ("70m", "160m", "410m", "1b", "1.4b", "2.8b", "6.9b", "12b")
INTERMEDIATE_STEPS_12B = (23000, 43000, 63000, 83000, 103000, 123000)
FINAL_STEP = 143000
DATASETS = ("memories", "pile", "local")

# Column name of each model size's memorization score in pile-*-pythia-random-sampled.
PILE_SCORE_COLUMN = {size: size.upper() for size in MODEL_SIZES}


@dataclass(frozen=True, order=True)
class Split:
    """One input table: a dataset, and for Pythia data the scheme, model size and checkpoint step."""

    dataset: str
    scheme: str
    model: str
    step: int = FINAL_STEP
    local_name: str | None = None  # for dataset 'local': the user's name of the table

    @property
    def name(self) -> str:
        if self.local_name is not None:
            return self.local_name
        base = f"{self.scheme}.{self.model}"
        return base if self.step == FINAL_STEP else f"{base}.{self.step}"

    @property
    def label(self) -> str:
        """`dataset/name`, the split's path inside a run directory."""
        return f"{self.dataset}/{self.name}"


def valid_memories_splits() -> list[str]:
    finals = [f"{scheme}.{size}" for scheme in SCHEMES for size in MODEL_SIZES]
    steps = [f"{scheme}.12b.{step}" for scheme in SCHEMES for step in INTERMEDIATE_STEPS_12B]
    return finals + steps


def parse_split_name(dataset: str, name: str) -> Split:
    """`deduped.70m` or `duped.12b.23000` -> Split; an unknown name lists the valid ones."""
    if name not in valid_memories_splits():
        raise ConfigError(f"Unknown {dataset} split {name!r}. Valid splits: {', '.join(valid_memories_splits())}.")
    parts = name.split(".")
    scheme, rest = parts[0], parts[1:]
    if len(rest) >= 2 and rest[-1].isdigit() and ".".join(rest[:-1]) == "12b":
        return Split(dataset, scheme, "12b", int(rest[-1]))
    return Split(dataset, scheme, ".".join(rest))


def pythia_repo(template: str, split: Split) -> str:
    """The split's Pythia repository from a template with {size} and {suffix} ("-deduped" for deduped splits)."""
    return template.format(size=split.model, suffix="-deduped" if split.scheme == "deduped" else "")
