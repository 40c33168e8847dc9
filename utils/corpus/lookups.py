"""The corpus statistics a filter reads on executors: broadcast lookups, and the check of a table's keys.

`NgramDuplicates` (exact counts of scanned continuation n-grams), `PrecomputedDuplicates` (counts by
sequence_id from a published table) and `TokenCounts` (one count per token id) wrap Spark broadcasts,
so each Python worker reads them once; `CorpusStatistics` is what one corpus provides to a split.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields

import numpy as np
import pyarrow as pa

from metrics.ngram_counts import lookup
from metrics.token_windows import token_windows
from utils.core.errors import DataSourceError

log = logging.getLogger(__name__)


class NgramDuplicates:
    """Per row: exact corpus count of tokens[start : start + n] (broadcast table + counts)."""

    def __init__(self, broadcast, start: int, n: int, token_max: int):
        self.broadcast, self.start, self.n, self.token_max = broadcast, start, n, token_max

    def for_batch(self, batch: pa.RecordBatch) -> pa.Array:
        table, counts = self.broadcast.value
        tokens = batch.column("tokens")
        long_enough = np.diff(tokens.offsets.to_numpy()) >= self.start + self.n
        rows = np.flatnonzero(long_enough)
        ngrams = token_windows(tokens, rows, self.start, self.n)
        out = np.zeros(len(tokens), np.int64)
        if len(rows):
            found = lookup(ngrams, table)
            outside = (ngrams > self.token_max).any(axis=1)  # ids the corpus dtype cannot hold occur 0 times
            if ((found < 0) & ~outside).any():
                raise RuntimeError("a row's n-gram was not among the scanned targets; the statistics do not match this split")
            out[rows] = np.where(found >= 0, counts[np.maximum(found, 0)], 0)
        return pa.array(out, pa.int64(), mask=~long_enough)


def sorted_lookup(keys: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(position in the sorted `keys`, found) of each wanted key; position is a valid index even where not found."""
    position = np.minimum(np.searchsorted(keys, wanted), max(len(keys) - 1, 0))
    found = keys[position] == wanted if len(keys) else np.zeros(len(wanted), bool)
    return position, found


class PrecomputedDuplicates:
    """Per row: the count a precomputed table gives its sequence_id (null when the table lacks it)."""

    def __init__(self, broadcast, source: str):
        self.broadcast, self.source = broadcast, source

    def for_batch(self, batch: pa.RecordBatch) -> pa.Array:
        ids, counts = self.broadcast.value
        wanted = batch.column("sequence_id").to_numpy(zero_copy_only=False)
        position, present = sorted_lookup(ids, wanted)
        return pa.array(np.where(present, counts[position] if len(ids) else 0, 0), pa.int64(), mask=~present)


class TokenCounts:
    """The corpus token-count array, broadcast once and read once per Python worker."""

    def __init__(self, broadcast, size: int, source: str):
        self.broadcast, self.size, self.source = broadcast, size, source

    def get(self) -> np.ndarray:
        return self.broadcast.value


@dataclass(frozen=True)
class CorpusStatistics:
    """The lookups one corpus (or one scheme's precomputed tables) provides; None where the run needs none."""

    sequence_duplicates: NgramDuplicates | PrecomputedDuplicates | None = None
    token_counts: TokenCounts | None = None


DUPLICATES, TOKEN_COUNTS = (field.name for field in fields(CorpusStatistics))
NEEDS = (DUPLICATES, TOKEN_COUNTS)  # the resources corpus statistics provide, by the names filters need them


def check_table_keys(ids: np.ndarray, values: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray, int]:
    """(sorted unique ids, their values, number of repeated ids); conflicting repeats are an error."""
    order = np.argsort(ids, kind="stable")
    ids, values = ids[order], values[order]
    repeated = np.flatnonzero(ids[1:] == ids[:-1])
    if len(repeated):
        conflicting = repeated[values[repeated] != values[repeated + 1]]
        if len(conflicting):
            examples = ", ".join(str(int(ids[i])) for i in conflicting[:5])
            raise DataSourceError(
                f"{what} lists {len(conflicting)} key(s) twice with different values (e.g. {examples}); it cannot be used."
            )
        log.warning("%s lists %d key(s) more than once with equal values; each is used once.", what, len(repeated))
        keep = np.ones(len(ids), bool)
        keep[repeated + 1] = False
        ids, values = ids[keep], values[keep]
    return ids, values, len(repeated)


KEY_DTYPE = np.dtype([("sequence_id", "<i8"), ("token_hash", "<i8")])


def semantic_keys(sequence_ids: np.ndarray, token_hashes: np.ndarray) -> np.ndarray:
    """Row keys of the semantic counts: (sequence_id, hash of the tokens), comparable and sortable as one value."""
    keys = np.empty(len(sequence_ids), KEY_DTYPE)
    keys["sequence_id"], keys["token_hash"] = sequence_ids, token_hashes
    return keys


class SemanticCounts:
    """Per row: snowclone and template counts, one per threshold (utils/corpus/semantic.py), looked up by the row's
    sequence_id and the hash of its tokens; a valid row the join found no similar corpus row for counts 0."""

    def __init__(self, broadcast, thresholds: tuple[float, ...]):
        self.broadcast, self.thresholds = broadcast, thresholds

    def for_batch(self, batch: pa.RecordBatch) -> tuple[pa.Array, pa.Array]:
        from metrics.token_windows import row_hashes

        keys, snowclones, templates = self.broadcast.value
        wanted = semantic_keys(batch.column("sequence_id").to_numpy(zero_copy_only=False), row_hashes(batch.column("tokens")))
        position, found = sorted_lookup(keys, wanted)
        width = len(self.thresholds)
        rows = np.flatnonzero(found)
        snow = np.zeros((len(wanted), width), np.int64)
        tmpl = np.zeros((len(wanted), width), np.int64)
        snow[rows], tmpl[rows] = snowclones[position[rows]], templates[position[rows]]
        as_lists = lambda counts: pa.FixedSizeListArray.from_arrays(pa.array(counts.ravel(), pa.int64()), width).cast(  # noqa: E731
            pa.list_(pa.int64())
        )
        return as_lists(snow), as_lists(tmpl)
