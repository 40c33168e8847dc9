"""Training corpora the statistics are computed from: Megatron `.idx`/`.bin` or Parquet with a `tokens` column.

A corpus is opened and checked on the driver (headers and footers only), then shipped to Spark tasks,
each of which reads one chunk of consecutive records: a byte range of the `.bin` through memory maps,
or one Parquet row group. Paths must be visible to every executor (shared storage on a cluster).
"""

from __future__ import annotations

import glob
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from utils.core.errors import ConfigError, DataSourceError
from utils.core.settings import key
from utils.corpus.megatron import TOKEN_DTYPES, ShardedBin, check_bin_covers_index, read_index, read_records

FINGERPRINT_BYTES = 1 << 20  # head and tail of each file enter the fingerprint, with its size


@dataclass(frozen=True)
class CorpusConfig:
    """A training corpus: a Megatron .idx/.bin prefix or a Parquet table of token records."""

    format: str = key("megatron", "megatron or parquet")
    path: str = key("", "megatron: prefix (PREFIX.idx + PREFIX.bin or PREFIX-*-of-*.bin); parquet: file or directory")
    bin_files: tuple[str, ...] = key((), "megatron: explicit .bin shards in order; empty: found from path")
    record_length: int | None = key(2049, "every record must have this many tokens; null: any length")
    dtype: str = key("uint16", "uint16 or int32")
    tokens_column: str = key("tokens", "parquet: the token column")
    id_column: str | None = key("sequence_id", "parquet: record id column; positional when absent")
    vocab_size: int | None = key(None, "token-count table size; null: 65536 for uint16 (required for int32)")


@dataclass(frozen=True)
class Chunk:
    """Records [first_record, first_record + records) of a corpus; `part` locates them in the files."""

    first_record: int
    records: int
    part: tuple = ()


class Corpus:
    config: CorpusConfig
    records: int
    dtype: np.dtype
    files: list[str]

    def chunks(self, chunk_tokens: int) -> list[Chunk]:
        raise NotImplementedError

    def read(self, chunk: Chunk) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(tokens, record starts in tokens, record lengths, record ids) of one chunk."""
        raise NotImplementedError

    @property
    def token_space(self) -> int:
        """Size of the token-count table: vocab_size, else every id a uint16 can hold."""
        return self.config.vocab_size or (1 << 16)

    def fingerprint(self) -> str:
        """Hash of the configuration and of each file's name, size, first and last MiB."""
        digest = hashlib.sha256(json.dumps(asdict(self.config), sort_keys=True).encode())
        for name in self.files:
            size = Path(name).stat().st_size
            digest.update(f"{Path(name).name}:{size}".encode())
            with open(name, "rb") as handle:
                digest.update(handle.read(FINGERPRINT_BYTES))
                handle.seek(max(0, size - FINGERPRINT_BYTES))
                digest.update(handle.read(FINGERPRINT_BYTES))
        return digest.hexdigest()[:24]

    def check_lengths(self, lengths: np.ndarray, chunk: Chunk, where: str) -> None:
        expected = self.config.record_length
        if expected is not None and len(lengths) and not (lengths == expected).all():
            bad = int(np.flatnonzero(lengths != expected)[0])
            raise DataSourceError(
                f"Corpus record {chunk.first_record + bad} in {where} has {int(lengths[bad])} tokens, but record_length is "
                f"{expected}. Set statistics.corpora.<scheme>.record_length to null to accept any length."
            )


class MegatronCorpus(Corpus):
    def __init__(self, config: CorpusConfig):
        self.config = config
        prefix = config.path[:-4] if config.path.endswith((".idx", ".bin")) else config.path
        self.index = read_index(f"{prefix}.idx", config.dtype)
        shards = list(config.bin_files) or (
            [f"{prefix}.bin"] if Path(f"{prefix}.bin").exists() else sorted(glob.glob(f"{glob.escape(prefix)}-*-of-*.bin"))
        )
        if not shards:
            raise DataSourceError(f"Megatron corpus {prefix}: no {prefix}.bin and no shards {prefix}-*-of-*.bin next to {prefix}.idx.")
        self.data = ShardedBin(shards)
        check_bin_covers_index(self.index, self.data)
        self.records, self.dtype = self.index.records, self.index.dtype
        self.files = [self.index.path, *self.data.paths]

    def chunks(self, chunk_tokens: int) -> list[Chunk]:
        if self.records == 0:
            return []
        first_pointer, last_pointer = int(self.index.pointers(0, 1)[0]), int(self.index.pointers(self.records - 1)[0])
        tokens = (last_pointer - first_pointer) // self.dtype.itemsize + int(self.index.sizes(self.records - 1)[0])
        per_chunk = max(1, int(chunk_tokens * self.records // max(tokens, 1)))
        return [Chunk(start, min(per_chunk, self.records - start)) for start in range(0, self.records, per_chunk)]

    def read(self, chunk: Chunk):
        stop = chunk.first_record + chunk.records
        tokens, starts, lengths = read_records(self.index, self.data, chunk.first_record, stop)
        self.check_lengths(lengths, chunk, self.index.path)
        return tokens, starts, lengths, np.arange(chunk.first_record, stop, dtype=np.int64)


class ParquetCorpus(Corpus):
    def __init__(self, config: CorpusConfig):
        import pyarrow.parquet as pq

        self.config = config
        root = Path(config.path)
        files = sorted(p for p in root.rglob("*.parquet") if not p.name.startswith(("_", "."))) if root.is_dir() else [root]
        if not files or not all(f.is_file() for f in files):
            raise DataSourceError(f"Parquet corpus {config.path} has no Parquet files.")
        self.files = [str(f) for f in files]
        self.parts: list[tuple[str, int, int, int]] = []  # file, row group, first record, rows
        self.dtype = np.dtype(config.dtype)
        first = 0
        for name in self.files:
            try:
                metadata = pq.ParquetFile(name).metadata
                schema = pq.read_schema(name)
            except Exception as error:
                raise DataSourceError(f"Parquet corpus file {name} is not readable Parquet ({error}).") from None
            if config.tokens_column not in schema.names:
                raise DataSourceError(
                    f"Parquet corpus file {name} has no {config.tokens_column!r} column (columns: {', '.join(schema.names)})."
                )
            for group in range(metadata.num_row_groups):
                rows = metadata.row_group(group).num_rows
                self.parts.append((name, group, first, rows))
                first += rows
        self.records = first

    def chunks(self, chunk_tokens: int) -> list[Chunk]:
        return [Chunk(first, rows, (name, group)) for name, group, first, rows in self.parts if rows]

    def read(self, chunk: Chunk):
        import pyarrow.parquet as pq

        name, group = chunk.part
        handle = pq.ParquetFile(name)
        columns = [self.config.tokens_column]
        has_ids = self.config.id_column and self.config.id_column in handle.schema_arrow.names
        if has_ids:
            columns.append(self.config.id_column)
        table = handle.read_row_group(group, columns=columns)
        tokens = table.column(self.config.tokens_column).combine_chunks()
        if tokens.null_count:
            raise DataSourceError(f"Parquet corpus file {name}, row group {group}: {tokens.null_count} row(s) have null tokens.")
        values = tokens.flatten().to_numpy(zero_copy_only=False)
        if values.size and (values.min() < 0 or values.max() > np.iinfo(self.dtype).max):
            raise DataSourceError(
                f"Parquet corpus file {name}, row group {group}: token ids outside {self.dtype.name} ({values.min()}..{values.max()})."
            )
        offsets = tokens.offsets.to_numpy()
        lengths = np.diff(offsets).astype(np.int64)
        self.check_lengths(lengths, chunk, f"{name} row group {group}")
        ids = (
            table.column(self.config.id_column).to_numpy() if has_ids else np.arange(chunk.first_record, chunk.first_record + chunk.records)
        )
        return values.astype(self.dtype), (offsets[:-1] - offsets[0]).astype(np.int64), lengths, ids.astype(np.int64)


def open_corpus(config: CorpusConfig, where: str) -> Corpus:
    """Opens and checks a corpus (headers, sizes, columns); no token is read."""
    if config.dtype not in TOKEN_DTYPES:
        raise ConfigError(f"{where}.dtype must be one of {', '.join(TOKEN_DTYPES)}, got {config.dtype!r}.")
    if config.dtype == "int32" and not config.vocab_size:
        raise ConfigError(f"{where}.vocab_size is required for an int32 corpus (the size of its token-count table).")
    if not config.path:
        raise ConfigError(f"{where}.path is empty: give the Megatron prefix (PREFIX.idx + PREFIX.bin) or a Parquet file/directory.")
    if config.format == "megatron":
        return MegatronCorpus(config)
    if config.format == "parquet":
        return ParquetCorpus(config)
    raise ConfigError(f"{where}.format must be megatron or parquet, got {config.format!r}.")
