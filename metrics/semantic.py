"""Semantic duplicates (docs/METRICS.md, 'Semantic duplicates'; Prashant et al. 2024, arXiv 2406.17746): per query text,
how many corpus texts have cosine similarity >= t with it (snowclones), and of those how many have a prompt text within
Levenshtein distance 1..MAX_TEMPLATE_DISTANCE of the query's prompt text (templates), for each threshold t.

Embeddings are L2-normalized (all-MiniLM-L6-v2 through sentence-transformers), so cosine similarity is a dot product:
one matrix product per (query block, corpus block), counted against the thresholds in place; only the pairs above the
lowest threshold leave the block, for the edit distance (rapidfuzz).
"""

from __future__ import annotations

import numpy as np

MAX_TEMPLATE_DISTANCE = 19  # the reference's upper bound on the prompts' Levenshtein distance
EMBEDDING_DTYPE = np.float32


def embed_texts(model, texts: list[str], batch_size: int) -> np.ndarray:
    """(rows, dim) float32 L2-normalized sentence embeddings of `texts` (a sentence-transformers model)."""
    if not texts:
        return np.zeros((0, model.get_sentence_embedding_dimension()), EMBEDDING_DTYPE)
    vectors = model.encode(texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    return np.ascontiguousarray(vectors, dtype=EMBEDDING_DTYPE)


def similar_pairs(queries: np.ndarray, corpus: np.ndarray, thresholds: tuple[float, ...], device: str = "cpu"):
    """Counts per query of corpus rows with similarity >= each threshold, and the pairs above the lowest threshold.

    Returns (counts (queries, thresholds) int64, query_rows, corpus_rows, similarities) of those pairs. One matrix product
    of the two blocks (float32, on `device`), compared in place; the caller picks block sizes to bound memory.
    """
    import torch

    lowest = min(thresholds)
    counts = np.zeros((len(queries), len(thresholds)), np.int64)
    if len(queries) == 0 or len(corpus) == 0:
        empty = np.zeros(0, np.int64)
        return counts, empty, empty, np.zeros(0, EMBEDDING_DTYPE)
    with torch.inference_mode():
        q = torch.from_numpy(np.ascontiguousarray(queries, EMBEDDING_DTYPE)).to(device)
        c = torch.from_numpy(np.ascontiguousarray(corpus, EMBEDDING_DTYPE)).to(device)
        similarity = q @ c.T
        # One pass over the product: the (sparse) pairs above the lowest threshold; each threshold counts among them.
        rows, columns = torch.nonzero(similarity >= lowest, as_tuple=True)
        values = similarity[rows, columns].cpu().numpy()
        rows, columns = rows.cpu().numpy(), columns.cpu().numpy()
    for k, threshold in enumerate(thresholds):
        counts[:, k] = np.bincount(rows[values >= threshold], minlength=len(queries))
    return counts, rows, columns, values


def template_counts(
    query_prompts: list[str],
    corpus_prompts: list[str],
    query_rows: np.ndarray,
    corpus_rows: np.ndarray,
    similarities: np.ndarray,
    thresholds: tuple[float, ...],
) -> np.ndarray:
    """(queries, thresholds) int64: of the given similar pairs, those whose prompt texts are 1..MAX_TEMPLATE_DISTANCE
    edits apart (Levenshtein on code points, rapidfuzz), counted per threshold the pair's similarity reaches."""
    from rapidfuzz.distance import Levenshtein

    counts = np.zeros((len(query_prompts), len(thresholds)), np.int64)
    if len(query_rows) == 0:
        return counts
    order = np.argsort(query_rows, kind="stable")
    query_rows, corpus_rows, similarities = query_rows[order], corpus_rows[order], similarities[order]
    starts = np.flatnonzero(np.r_[True, query_rows[1:] != query_rows[:-1]])
    ends = np.r_[starts[1:], len(query_rows)]
    limits = np.asarray(thresholds, dtype=similarities.dtype)
    for start, end in zip(starts, ends):
        prompt = query_prompts[query_rows[start]]
        distances = np.fromiter(
            (Levenshtein.distance(prompt, corpus_prompts[j], score_cutoff=MAX_TEMPLATE_DISTANCE) for j in corpus_rows[start:end]),
            np.int64,
            count=end - start,
        )
        template = (distances >= 1) & (distances <= MAX_TEMPLATE_DISTANCE)
        if template.any():
            counts[query_rows[start]] += (similarities[start:end][template, None] >= limits[None, :]).sum(axis=0)
    return counts


def semantic_counts(
    queries: np.ndarray,
    query_prompts: list[str],
    corpus: np.ndarray,
    corpus_prompts: list[str],
    thresholds: tuple[float, ...],
    rows_per_product: int = 8192,
    device: str = "cpu",
) -> tuple[np.ndarray, np.ndarray]:
    """(snowclones, templates), each (queries, thresholds) int64, of the queries against the corpus, in corpus blocks."""
    snowclones = np.zeros((len(queries), len(thresholds)), np.int64)
    templates = np.zeros_like(snowclones)
    for first in range(0, len(corpus), rows_per_product):
        block = corpus[first : first + rows_per_product]
        counts, rows, columns, values = similar_pairs(queries, block, thresholds, device)
        snowclones += counts
        templates += template_counts(query_prompts, corpus_prompts[first : first + rows_per_product], rows, columns, values, thresholds)
    return snowclones, templates
