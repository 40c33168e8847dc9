"""Builds the offline sample: a tokenizer trained offline, Pythia-shaped records, and hub-shaped splits.

Records mimic the Pythia training stream: record i is a run of documents separated by
`<|endoftext|>` (id 0); a memorized-evals row is tokens 0..63 of record `index`. Records are generated
from a per-record random stream, so a longer record (a training corpus) keeps the same first tokens.
The training corpus (corpus/document.idx + two .bin shards, Megatron format) holds every record at
full length (2049 tokens). Planted duplicates make `sequence_duplicates` known by construction: for
chosen prose records, whose first document covers tokens 0..63 so their continuation is 32 random
words, k - 1 copies of the whole row (tokens 0..63) are written into other records in 64-token slots
at offsets >= 64 (never into any row's first 64 tokens, never overlapping), so the continuation
occurs exactly k times. A tiny GPT-NeoX (model/, utils/sample/model.py) is trained on the corpus, and a tiny
code-vs-natural-language classifier (classifier/, utils/sample/classifier.py) on fresh prose and code texts.
records.parquet (index, category, expected_duplicates, greedy_memorization_score) gives k for those
records, 1 for the other such prose records, null where the count depends on the content (licences,
templates, code), and the model's greedy match of each record's row computed with `generate`.
Layout under `directory`: tokenizer.json, records.parquet, corpus/, model/, classifier/, and
hub/<repo_id>/<split>/part-0000k.parquet (SHARDS files per split, as the hub shards its splits) in the column layout
of the real Hugging Face splits.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
import uuid
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from utils.corpus.megatron import write_megatron
from utils.data.splits import MODEL_SIZES, PILE_SCORE_COLUMN
from utils.data.storage import COMPLETE_MARKER
from utils.sample.classifier import train_sample_classifier
from utils.sample.model import greedy_check, train_sample_model
from utils.sample.settings import SampleSettings
from utils.sample.texts import GENERATORS

log = logging.getLogger(__name__)

VERSION = 8  # 6: splits in SHARDS files (one Spark task per file: a one-file split used one core); 7: classifier/; 8: e-mails in licences
RECORDS = 4000
ROW_TOKENS = 64
RECORD_TOKENS = 2049
PLANTED_COUNTS = (2, 3, 5, 6, 7, 20, 50, 200, 1000)  # each used for PLANTED_PER_COUNT prose records
PLANTED_PER_COUNT = 4
CORPUS_PREFIX = "corpus/document"
CORPUS_SHARDS = 2
DOCUMENTS_PER_RECORD = 32  # ~75 tokens each; a record that is still short gets more (encode_records)
VOCAB_SIZE = 4096
EOS, PAD = "<|endoftext|>", "<|padding|>"
TEXT_KINDS = ("prose", "code", "licence", "incrementing", "repeating")
CATEGORY_SHARE = (0.45, 0.2, 0.15, 0.1, 0.1)
_CUMULATIVE_SHARE = np.cumsum(CATEGORY_SHARE)
# Chance that a record of each category is memorized by the largest model (boilerplate and templates more).
MEMORIZATION_RATE = {"prose": 0.1, "code": 0.25, "licence": 0.9, "incrementing": 0.7, "repeating": 0.8}
MODEL_SCALE = {"70m": 0.6, "160m": 0.8, "410m": 0.85, "1b": 0.9, "1.4b": 0.92, "2.8b": 0.95, "6.9b": 0.98, "12b": 1.0}
SCHEME_SCALE = {"duped": 1.0, "deduped": 0.8}
MEMORIES_SPLITS = (
    ("duped", "70m", None),
    ("duped", "160m", None),
    ("deduped", "70m", None),
    ("deduped", "160m", None),
    ("duped", "12b", 23000),
)
PILE_ROWS = 600
SHARDS = 2  # files per split: Spark reads a small file as one task, so one file would use one core
MEMORIES_REPO = "EleutherAI/pythia-memorized-evals"
PILE_REPO = "EleutherAI/pile-{scheme}-pythia-random-sampled"


def ensure_sample(config: SampleSettings) -> Path:
    """The sample directory, built first if it is missing, incomplete or from another version/seed."""
    root = Path(config.directory)
    wanted = {"version": VERSION, "seed": config.seed}
    marker = root / COMPLETE_MARKER
    if marker.is_file():
        try:
            if {k: json.loads(marker.read_text()).get(k) for k in wanted} == wanted:
                return root
        except ValueError:
            pass
    started = time.time()
    temporary = root.parent / f".{root.name}.{uuid.uuid4().hex}.tmp"
    try:
        build_sample(temporary, config.seed)
        (temporary / COMPLETE_MARKER).write_text(json.dumps({**wanted, "seconds": round(time.time() - started, 1)}))
        if root.exists():
            shutil.rmtree(root)
        temporary.rename(root)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    log.info("Built the offline sample in %s (%.1f s)", root, time.time() - started)
    return root


def record_documents(seed: int, index: int, category: str, count: int) -> list[str]:
    """The first `count` documents of record `index`: one of its category, then any kind."""
    rng = np.random.default_rng([seed, index])
    documents = [GENERATORS[category](rng)]
    for _ in range(count - 1):
        kind = min(int(np.searchsorted(_CUMULATIVE_SHARE, rng.random(), side="right")), len(TEXT_KINDS) - 1)
        documents.append(GENERATORS[TEXT_KINDS[kind]](rng))
    return documents


def train_tokenizer(texts: list[str]):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE, special_tokens=[EOS, PAD], initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False
    )
    tokenizer.train_from_iterator(texts, trainer=trainer)
    return tokenizer


def encode_records(tokenizer, documents: list[list[str]], length: int) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """((records, length) ids, tokens of each record's first document, records too short to fill):
    documents joined by EOS, cut to `length`."""
    eos = tokenizer.token_to_id(EOS)
    flat = [doc for docs in documents for doc in docs]
    encoded = tokenizer.encode_batch(flat, add_special_tokens=False)
    out = np.zeros((len(documents), length), dtype=np.int64)
    first_lengths = np.zeros(len(documents), dtype=np.int64)
    short: list[int] = []
    position = 0
    for row, docs in enumerate(documents):
        ids: list[int] = []
        first_lengths[row] = len(encoded[position].ids)
        for encoding in encoded[position : position + len(docs)]:
            ids.extend(encoding.ids)
            ids.append(eos)
            if len(ids) >= length:
                break
        position += len(docs)
        if len(ids) < length:
            short.append(row)
            continue
        out[row] = ids[:length]
    return out, first_lengths, short


def plant_duplicates(rng: np.random.Generator, corpus: np.ndarray, candidates: np.ndarray) -> dict[int, int]:
    """Copies the row (tokens 0..63) of chosen candidate records into free 64-token slots; {record: total count}."""
    width = ROW_TOKENS
    slots_per_record = (corpus.shape[1] - ROW_TOKENS) // width
    chosen = rng.choice(candidates, size=len(PLANTED_COUNTS) * PLANTED_PER_COUNT, replace=False)
    counts = dict(zip(chosen.tolist(), np.repeat(PLANTED_COUNTS, PLANTED_PER_COUNT).tolist()))
    copies = sum(counts.values()) - len(counts)
    slots = rng.choice(corpus.shape[0] * slots_per_record, size=copies, replace=False)
    cursor = 0
    for record, total in counts.items():
        for slot in slots[cursor : cursor + total - 1]:
            host, offset = divmod(int(slot), slots_per_record)
            start = ROW_TOKENS + offset * width
            corpus[host, start : start + width] = corpus[record, :ROW_TOKENS]
        cursor += total - 1
    return counts


def build_sample(root: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    categories = np.array(TEXT_KINDS)[rng.choice(len(TEXT_KINDS), size=RECORDS, p=CATEGORY_SHARE)]
    documents = [record_documents(seed, i, str(categories[i]), DOCUMENTS_PER_RECORD) for i in range(RECORDS)]
    tokenizer = train_tokenizer([doc for docs in documents for doc in docs[:3]])
    root.mkdir(parents=True)
    tokenizer.save(str(root / "tokenizer.json"))
    corpus, first_lengths, short = encode_records(tokenizer, documents, RECORD_TOKENS)
    count = DOCUMENTS_PER_RECORD
    while short:  # records of short documents: the same documents and more after them
        count *= 2
        more = [record_documents(seed, i, str(categories[i]), count) for i in short]
        redone, _, still_short = encode_records(tokenizer, more, RECORD_TOKENS)
        corpus[short] = redone
        short = [short[i] for i in still_short]
    # Continuations made only of random prose words: unique unless planted.
    clean = np.flatnonzero((categories == "prose") & (first_lengths >= ROW_TOKENS))
    planted = plant_duplicates(rng, corpus, clean)
    expected = np.full(RECORDS, np.nan)
    expected[clean] = 1
    expected[list(planted)] = list(planted.values())
    (root / CORPUS_PREFIX).parent.mkdir(parents=True)
    write_megatron(root / CORPUS_PREFIX, corpus, "uint16", shards=CORPUS_SHARDS)
    tokens = corpus[:, :ROW_TOKENS]
    train_sample_model(corpus, VOCAB_SIZE, root / "model", seed)
    train_sample_classifier(root / "tokenizer.json", PAD, root / "classifier", seed)
    pq.write_table(
        pa.table(
            {
                "index": np.arange(RECORDS),
                "category": categories.astype(str),
                "expected_duplicates": pa.array(expected, pa.int64(), from_pandas=True),
                "greedy_memorization_score": greedy_check(root / "model", tokens),
            }
        ),
        root / "records.parquet",
    )

    draw = rng.random(RECORDS)  # one draw per record: memorized by a model when below its threshold
    base = np.array([MEMORIZATION_RATE[c] for c in categories])
    for record, count in planted.items():  # duplicated text is memorized more (recitation)
        base[record] = 0.95 if count >= 5 else 0.6

    def memorized(scheme: str, model: str, step: int | None) -> np.ndarray:
        fraction = 0.5 if step else 1.0  # an early checkpoint has memorized less
        return draw < base * MODEL_SCALE[model] * SCHEME_SCALE[scheme] * fraction

    for scheme, model, step in MEMORIES_SPLITS:
        index = np.flatnonzero(memorized(scheme, model, step))
        name = f"{scheme}.{model}" + (f".{step}" if step else "")
        table = pa.table(
            {
                "index": pa.array(index, pa.int64()),
                "tokens": pa.array(tokens[index].tolist(), pa.list_(pa.int64())),
                "__index_level_0__": pa.array(index, pa.int64()),
            }
        )
        _write(root / "hub" / MEMORIES_REPO / name, table)

    for scheme in ("duped", "deduped"):
        index = np.sort(rng.choice(RECORDS, size=PILE_ROWS, replace=False))
        columns = {"Index": pa.array(index, pa.int64()), "Tokens": pa.array(tokens[index].tolist(), pa.list_(pa.uint16()))}
        for model in MODEL_SIZES:
            partial = rng.integers(0, 24, size=index.size) / 32.0  # non-memorized: low greedy-match scores
            columns[PILE_SCORE_COLUMN[model]] = np.where(memorized(scheme, model, None)[index], 1.0, partial)
        _write(root / "hub" / PILE_REPO.format(scheme=scheme) / "train", pa.table(columns))


def _write(directory: Path, table: pa.Table) -> None:
    """The split in SHARDS consecutive slices of its rows, one file each."""
    directory.mkdir(parents=True, exist_ok=True)
    bounds = np.linspace(0, table.num_rows, SHARDS + 1).astype(int)
    for shard, (start, stop) in enumerate(zip(bounds[:-1], bounds[1:])):
        pq.write_table(table.slice(start, stop - start), directory / f"part-{shard:05d}.parquet")
