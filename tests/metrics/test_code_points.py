import numpy as np
import pyarrow as pa

from metrics.code_points import code_points, null_mask, utf8_rows


def test_code_points_of_a_sliced_column_with_nulls_and_non_ascii():
    texts = pa.array(["skipped", "aé", None, "", "東😀x"]).slice(1)
    codes, offsets = code_points(texts)
    assert offsets.tolist() == [0, 2, 2, 2, 5]
    assert codes.tolist() == [ord(c) for c in "aé東😀x"]
    assert null_mask(texts).tolist() == [False, True, False, False]
    data, byte_offsets = utf8_rows(texts)
    assert bytes(data).decode("utf-8") == "aé東😀x" and byte_offsets.tolist() == [0, 3, 3, 3, 11]


def test_chunked_and_list_inputs():
    chunked = pa.chunked_array([["ab"], ["c"]])
    assert code_points(chunked)[1].tolist() == [0, 2, 3]
    assert code_points(["ab", None])[1].tolist() == [0, 2, 2]
    assert code_points([])[0].size == 0 and np.array_equal(code_points([])[1], [0])
