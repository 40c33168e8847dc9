"""Decoding of token id rows to text with a Hugging Face `tokenizers` tokenizer, special tokens kept.

Byte-level BPE tokenizers (GPT-2, GPT-NeoX/Pythia) decode each id to a fixed byte string, and a row to the
concatenation of those bytes read as UTF-8 with invalid sequences replaced by U+FFFD (Rust's
`String::from_utf8_lossy`). For those, `Detokenizer` gathers bytes from a per-id table and does the
replacement in compiled code, about ten times cheaper than `decode_batch`; the table is used only after it
decodes a probe (every id alone, and random rows that split multi-byte characters) exactly as the
tokenizer does. Any other tokenizer, or one that fails the probe, goes through `decode_batch`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numba
import numpy as np
import pyarrow as pa

from metrics.code_points import utf8_sequence_shape
from metrics.token_windows import row_bounds, token_lists

PROBE_ROWS = 2000
PROBE_LENGTH = 64


def decode_batch(tokenizer, token_lists: list[list[int]]) -> list[str]:
    """Text of each id list, special tokens kept (Pythia's `<|endoftext|>` is content in the Pile)."""
    return tokenizer.decode_batch(token_lists, skip_special_tokens=False)


class Detokenizer:
    """Decodes a list<int> token column to a string column; byte-level tokenizers through a checked byte table.

    `load_tokenizer` is called only when the table cannot serve (none, or a batch too large for it), so a worker
    given a table built and checked elsewhere (the driver's `byte_table`) never parses the tokenizer.
    """

    def __init__(self, load_tokenizer: Callable[[], Any], table: tuple[np.ndarray, np.ndarray] | None):
        self.load_tokenizer = load_tokenizer
        self.table = table

    @classmethod
    def for_tokenizer(cls, tokenizer) -> Detokenizer:
        return cls(lambda: tokenizer, byte_table(tokenizer))

    @property
    def compiled(self) -> bool:
        return self.table is not None

    def decode(self, tokens: pa.Array) -> pa.Array:
        if self.table is not None:
            decoded = decode_with_table(tokens, *self.table)
            if decoded is not None:
                return decoded
        return pa.array(decode_batch(self.load_tokenizer(), token_lists(tokens)), pa.string())


def byte_table(tokenizer) -> tuple[np.ndarray, np.ndarray] | None:
    """(bytes of every id back to back, offsets) for a byte-level tokenizer that the table reproduces; else None."""
    decoder = json.loads(tokenizer.to_str()).get("decoder") or {}
    if decoder.get("type") != "ByteLevel":  # its other settings (prefix space, offsets, regex) do not change decoding
        return None
    to_byte = _byte_level_alphabet()
    pieces = []
    for token_id in range(tokenizer.get_vocab_size(with_added_tokens=True)):
        token = tokenizer.id_to_token(token_id) or ""
        if all(c in to_byte for c in token):
            pieces.append(bytes(to_byte[c] for c in token))
        else:  # added tokens written in plain text ("  " runs in GPT-NeoX): their own UTF-8
            pieces.append(token.encode("utf-8"))
    offsets = np.zeros(len(pieces) + 1, dtype=np.int64)
    np.cumsum([len(p) for p in pieces], out=offsets[1:])
    table = (np.frombuffer(b"".join(pieces), dtype=np.uint8), offsets)
    return table if _agrees_on_probe(tokenizer, table) else None


def decode_with_table(tokens: pa.Array, table_bytes: np.ndarray, table_offsets: np.ndarray) -> pa.Array | None:
    """The rows' text from the byte table, or None when the batch's text would not fit 32-bit Arrow offsets."""
    values, starts, lengths = row_bounds(tokens)
    values = np.ascontiguousarray(values, dtype=np.int64)
    data, offsets = _decode_rows(values, starts.astype(np.int64), lengths.astype(np.int64), table_bytes, table_offsets)
    if offsets[-1] >= 2**31:
        return None
    return pa.StringArray.from_buffers(len(lengths), pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data))


def _byte_level_alphabet() -> dict[str, int]:
    """GPT-2's byte-to-character map, reversed: printable Latin-1 bytes stand for themselves, the rest for 256 + i."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    others = [b for b in range(256) if b not in printable]
    return {**{chr(b): b for b in printable}, **{chr(256 + i): b for i, b in enumerate(others)}}


def _agrees_on_probe(tokenizer, table: tuple[np.ndarray, np.ndarray]) -> bool:
    vocabulary = len(table[1]) - 1
    singles = np.arange(vocabulary, dtype=np.int64)[:, None]
    rows = np.random.default_rng(0).integers(0, vocabulary, (PROBE_ROWS, PROBE_LENGTH))
    for ids in (singles, rows):
        offsets = np.arange(0, ids.size + 1, ids.shape[1], dtype=np.int32)
        tokens = pa.ListArray.from_arrays(pa.array(offsets), pa.array(ids.ravel()))
        if decode_with_table(tokens, *table).to_pylist() != decode_batch(tokenizer, ids.tolist()):
            return False
    return True


@numba.njit(cache=True, nogil=True)
def _decode_rows(values, starts, lengths, table_bytes, table_offsets):
    """UTF-8 text of each row: the ids' bytes concatenated, each maximal invalid subpart replaced by U+FFFD."""
    rows = starts.size
    vocabulary = table_offsets.size - 1
    longest = 0
    total = 0
    for r in range(rows):
        size = 0
        for q in range(starts[r], starts[r] + lengths[r]):
            token = values[q]
            if 0 <= token < vocabulary:
                size += table_offsets[token + 1] - table_offsets[token]
        longest = max(longest, size)
        total += size
    raw = np.empty(longest, dtype=np.uint8)
    out = np.empty(3 * total, dtype=np.uint8)  # a replacement (3 bytes) stands for at least one byte
    offsets = np.zeros(rows + 1, dtype=np.int64)
    written = 0
    for r in range(rows):
        m = 0
        for q in range(starts[r], starts[r] + lengths[r]):
            token = values[q]
            if 0 <= token < vocabulary:  # ids without a token decode to nothing, as in `tokenizers`
                for k in range(table_offsets[token], table_offsets[token + 1]):
                    raw[m] = table_bytes[k]
                    m += 1
        written = _lossy_utf8(raw, m, out, written)
        offsets[r + 1] = written
    return out[:written], offsets


@numba.njit(cache=True, nogil=True)
def _lossy_utf8(raw, m, out, written):
    """Copies raw[:m] to out[written:], each maximal subpart of an ill-formed sequence as one U+FFFD (Unicode 3.9,
    Table 3-7; what Python's 'replace' and Rust's from_utf8_lossy do). Returns the new end of out."""
    i = 0
    while i < m:
        b = raw[i]
        if b < 0x80:
            out[written] = b
            written += 1
            i += 1
            continue
        need, low, high = utf8_sequence_shape(b)
        k = 1
        if need > 0:
            while k <= need and i + k < m:
                c = raw[i + k]
                if not ((low if k == 1 else 0x80) <= c <= (high if k == 1 else 0xBF)):
                    break
                k += 1
        if need > 0 and k == need + 1:
            for j in range(i, i + k):
                out[written] = raw[j]
                written += 1
        else:
            out[written], out[written + 1], out[written + 2] = 0xEF, 0xBF, 0xBD  # U+FFFD in UTF-8
            written += 3
        i += k
    return written
