"""Validation of token-id lists: which rows are bad records, and why (docs/BAD_INPUT.md)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Reasons a row is kept with null metrics; stable strings, counted in the run manifest.
NULL_TOKENS = "null_tokens"
EMPTY_TOKENS = "empty_tokens"
NULL_TOKEN_ID = "null_token_id"
NON_INTEGER_TOKEN = "non_integer_token"
NEGATIVE_TOKEN_ID = "negative_token_id"
TOKEN_ID_OUT_OF_VOCABULARY = "token_id_out_of_vocabulary"
REASONS = (NULL_TOKENS, EMPTY_TOKENS, NULL_TOKEN_ID, NON_INTEGER_TOKEN, NEGATIVE_TOKEN_ID, TOKEN_ID_OUT_OF_VOCABULARY)

INT32_MAX = np.iinfo(np.int32).max


def validate_tokens(tokens: pa.Array, vocab_size: int | None) -> tuple[pa.Array, np.ndarray]:
    """(tokens as list<int32>, per-row reason or None) for a list array of integer or float ids.

    A bad row's tokens come back null when they cannot be represented as int32 (non-integers,
    out-of-range values); otherwise they are kept as given so the output shows what was wrong.
    """
    tokens = _as_list_array(tokens)
    rows = len(tokens)
    reasons = np.full(rows, None, dtype=object)
    lengths = pc.list_value_length(tokens).to_numpy(zero_copy_only=False)
    row_null = np.asarray(tokens.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    reasons[row_null] = NULL_TOKENS
    reasons[~row_null & (np.nan_to_num(lengths.astype(np.float64)) == 0)] = EMPTY_TOKENS

    values = tokens.flatten()  # values of non-null rows, in row order
    row_of_value = np.repeat(np.arange(rows), np.where(row_null, 0, lengths).astype(np.int64))
    value_null = np.asarray(values.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    numbers = values.fill_null(0).to_numpy(zero_copy_only=False)
    if pa.types.is_floating(values.type):
        bad_fraction = ~np.isfinite(numbers) | (numbers != np.round(numbers))
        numbers = np.where(bad_fraction, 0, numbers)
    else:
        bad_fraction = np.zeros(numbers.size, dtype=bool)
    negative = numbers < 0
    limit = INT32_MAX + 1 if vocab_size is None else vocab_size
    too_large = numbers >= limit
    # Later assignments win: the most specific reason of the row's first problem kind.
    for mask, reason in (
        (too_large, TOKEN_ID_OUT_OF_VOCABULARY),
        (negative, NEGATIVE_TOKEN_ID),
        (bad_fraction, NON_INTEGER_TOKEN),
        (value_null, NULL_TOKEN_ID),
    ):
        if mask.any():
            reasons[np.unique(row_of_value[mask])] = reason
    unrepresentable = bad_fraction | (numbers > INT32_MAX) | (numbers < -INT32_MAX - 1)
    clean = np.where(unrepresentable, 0, numbers).astype(np.int32)
    offsets = tokens.offsets
    as_int = pa.ListArray.from_arrays(offsets, pa.array(clean, pa.int32(), mask=value_null), mask=tokens.is_null())
    if unrepresentable.any():
        hide = np.zeros(rows, dtype=bool)
        hide[np.unique(row_of_value[unrepresentable])] = True
        as_int = pc.if_else(pa.array(hide), pa.nulls(rows, as_int.type), as_int)
    return as_int, reasons


def _as_list_array(tokens: pa.Array) -> pa.Array:
    if isinstance(tokens, pa.ChunkedArray):
        tokens = tokens.combine_chunks()
    if pa.types.is_large_list(tokens.type) or pa.types.is_fixed_size_list(tokens.type):
        tokens = tokens.cast(pa.list_(tokens.type.value_type))
    if not pa.types.is_list(tokens.type):
        raise TypeError(f"tokens must be a list of integers, got {tokens.type}")
    value_type = tokens.type.value_type
    if not (pa.types.is_integer(value_type) or pa.types.is_floating(value_type) or pa.types.is_null(value_type)):
        raise TypeError(f"tokens must be a list of integers, got a list of {value_type}")
    if pa.types.is_null(value_type):
        tokens = tokens.cast(pa.list_(pa.int64()))
    # Normalize sliced arrays so offsets start at 0 and flatten() lines up with them.
    return pa.concat_arrays([tokens]) if tokens.offset else tokens
