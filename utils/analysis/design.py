"""What `analyze` fits on one split and how a block of rows maps onto it (docs/METRICS.md, 'Predictive model of
memorization'): the train/test split (the ⌊0.8·n + ½⌋ rows of each class with the smallest hash of their
sequence id), standardization with the train rows' mean and sample standard deviation, the groups (all rows; natural
language and code by nl_score), the taxonomy categories at a recitation threshold, and one `FitSpec` per logistic
regression. Everything here is a pure function of a block's numpy columns, so it runs the same on the driver and on
executors."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import partial

import numpy as np

from metrics.taxonomy import CATEGORIES, category_codes
from utils.analysis.blocks import Block, Pieces
from utils.analysis.data import BINARY, HASH, HASH_BITS, NL_SCORE

TRAIN_SHARE = 0.8
NL_THRESHOLD, CODE_THRESHOLD = 0.525, 0.4  # the reference's split of nl_scores: natural language above, code below
HISTOGRAM_BITS = 16  # the hash's top bits: the first pass finds the bin of each class's cut, the second the cut in it


@dataclass(frozen=True)
class FitSpec:
    """One logistic regression: the train rows of `group`, and of `category` at `threshold` (None: the baseline)."""

    group: str
    threshold: int | None = None
    category: str | None = None

    @property
    def model(self) -> str:
        return "baseline" if self.category is None else "taxonomic"


@dataclass(frozen=True)
class Design:
    """The features (in order; the design matrix is an intercept column followed by them) and how rows are chosen."""

    features: tuple[str, ...]
    taxonomy: bool
    nl: bool
    means: tuple[float, ...] = ()
    scales: tuple[float, ...] = ()
    cuts: tuple[float, float] = (math.inf, math.inf)  # the largest train hash of label 0 and of label 1

    @property
    def groups(self) -> tuple[str, ...]:
        return ("all", "natural_language", "code") if self.nl else ("all",)

    @property
    def continuous(self) -> list[str]:
        return [name for name in self.features if name not in BINARY]

    def train(self, block: Block) -> np.ndarray:
        cut = np.where(block["label"] > 0, self.cuts[1], self.cuts[0])
        return block[HASH] <= cut

    def in_group(self, block: Block, group: str) -> np.ndarray:
        if group == "natural_language":
            return block[NL_SCORE] > NL_THRESHOLD
        if group == "code":
            return block[NL_SCORE] < CODE_THRESHOLD
        return np.ones(len(block["label"]), dtype=bool)

    def categories(self, block: Block, threshold: int) -> np.ndarray:
        return category_codes(block["sequence_duplicates"], block["is_templating"], threshold)

    def matrix(self, block: Block) -> np.ndarray:
        """The intercept column and every feature, continuous ones standardized."""
        x = np.empty((len(block["label"]), 1 + len(self.features)))
        x[:, 0] = 1.0
        scale = dict(zip(self.continuous, zip(self.means, self.scales)))
        for j, name in enumerate(self.features, start=1):
            if name in scale:
                mean, deviation = scale[name]
                x[:, j] = (block[name] - mean) / (deviation or 1.0)  # a constant feature stays 0 and is left out of fits
            else:
                x[:, j] = block[name]
        return x


class RowSelector:
    """The masks of one block, each computed once however many fits ask for it."""

    def __init__(self, design: Design, block: Block):
        self.design, self.block = design, block
        self.train = design.train(block)
        self._groups: dict[str, np.ndarray] = {}
        self._codes: dict[int, np.ndarray] = {}

    def group(self, name: str) -> np.ndarray:
        if name not in self._groups:
            self._groups[name] = self.design.in_group(self.block, name)
        return self._groups[name]

    def codes(self, threshold: int) -> np.ndarray:
        if threshold not in self._codes:
            self._codes[threshold] = self.design.categories(self.block, threshold)
        return self._codes[threshold]

    def rows(self, spec: FitSpec, train: bool = True) -> np.ndarray:
        mask = self.group(spec.group) & (self.train if train else ~self.train)
        if spec.category is not None:
            mask &= self.codes(spec.threshold) == CATEGORIES.index(spec.category)
        return mask


def fit_specs(design: Design, threshold: int | None, sweep: list[int]) -> list[FitSpec]:
    """The baseline of every group; with the taxonomy inputs, one fit per category at `threshold` in every group, and
    at each sweep threshold on all rows."""
    specs = [FitSpec(group) for group in design.groups]
    if threshold is None:
        return specs
    for group in design.groups:
        thresholds = sorted({threshold, *sweep}) if group == "all" else [threshold]
        specs += [FitSpec(group, t, category) for t in thresholds for category in CATEGORIES]
    return specs


# ---- the passes that prepare the fits: each is one map_reduce -------------------------------------------------------


def hash_histogram(design: Design, thresholds: tuple[int, ...], block: Block) -> dict:
    """Per label, rows per bin of the hash's top bits; per sweep threshold, all rows per category."""
    bins = (block[HASH] >> (HASH_BITS - HISTOGRAM_BITS)).astype(np.int64)
    positive = block["label"] > 0
    histogram = np.stack(
        [np.bincount(bins[~positive], minlength=1 << HISTOGRAM_BITS), np.bincount(bins[positive], minlength=1 << HISTOGRAM_BITS)]
    )
    out = {"histogram": histogram}
    if design.taxonomy:
        out["categories"] = {t: np.bincount(design.categories(block, t), minlength=len(CATEGORIES)) for t in thresholds}
    return out


def hashes_in_bins(bins: tuple[int, int], block: Block) -> list[Pieces]:
    """Per label value, the hashes that fall in that label's chosen bin."""
    top = block[HASH] >> (HASH_BITS - HISTOGRAM_BITS)
    positive = block["label"] > 0
    return [Pieces([block[HASH][(positive == bool(value)) & (top == bins[value])]]) for value in (0, 1)]


def train_cuts(blocks, design: Design, thresholds: tuple[int, ...], label: str = "") -> tuple[tuple[float, float], dict]:
    """(the largest train hash of each label, per sweep threshold the rows per category): two passes."""
    counted = blocks.map_reduce(partial(hash_histogram, design, thresholds), f"analyze {label}: hash histogram, category counts")
    chosen, ranks = [], []
    for value in (0, 1):  # the label's value
        counts = counted["histogram"][value]
        keep = int(math.floor(TRAIN_SHARE * counts.sum() + 0.5))  # train rows of this label
        if keep == 0:
            chosen.append(-1)
            ranks.append(0)
            continue
        cumulative = np.cumsum(counts)
        bin_index = int(np.searchsorted(cumulative, keep))  # the bin holding the keep-th smallest hash
        chosen.append(bin_index)
        ranks.append(keep - int(cumulative[bin_index - 1] if bin_index else 0))
    pieces = blocks.map_reduce(partial(hashes_in_bins, tuple(chosen)), f"analyze {label}: train/test cut")
    cuts = []
    for value in (0, 1):
        if chosen[value] < 0:
            cuts.append(-1.0)
            continue
        cuts.append(float(np.sort(pieces[value].concatenated())[ranks[value] - 1]))
    return (cuts[0], cuts[1]), counted.get("categories", {})


class Moments:
    """Count, means and co-moment matrix Σ (z − mean)(z − mean)ᵀ of columns, merged exactly (Chan, Golub & LeVeque
    1979): no cancellation, so a feature constant or collinear within a fit's rows shows as such."""

    def __init__(self, values: np.ndarray):
        self.count = float(len(values))
        self.mean = values.mean(axis=0) if len(values) else np.zeros(values.shape[1])
        centred = values - self.mean
        self.comoment = centred.T @ centred

    def __add__(self, other: Moments) -> Moments:
        count = self.count + other.count
        if not self.count or not other.count:
            return self if other.count == 0 else other
        merged = Moments(np.zeros((0, len(self.mean))))
        delta = other.mean - self.mean
        merged.count = count
        merged.mean = self.mean + delta * (other.count / count)
        merged.comoment = self.comoment + other.comoment + np.outer(delta, delta) * (self.count * other.count / count)
        return merged

    def covariance(self) -> np.ndarray:
        """Population covariance (co-moment / count)."""
        return self.comoment / self.count if self.count else self.comoment


def train_moments(design: Design, block: Block) -> Moments:
    train = design.train(block)
    return Moments(np.stack([block[name][train] for name in design.continuous], axis=1))


def standardized(blocks, design: Design, label: str = "") -> Design:
    """The design with the train rows' mean and sample standard deviation of each continuous feature (one pass)."""
    if not design.continuous:
        return design
    moments = blocks.map_reduce(partial(train_moments, design), f"analyze {label}: standardization")
    squares = np.diag(moments.comoment)
    deviations = np.sqrt(squares / (moments.count - 1)) if moments.count > 1 else np.zeros_like(moments.mean)
    return replace(design, means=tuple(float(m) for m in moments.mean), scales=tuple(float(s) for s in deviations))


def fit_moments(design: Design, specs: list[FitSpec], block: Block) -> dict[int, Moments]:
    """Per fit, the moments of [standardized features, label] over its train rows: rows, positives, and the features'
    variances and covariances."""
    select = RowSelector(design, block)
    z = np.concatenate([design.matrix(block)[:, 1:], block["label"][:, None]], axis=1)
    return {index: Moments(z[select.rows(spec)]) for index, spec in enumerate(specs)}
