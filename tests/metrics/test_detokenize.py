"""The byte-table decoder against `tokenizers`' own decode_batch, and its UTF-8 replacement against Python's."""

import numpy as np
import pyarrow as pa
import pytest

from metrics.detokenize import Detokenizer, _lossy_utf8, decode_batch


def list_array(rows) -> pa.Array:
    return pa.array([list(map(int, row)) for row in rows], pa.list_(pa.int64()))


def small_byte_level_tokenizer():
    """A byte-level BPE trained here on a few lines (no download), with an added token in plain text."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=["<|endoftext|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator(["naïve café – 東京 😀 " * 3, "def f(x):\n    return x + 1\n" * 3, "the cat sat on the mat"], trainer)
    tokenizer.add_tokens(["    "])
    return tokenizer


def test_lossy_utf8_replaces_as_python_does():
    rng = np.random.default_rng(3)
    tricky = np.array([0x41, 0x80, 0xBF, 0xC2, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xA0, 0x9F, 0x90, 0x8F, 0xC0, 0xFF], dtype=np.uint8)
    out = np.empty(3 * 40, dtype=np.uint8)
    for trial in range(5000):
        raw = rng.integers(0, 256, 40).astype(np.uint8) if trial % 2 else rng.choice(tricky, 40)
        written = _lossy_utf8(raw, raw.size, out, 0)
        assert bytes(out[:written]).decode("utf-8") == bytes(raw).decode("utf-8", "replace"), raw.tolist()


def test_byte_table_equals_decode_batch_on_a_trained_byte_level_tokenizer():
    tokenizer = small_byte_level_tokenizer()
    detokenizer = Detokenizer.for_tokenizer(tokenizer)
    assert detokenizer.compiled  # the probe (every id alone, random rows) agreed
    rows = np.random.default_rng(1).integers(0, tokenizer.get_vocab_size(), (300, 40))
    tokens = list_array(rows).slice(7)  # offsets that do not start at 0
    assert detokenizer.decode(tokens).to_pylist() == decode_batch(tokenizer, rows[7:].tolist())


def test_byte_table_equals_decode_batch_on_pythia_ids(pythia_tokenizer):
    detokenizer = Detokenizer.for_tokenizer(pythia_tokenizer)
    assert detokenizer.compiled
    texts = ["Hello world, this is Pythia.", "naïve café – 東京 😀", "<|endoftext|>def f(x):\n        return x\n", ""]
    rows = [pythia_tokenizer.encode(text).ids for text in texts]
    rows += [row[: len(row) // 2] for row in rows]  # cut inside multi-byte characters
    rows += np.random.default_rng(2).integers(0, 50277, (200, 64)).tolist()
    assert detokenizer.decode(list_array(rows)).to_pylist() == decode_batch(pythia_tokenizer, rows)


def test_other_tokenizers_decode_with_decode_batch():
    from tokenizers import Tokenizer, models, pre_tokenizers

    tokenizer = Tokenizer(models.WordLevel({"<unk>": 0, "a": 1, "b": 2}, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    detokenizer = Detokenizer.for_tokenizer(tokenizer)
    assert not detokenizer.compiled
    assert detokenizer.decode(list_array([[1, 2], [2]])).to_pylist() == ["a b", "b"]


@pytest.mark.parametrize("rows", [[], [[]]])
def test_empty_batches_and_rows(pythia_tokenizer, rows):
    assert Detokenizer.for_tokenizer(pythia_tokenizer).decode(list_array(rows)).to_pylist() == [""] * len(rows)
