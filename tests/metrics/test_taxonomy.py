"""The recite / reconstruct / recollect rule: recitation first, then templating, then recollection, at the threshold."""

import numpy as np

from metrics.taxonomy import CATEGORIES, category_codes


def test_recitation_wins_over_templating_and_the_threshold_counts_as_recitation():
    duplicates = np.array([6, 6, 5, 5, 0, 1000])
    templating = np.array([False, True, True, False, False, True])
    codes = category_codes(duplicates, templating, 6)
    assert [CATEGORIES[c] for c in codes] == ["recitation", "recitation", "reconstruction", "recollection", "recollection", "recitation"]
    assert codes.dtype == np.int8


def test_templating_may_be_a_count_or_a_flag_and_the_threshold_a_fraction():
    codes = category_codes(np.array([2, 2, 3]), np.array([0, 2, 0]), 2.5)
    assert codes.tolist() == [2, 1, 0]
    assert category_codes(np.array([], np.int64), np.array([], bool), 6).tolist() == []
