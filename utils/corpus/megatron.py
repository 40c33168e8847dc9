"""Megatron MMapIndexedDataset (`.idx` + one or more `.bin` shards): header checks, writing, range reads.

Format (docs/METRICS.md, 'Data'; Megatron-LM `indexed_dataset.py`): the `.idx` holds the magic
`MMIDIDX\\x00\\x00`, a little-endian u64 version (1), a u8 dtype code, u64 record count, u64 document
count, then int32 sizes[count] (tokens per record), int64 pointers[count] (byte offset of each record
in the `.bin`) and int64 doc_idx[documents]. Pythia publishes the `.bin` split into shards
(`document-00000-of-00020.bin`, ...) whose concatenation is the `.bin` the index describes.
Every read is a memory map of a byte range, so neither the driver nor a task loads a whole file.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from utils.core.errors import DataSourceError

MAGIC = b"MMIDIDX\x00\x00"
VERSION = 1
HEADER = struct.Struct("<9sQBQQ")
DTYPE_CODES = {1: np.uint8, 2: np.int8, 3: np.int16, 4: np.int32, 5: np.int64, 6: np.float64, 7: np.float32, 8: np.uint16}
TOKEN_DTYPES = {"uint16": 8, "int32": 4}


@dataclass(frozen=True)
class MegatronIndex:
    """What an `.idx` says; sizes and pointers are read lazily through memory maps."""

    path: str
    dtype: np.dtype
    records: int
    documents: int

    @property
    def sizes_offset(self) -> int:
        return HEADER.size

    @property
    def pointers_offset(self) -> int:
        return HEADER.size + 4 * self.records

    def sizes(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        stop = self.records if stop is None else stop
        return np.array(np.memmap(self.path, np.int32, "r", self.sizes_offset, (self.records,))[start:stop], dtype=np.int64)

    def pointers(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        stop = self.records if stop is None else stop
        return np.array(np.memmap(self.path, np.int64, "r", self.pointers_offset, (self.records,))[start:stop])


def read_index(path: str | Path, expected_dtype: str | None = None) -> MegatronIndex:
    """The validated header of an `.idx` file; any inconsistency is a DataSourceError naming the file."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(HEADER.size)
    except OSError as error:
        raise DataSourceError(f"Megatron index {path} cannot be read ({error.strerror or error}).") from None
    if len(head) < HEADER.size:
        raise DataSourceError(f"Megatron index {path} is {size} bytes, shorter than its {HEADER.size}-byte header.")
    magic, version, code, records, documents = HEADER.unpack(head)
    if magic != MAGIC:
        raise DataSourceError(f"{path} is not a Megatron MMapIndexedDataset index: magic {magic!r}, expected {MAGIC!r}.")
    if version != VERSION:
        raise DataSourceError(f"Megatron index {path} has version {version}; only version {VERSION} is supported.")
    if code not in DTYPE_CODES:
        raise DataSourceError(f"Megatron index {path} has unknown dtype code {code}.")
    if code not in TOKEN_DTYPES.values():
        raise DataSourceError(
            f"Megatron index {path} stores {np.dtype(DTYPE_CODES[code]).name} (code {code}); token corpora must be uint16 (8) or int32 (4)."
        )
    dtype = np.dtype(DTYPE_CODES[code])
    if expected_dtype and dtype.name != expected_dtype:
        raise DataSourceError(f"Megatron index {path} stores {dtype.name} tokens, but the corpus config says dtype {expected_dtype}.")
    expected_size = HEADER.size + 12 * records + 8 * documents
    if size != expected_size:
        raise DataSourceError(
            f"Megatron index {path} is {size} bytes, but its header ({records} records, {documents} documents) "
            f"implies {expected_size}: truncated or corrupt."
        )
    return MegatronIndex(str(path), dtype, records, documents)


class ShardedBin:
    """The byte stream of one or more `.bin` shards, read by (offset, length) through memory maps."""

    def __init__(self, paths: list[str]):
        self.paths = [str(p) for p in paths]
        try:
            sizes = [Path(p).stat().st_size for p in self.paths]
        except OSError as error:
            raise DataSourceError(f"Megatron data file {error.filename} cannot be read ({error.strerror}).") from None
        self.ends = np.cumsum(sizes, dtype=np.int64)
        self.starts = self.ends - np.array(sizes, dtype=np.int64)
        self.size = int(self.ends[-1]) if sizes else 0

    def read(self, offset: int, length: int) -> np.ndarray:
        """`length` bytes from global `offset`, as uint8 (one copy when the range spans shards)."""
        if offset < 0 or offset + length > self.size:
            raise DataSourceError(f"Bytes {offset}..{offset + length} are past the end of {', '.join(self.paths)} ({self.size} bytes).")
        pieces = []
        first = int(np.searchsorted(self.ends, offset, side="right"))
        position, remaining = offset, length
        for shard in range(first, len(self.paths)):
            if remaining == 0:
                break
            local = position - int(self.starts[shard])
            take = min(remaining, int(self.ends[shard]) - position)
            if take > 0:
                pieces.append(np.memmap(self.paths[shard], np.uint8, "r", local, (take,)))
            position, remaining = position + take, remaining - take
        if len(pieces) == 1:
            return pieces[0]
        return np.concatenate(pieces) if pieces else np.zeros(0, np.uint8)


def check_bin_covers_index(index: MegatronIndex, data: ShardedBin) -> None:
    """The `.bin` shards must hold every byte the index points at."""
    if index.records == 0:
        return
    last_pointer, last_size = int(index.pointers(index.records - 1)[0]), int(index.sizes(index.records - 1)[0])
    needed = last_pointer + last_size * index.dtype.itemsize
    if data.size < needed:
        raise DataSourceError(
            f"Megatron data {', '.join(data.paths)} is {data.size} bytes, but index {index.path} needs {needed} "
            f"(record {index.records - 1} ends there): the .bin is truncated or belongs to another index."
        )


def read_records(index: MegatronIndex, data: ShardedBin, start: int, stop: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(tokens, record starts, record lengths) of records start..stop-1, starts relative to `tokens`."""
    pointers, sizes = index.pointers(start, stop), index.sizes(start, stop)
    if len(pointers) == 0:
        return np.zeros(0, index.dtype), pointers, sizes
    itemsize = index.dtype.itemsize
    first = int(pointers[0])
    length = int(pointers[-1]) + int(sizes[-1]) * itemsize - first
    raw = data.read(first, length)
    tokens = raw.view(index.dtype)
    return tokens, (pointers - first) // itemsize, sizes


def write_megatron(prefix: str | Path, records: list[np.ndarray] | np.ndarray, dtype: str = "uint16", shards: int = 1) -> list[Path]:
    """Writes records as `prefix.idx` + `prefix.bin` (or `prefix-0000i-of-0000k.bin` shards); returns the .bin paths."""
    prefix = Path(prefix)
    token_dtype = np.dtype(dtype)
    records = [np.asarray(r, dtype=token_dtype) for r in records]
    sizes = np.array([len(r) for r in records], dtype=np.int32)
    pointers = np.concatenate([[0], np.cumsum(sizes.astype(np.int64) * token_dtype.itemsize)[:-1]]).astype(np.int64)
    with open(f"{prefix}.idx", "wb") as handle:
        handle.write(HEADER.pack(MAGIC, VERSION, TOKEN_DTYPES[token_dtype.name], len(records), len(records) + 1))
        handle.write(sizes.tobytes())
        handle.write(pointers.tobytes())
        handle.write(np.arange(len(records) + 1, dtype=np.int64).tobytes())
    payload = np.concatenate(records).tobytes() if records else b""
    if shards == 1:
        paths = [Path(f"{prefix}.bin")]
    else:
        paths = [Path(f"{prefix}-{i:05d}-of-{shards:05d}.bin") for i in range(shards)]
    bounds = np.linspace(0, len(payload), shards + 1).astype(np.int64)
    for path, lo, hi in zip(paths, bounds[:-1], bounds[1:]):
        path.write_bytes(payload[lo:hi])
    return paths
