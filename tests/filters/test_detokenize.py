"""detokenize: each row of a (sliced) Arrow batch decoded with the split's tokenizer, and its declared needs."""

from types import SimpleNamespace

import pytest

from filters import get_filter
from tests.batches import batch_of
from utils.core.errors import ConfigError
from utils.core.resources import Resources
from utils.runtime.tokenizers import TokenizerHandle


def word_tokenizer_json() -> str:
    from tokenizers import Tokenizer, models, pre_tokenizers

    tokenizer = Tokenizer(models.WordLevel({w: i for i, w in enumerate(["<unk>", "a", "b", "c", "d"])}, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return tokenizer.to_str()


def word_handle(key: str = "test-word-level") -> TokenizerHandle:
    return TokenizerHandle(SimpleNamespace(value=word_tokenizer_json()), key, 5, "test")


def test_detokenize_reads_each_row_of_a_sliced_batch():
    handle = TokenizerHandle(SimpleNamespace(value=word_tokenizer_json()), "test-word-level", 5, "test")
    batch = batch_of([[4, 4, 4], [1, 2], [3], [2, 3, 4]]).slice(1)  # token offsets start at 3
    text = get_filter("detokenize")(Resources(tokenizer=handle)).compute(batch)["text"].to_pylist()
    assert [t.split() for t in text] == [["a", "b"], ["c"], ["b", "c", "d"]]


def test_an_empty_row_decodes_to_empty_text_and_the_row_count_is_kept():
    batch = batch_of([[], [1, 1], []])
    text = get_filter("detokenize")(Resources(tokenizer=word_handle("test-word-level-empty"))).compute(batch)["text"].to_pylist()
    assert len(text) == 3 and text[0] == "" and text[1].split() == ["a", "a"] and text[2] == ""


def test_without_a_tokenizer_the_filter_names_its_need():
    with pytest.raises(ConfigError, match="'detokenize' needs tokenizer"):
        get_filter("detokenize")(Resources())
