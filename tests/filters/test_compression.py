"""compression: zlib_ratio and huffman_coding_length of each row's text, computed here with zlib and by hand."""

import math
import zlib

import pyarrow as pa
import pytest

from filters import get_filter
from utils.core.resources import Resources


def compute(texts):
    batch = pa.RecordBatch.from_pydict({"text": pa.array(texts, pa.string())})
    return get_filter("compression")(Resources()).compute(batch)


def test_each_row_of_a_sliced_batch_against_zlib_and_a_hand_computed_code_length():
    texts = ["ignored", "aaaaaaaaaaaaaaab", "héllo wörld", "abab"]
    batch = pa.RecordBatch.from_pydict({"text": pa.array(texts, pa.string())}).slice(1)
    out = get_filter("compression")(Resources()).compute(batch)
    raw = [t.encode("utf-8") for t in texts[1:]]
    assert out["zlib_ratio"].tolist() == pytest.approx([len(zlib.compress(r, 6)) / len(r) for r in raw])
    # "aaaaaaaaaaaaaaab": p(a) = 15/16 -> ceil(-log2) = 1 bit, p(b) = 1/16 -> 4 bits: 15/16 + 4/16
    # "abab": two characters at 1/2 -> 1 bit each
    assert out["huffman_coding_length"][0] == pytest.approx(19 / 16) and out["huffman_coding_length"][2] == 1.0
    # "héllo wörld": 11 characters (not bytes); l x3 -> 2 bits, eight others once -> 4 bits: (3 * 2 + 8 * 4) / 11
    assert out["huffman_coding_length"][1] == pytest.approx(38 / 11)


def test_empty_and_null_text_have_no_ratio_and_no_code_length():
    out = compute(["", None, "x"])
    assert math.isnan(out["zlib_ratio"][0]) and math.isnan(out["zlib_ratio"][1])
    assert math.isnan(out["huffman_coding_length"][0]) and math.isnan(out["huffman_coding_length"][1])
    assert out["zlib_ratio"][2] == len(zlib.compress(b"x")) and out["huffman_coding_length"][2] == 0.0  # one symbol: 0 bits
