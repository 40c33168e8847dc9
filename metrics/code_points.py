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


def text_code_points(text: str) -> tuple[np.ndarray, np.ndarray]:
    """One text's code points (int32) and its offsets [0, n], without Arrow: the per-text entry points' input."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int32)
    return codes, np.array([0, codes.size])


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
            need, low, high = utf8_sequence_shape(b)
            width = need + 1
            if need == 0 or i + width > end:
                raise ValueError("invalid UTF-8 in a text column")
            code = b & (0x7F >> width)
            for k in range(i + 1, i + width):
                if not ((low if k == i + 1 else 0x80) <= data[k] <= (high if k == i + 1 else 0xBF)):
                    raise ValueError("invalid UTF-8 in a text column")
                code = (code << 6) | (data[k] & 0x3F)
            codes[count] = code
            count += 1
            i += width
        offsets[r + 1] = count
    return codes[:count], offsets


@numba.njit(cache=True, nogil=True)
def utf8_sequence_shape(b):
    """(continuation bytes a UTF-8 lead byte needs, allowed range of the first of them), per Unicode 3.9 Table 3-7;
    need 0: not a lead byte."""
    if 0xC2 <= b <= 0xDF:
        return 1, 0x80, 0xBF
    if b == 0xE0:
        return 2, 0xA0, 0xBF
    if b == 0xED:
        return 2, 0x80, 0x9F
    if 0xE1 <= b <= 0xEF:
        return 2, 0x80, 0xBF
    if b == 0xF0:
        return 3, 0x90, 0xBF
    if 0xF1 <= b <= 0xF3:
        return 3, 0x80, 0xBF
    if b == 0xF4:
        return 3, 0x80, 0x8F
    return 0, 0, 0
