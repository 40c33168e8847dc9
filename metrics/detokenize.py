"""Decoding of token ids to text with a Hugging Face `tokenizers` tokenizer (batched, in Rust)."""

from __future__ import annotations


def decode_batch(tokenizer, token_lists: list[list[int]]) -> list[str]:
    """Text of each id list, special tokens kept (Pythia's `<|endoftext|>` is content in the Pile)."""
    return tokenizer.decode_batch(token_lists, skip_special_tokens=False)
