"""metrics/semantic.py against a brute-force all-pairs computation (float64 cosines, a hand-written Levenshtein)."""

from __future__ import annotations

import numpy as np
import pytest

from metrics.semantic import MAX_TEMPLATE_DISTANCE, semantic_counts, similar_pairs, template_counts

THRESHOLDS = (0.8, 0.9)


def levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def brute_force(queries, query_prompts, corpus, corpus_prompts, thresholds):
    similarity = queries.astype(np.float64) @ corpus.astype(np.float64).T
    snowclones = np.zeros((len(queries), len(thresholds)), np.int64)
    templates = np.zeros_like(snowclones)
    for i in range(len(queries)):
        for j in range(len(corpus)):
            for k, threshold in enumerate(thresholds):
                if similarity[i, j] >= threshold:
                    snowclones[i, k] += 1
                    if 1 <= levenshtein(query_prompts[i], corpus_prompts[j]) <= MAX_TEMPLATE_DISTANCE:
                        templates[i, k] += 1
    return snowclones, templates


def clustered(rng, rows, dim=16, centres=5, spread=0.3):
    """Unit vectors around a few centres (the same for every call), so that many pairs pass 0.8 and 0.9 and many do not."""
    centre = np.random.default_rng(42).normal(size=(centres, dim))
    vectors = centre[rng.integers(0, centres, rows)] + spread * rng.normal(size=(rows, dim))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def prompts(rng, rows):
    words = ["the", "license", "copyright", "int", "return", "x", "Ω", "データ", " ", "\n"]
    return ["".join(rng.choice(words, size=rng.integers(0, 12))) for _ in range(rows)]


def test_counts_equal_brute_force_across_rows_per_products():
    rng = np.random.default_rng(0)
    queries, corpus = clustered(rng, 40), clustered(rng, 70)
    corpus[:5] = queries[:5]  # identical rows: similarity 1, prompt distance 0 unless the prompts differ
    query_prompts, corpus_prompts = prompts(rng, 40), prompts(rng, 70)
    corpus_prompts[:3] = query_prompts[:3]
    expected = brute_force(queries, query_prompts, corpus, corpus_prompts, THRESHOLDS)
    assert expected[0].sum() > 100 and 0 < expected[1].sum() < expected[0].sum()
    for block in (7, 70, 1000):  # a corpus larger than one block, and one block
        snowclones, templates = semantic_counts(queries, query_prompts, corpus, corpus_prompts, THRESHOLDS, rows_per_product=block)
        np.testing.assert_array_equal(snowclones, expected[0])
        np.testing.assert_array_equal(templates, expected[1])


def test_identical_prompt_is_not_a_template_and_distance_bounds_are_inclusive():
    query = np.array([[1.0, 0.0]], np.float32)
    corpus = np.repeat(query, 4, axis=0)
    base = "a" * 30
    corpus_prompts = [base, base + "b", base + "b" * MAX_TEMPLATE_DISTANCE, base + "b" * (MAX_TEMPLATE_DISTANCE + 1)]
    snowclones, templates = semantic_counts(query, [base], corpus, corpus_prompts, THRESHOLDS)
    assert snowclones.tolist() == [[4, 4]] and templates.tolist() == [[2, 2]]


def test_empty_sides():
    rng = np.random.default_rng(1)
    queries = clustered(rng, 3)
    snowclones, templates = semantic_counts(queries, ["a", "b", "c"], np.zeros((0, 16), np.float32), [], THRESHOLDS)
    assert snowclones.shape == (3, 2) and not snowclones.any() and not templates.any()
    counts, rows, _, _ = similar_pairs(np.zeros((0, 16), np.float32), queries, THRESHOLDS)
    assert counts.shape == (0, 2) and rows.size == 0
    assert template_counts([], [], np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32), THRESHOLDS).shape == (0, 2)


@pytest.mark.parametrize("threshold", [0.8, 0.9])
def test_a_pair_exactly_at_the_threshold_counts(threshold):
    angle = np.arccos(np.float32(threshold))
    query = np.array([[1.0, 0.0]], np.float32)
    corpus = np.array([[np.cos(angle), np.sin(angle)]], np.float32)
    similarity = float((query @ corpus.T)[0, 0])
    snowclones, _ = semantic_counts(query, ["x"], corpus, ["y"], (similarity,))
    assert snowclones.tolist() == [[1]]
