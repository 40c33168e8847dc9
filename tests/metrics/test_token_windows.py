"""Token windows and padded rows read the right ids, also from a sliced Arrow array."""

import numpy as np
import pyarrow as pa

from metrics.token_windows import padded_rows, token_windows


def test_windows_and_padding_on_a_sliced_array():
    tokens = pa.array([[9, 9], [0, 1, 2, 3, 4], [5, 6, 7], [8, 9, 10, 11]], pa.list_(pa.int32())).slice(1)  # offsets start at 2
    assert token_windows(tokens, np.array([0, 2]), 1, 3).tolist() == [[1, 2, 3], [9, 10, 11]]
    ids, lengths = padded_rows(tokens, np.array([1, 2]), pad=-1)
    assert ids.tolist() == [[5, 6, 7, -1], [8, 9, 10, 11]] and lengths.tolist() == [3, 4] and ids.dtype == np.int64


def test_id_lists_of_a_sliced_array_and_of_a_null_row_backed_by_values():
    from metrics.token_windows import token_lists

    sliced = pa.array([[9, 9], [1, 2, 3], [], [4, 5, 6, 7]], pa.list_(pa.int32())).slice(1)
    assert token_lists(sliced) == [[1, 2, 3], [], [4, 5, 6, 7]]
    # row 0 is null but its slot spans values 0..1: `flatten()` would drop them and shift row 1
    backed = pa.ListArray.from_arrays(pa.array([0, 2, 4], pa.int32()), pa.array([1, 2, 3, 4], pa.int32()), mask=pa.array([True, False]))
    assert token_lists(backed)[1] == [3, 4]
    assert token_windows(backed, np.array([1]), 0, 2).tolist() == [[3, 4]]
