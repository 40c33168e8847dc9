"""Pair intersections from membership patterns, the overlap measures and Pythia's training compute, by hand."""

import numpy as np
import pytest

from metrics.predictability import PYTHIA_PARAMETERS, TOKENS_PER_STEP, intersections, overlap_measures, training_compute


def test_intersections_from_patterns_equal_the_sets():
    # splits A, B, C; ids: {1,2} in A and B, {3} in A only, {4,5,6} in B and C, {7} in all three
    patterns = np.array([[1, 1, 0], [1, 0, 0], [0, 1, 1], [1, 1, 1]], dtype=bool)
    counts = np.array([2, 1, 3, 1])
    both = intersections(patterns, counts)
    assert both.tolist() == [[4, 3, 1], [3, 6, 4], [1, 4, 4]]


def test_overlap_measures_by_hand_and_empty_sets():
    measures = overlap_measures(np.array([3, 0]), np.array([4, 0]), np.array([6, 5]))
    assert measures["precision"][0] == 0.75 and measures["recall"][0] == 0.5 and measures["jaccard"][0] == pytest.approx(3 / 7)
    assert np.isnan(measures["precision"][1]) and measures["recall"][1] == 0 and measures["jaccard"][1] == 0


def test_training_compute_of_the_final_12b_model():
    assert TOKENS_PER_STEP * 143000 == 299_892_736_000  # the model cards' tokens seen
    assert training_compute("12b", 143000) == pytest.approx(6 * 11_846_072_320 * 299_892_736_000)
    assert training_compute("70m", 143000) < training_compute("12b", 23000) and len(PYTHIA_PARAMETERS) == 8
