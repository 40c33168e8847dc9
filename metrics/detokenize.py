"""Decoding of token ids to text with a Hugging Face `tokenizers` tokenizer (batched, in Rust)."""

from __future__ import annotations

import numpy as np


def decode_batch(tokenizer, token_lists: list[list[int]]) -> list[str]:
    """Text of each id list, special tokens kept (Pythia's `<|endoftext|>` is content in the Pile)."""
    return tokenizer.decode_batch(token_lists, skip_special_tokens=False)


def split_rows(values: np.ndarray, offsets: np.ndarray) -> list[list[int]]:
    """Flat ids + offsets -> one Python list per row (the form `decode_batch` takes)."""
    flat = values.tolist()
    bounds = offsets.tolist()
    return [flat[bounds[i] : bounds[i + 1]] for i in range(len(bounds) - 1)]
