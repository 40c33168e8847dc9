import math
import zlib

from metrics.compression import ZLIB_LEVEL, compression_columns, huffman_coding_length, zlib_ratio


def test_huffman_hand_computed():
    # "aab": p(a)=2/3 -> ceil(0.585)=1 bit, p(b)=1/3 -> ceil(1.585)=2 bits: 2/3*1 + 1/3*2 = 4/3
    assert huffman_coding_length("aab") == 4 / 3
    # "abracadabra": a 5/11 -> 2, b 2/11 -> 3, r 2/11 -> 3, c 1/11 -> 4, d 1/11 -> 4 => 30/11
    assert math.isclose(huffman_coding_length("abracadabra"), 30 / 11, rel_tol=1e-15)


def test_huffman_edge_cases():
    assert huffman_coding_length("aaaa") == 0.0  # one symbol: p = 1, ceil(0) = 0
    assert huffman_coding_length("ab") == 1.0
    assert math.isnan(huffman_coding_length(""))
    assert huffman_coding_length("éé€") == 2 / 3 * 1 + 1 / 3 * 2  # characters, not bytes


def test_zlib_ratio_matches_zlib_on_utf8_bytes():
    text = "naïve café " * 5
    raw = text.encode("utf-8")
    assert zlib_ratio(text) == len(zlib.compress(raw, ZLIB_LEVEL)) / len(raw)
    assert zlib_ratio("a" * 1000) < 0.05
    assert math.isnan(zlib_ratio(""))


def test_batch_columns_keep_nan_for_missing_text():
    columns = compression_columns(["aab", None])
    assert columns["huffman_coding_length"][0] == 4 / 3
    assert math.isnan(columns["zlib_ratio"][1])
