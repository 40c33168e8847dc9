"""detokenize and the token-level repetition columns of patterns read a sliced Arrow batch row by row correctly."""

from types import SimpleNamespace

import pyarrow as pa

from filters import get_filter
from metrics.repetition import token_repetition
from tests.batches import batch_of
from utils.pipeline.resources import FilterResources
from utils.runtime.tokenizers import TokenizerHandle


def word_tokenizer_json() -> str:
    from tokenizers import Tokenizer, models, pre_tokenizers

    tokenizer = Tokenizer(models.WordLevel({w: i for i, w in enumerate(["<unk>", "a", "b", "c", "d"])}, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return tokenizer.to_str()


def test_detokenize_reads_each_row_of_a_sliced_batch():
    handle = TokenizerHandle(SimpleNamespace(value=word_tokenizer_json()), "test-word-level", 5, "test")
    batch = batch_of([[4, 4, 4], [1, 2], [3], [2, 3, 4]]).slice(1)  # token offsets start at 3
    text = get_filter("detokenize")(FilterResources(tokenizer=handle)).compute(batch)["text"].to_pylist()
    assert [t.split() for t in text] == [["a", "b"], ["c"], ["b", "c", "d"]]


def test_token_repetition_reads_each_row_of_a_sliced_array():
    rows = [[9] * 8, [1, 2, 1, 2, 1, 2, 1, 2], [5, 6, 7, 8, 5, 6, 7, 8], [3] * 8]
    tokens = pa.array(rows, pa.list_(pa.int32())).slice(1)
    out = token_repetition(tokens)
    expected = token_repetition(pa.array(rows[1:], pa.list_(pa.int32())))  # the same rows, unsliced
    assert out["num_repeating"].tolist() == expected["num_repeating"].tolist()
    assert out["repeating_offset"].tolist() == expected["repeating_offset"].tolist()
    assert out["smallest_repeating_chunk"].to_pylist() == expected["smallest_repeating_chunk"].to_pylist() != [[]] * 3
