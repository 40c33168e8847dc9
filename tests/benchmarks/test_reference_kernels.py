import pickle

import pytest
from pyspark import cloudpickle

from benchmarks.reference_kernels import reference_kernels

PATTERN = """
import re
from .base import PIPELINE_SINGLETON  # the reference's own package: must not be imported


def split_text(text, handle_decimals=True):
    return re.split(" ", text)


def find_if_incrementing_or_repeating(splits):
    return len(splits) > 2, 1


def is_pattern(text):
    return find_if_incrementing_or_repeating(split_text(text))[0], False


@PIPELINE_SINGLETON.register_filter()
def pattern_sequences_filter(dataset, _):
    raise AssertionError("filters are not taken")
"""

HUFFMAN = """
import numpy as np
from collections import Counter


def calculate_huffman_code_length(text):
    return float(len(Counter(text)))
"""


def checkout(tmp_path, pattern=PATTERN):
    (tmp_path / "filters").mkdir()
    (tmp_path / "filters" / "pattern.py").write_text(pattern)
    (tmp_path / "filters" / "huffman_coding_filter.py").write_text(HUFFMAN)
    return tmp_path


def test_takes_only_the_kernels_and_ships_them_by_value(tmp_path):
    kernels = reference_kernels(checkout(tmp_path))
    assert kernels.is_pattern("a b c") == (True, False)
    assert kernels.huffman_coding_length("aab") == 2.0
    shipped = pickle.loads(cloudpickle.dumps(kernels.is_pattern))  # as Spark sends a UDF to a worker
    assert shipped("a b") == (False, False)


def test_a_path_that_is_not_the_reference_is_named(tmp_path):
    with pytest.raises(SystemExit, match="pattern.py not found"):
        reference_kernels(tmp_path)
    with pytest.raises(SystemExit, match="defines no is_pattern"):
        reference_kernels(checkout(tmp_path, PATTERN.replace("def is_pattern", "def other")))
