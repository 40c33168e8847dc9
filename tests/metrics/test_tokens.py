import pyarrow as pa

from metrics.tokens import (
    EMPTY_TOKENS,
    NEGATIVE_TOKEN_ID,
    NON_INTEGER_TOKEN,
    NULL_TOKEN_ID,
    NULL_TOKENS,
    TOKEN_ID_OUT_OF_VOCABULARY,
    validate_tokens,
)


def test_each_bad_kind_gets_its_reason_and_good_rows_none():
    tokens = pa.array([[1, 2, 3], None, [], [4, -1], [5, 100], [6, None]], pa.list_(pa.int64()))
    cleaned, reasons = validate_tokens(tokens, vocab_size=100)
    assert reasons.tolist() == [None, NULL_TOKENS, EMPTY_TOKENS, NEGATIVE_TOKEN_ID, TOKEN_ID_OUT_OF_VOCABULARY, NULL_TOKEN_ID]
    assert cleaned.type == pa.list_(pa.int32())
    assert cleaned[0].as_py() == [1, 2, 3]
    assert cleaned[4].as_py() == [5, 100]  # representable, kept so the output shows the bad id


def test_floats_must_be_integral_and_huge_ids_are_nulled():
    tokens = pa.array([[1.0, 2.0], [1.5, 2.0], [3e12]], pa.list_(pa.float64()))
    cleaned, reasons = validate_tokens(tokens, vocab_size=None)
    assert reasons.tolist() == [None, NON_INTEGER_TOKEN, TOKEN_ID_OUT_OF_VOCABULARY]
    assert cleaned.to_pylist() == [[1, 2], None, None]


def test_sliced_and_unsigned_input():
    tokens = pa.array([[9], [1, 2], [65535]], pa.list_(pa.uint16())).slice(1)
    cleaned, reasons = validate_tokens(tokens, vocab_size=50277)
    assert cleaned.to_pylist() == [[1, 2], [65535]]
    assert reasons.tolist() == [None, TOKEN_ID_OUT_OF_VOCABULARY]
