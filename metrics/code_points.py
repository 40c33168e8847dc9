"""A batch of texts as flat buffers for compiled kernels: UTF-8 bytes or Unicode code points, with row offsets.

Both come from the Arrow string column's own buffers in a few whole-batch conversions, so no kernel
makes a Python string per row. A null text reads as empty; callers that need to tell them apart ask
`null_mask`.
"""

from __future__ import annotations

import numba
import numpy as np
import pyarrow as pa

TextColumn = pa.Array | pa.ChunkedArray | list


def string_array(texts: TextColumn) -> pa.StringArray:
    """The texts as one Arrow `string` array (lists, chunked and large_string columns accepted)."""
    if isinstance(texts, list):
        return pa.array(texts, pa.string())
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks() if texts.num_chunks else pa.array([], pa.string())
    return texts if texts.type == pa.string() else texts.cast(pa.string())


def null_mask(texts: TextColumn) -> np.ndarray:
    return string_array(texts).is_null().to_numpy(zero_copy_only=False)


def utf8_rows(texts: TextColumn) -> tuple[memoryview, np.ndarray]:
    """(the rows' UTF-8 bytes back to back, row offsets into them (rows + 1 values)); nulls are empty."""
    array = string_array(texts)
    if array.null_count:
        array = array.fill_null("")
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int32)[array.offset : array.offset + len(array) + 1].astype(np.int64)
    data = array.buffers()[2]
    if len(array) == 0 or data is None:
        return memoryview(b""), np.zeros(len(array) + 1, dtype=np.int64)
    return memoryview(data)[offsets[0] : offsets[-1]], offsets - offsets[0]


def code_points(texts: TextColumn) -> tuple[np.ndarray, np.ndarray]:
    """(every row's code points back to back as int32, row offsets into them (rows + 1 values)); nulls are empty."""
    data, byte_offsets = utf8_rows(texts)
    return _decode_utf8(np.frombuffer(data, dtype=np.uint8), byte_offsets)


@numba.njit(cache=True, nogil=True)
def _decode_utf8(data, byte_offsets):
    codes = np.empty(data.size, dtype=np.int32)
    offsets = np.empty(byte_offsets.size, dtype=np.int64)
    offsets[0] = 0
    count = 0
    for r in range(byte_offsets.size - 1):
        i, end = byte_offsets[r], byte_offsets[r + 1]
        while i < end:
            b = data[i]
            if b < 0x80:
                codes[count] = b
                count += 1
                i += 1
                continue
            if b >= 0xF0:
                width, code = 4, b & 0x07
            elif b >= 0xE0:
                width, code = 3, b & 0x0F
            elif b >= 0xC0:
                width, code = 2, b & 0x1F
            else:
                raise ValueError("invalid UTF-8 in a text column")
            if i + width > end:
                raise ValueError("invalid UTF-8 in a text column")
            for k in range(i + 1, i + width):
                if data[k] & 0xC0 != 0x80:
                    raise ValueError("invalid UTF-8 in a text column")
                code = (code << 6) | (data[k] & 0x3F)
            codes[count] = code
            count += 1
            i += width
        offsets[r + 1] = count
    return codes[:count], offsets
