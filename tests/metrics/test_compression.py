import math
import zlib
from collections import Counter

import numpy as np
import pyarrow as pa

from metrics.compression import ZLIB_LEVEL, compression_columns, huffman_coding_length, huffman_coding_lengths, zlib_ratio


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


def reference_huffman(text: str) -> float:
    """The reference's numpy expression over the counts in first-occurrence order."""
    if not text:
        return math.nan
    counts = np.fromiter(Counter(text).values(), dtype=np.int64)
    probs = counts / len(text)
    return float(np.sum(np.ceil(-np.log2(probs)) * probs))


def test_compiled_huffman_is_bit_for_bit_the_numpy_expression():
    rng = np.random.default_rng(0)
    texts = ["".join(chr(c) for c in rng.integers(32, 32 + int(rng.integers(1, 400)), int(rng.integers(1, 2000)))) for _ in range(600)]
    texts += ["a" * k + "b" * m for k in range(1, 20) for m in range(20)]  # powers of two and one-character texts (-0.0 vs 0.0)
    texts += ["".join(chr(0x4E00 + i) for i in range(k)) * 2 for k in (127, 128, 129, 300, 1100)]  # > 128 terms: numpy's pairwise tree
    ours = huffman_coding_lengths(texts)
    expected = np.array([reference_huffman(t) for t in texts])
    assert np.array_equal(ours.view(np.int64), expected.view(np.int64))


def test_batch_reads_a_sliced_arrow_column_with_nulls():
    texts = pa.array(["skip", "aab", None, "", "naïve café " * 5]).slice(1)
    columns = compression_columns(texts)
    assert columns["huffman_coding_length"][0] == 4 / 3 and math.isnan(columns["huffman_coding_length"][1])
    assert math.isnan(columns["zlib_ratio"][2]) and columns["zlib_ratio"][3] == zlib_ratio("naïve café " * 5)
