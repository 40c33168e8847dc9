"""patterns: the templating flags and coverages from `text` and the repetition columns from `tokens`, row by row,
with every declared column returned."""

import pyarrow as pa

from filters import get_filter
from tests.batches import batch_of
from utils.core.resources import Resources


def compute(texts, token_rows):
    batch = batch_of(token_rows).append_column("text", pa.array(texts, pa.string()))
    return get_filter("patterns")(Resources()).compute(batch)


def test_each_row_gets_its_text_flags_and_its_token_repetition():
    texts = ["1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12", "hahahahahahahahahahahahahaha", "The council met at dawn.", None]
    tokens = [[1, 2, 3, 4, 5, 6], [8, 9, 8, 9, 8, 9, 8], [4, 5, 6, 7], [2, 2, 2, 2]]
    out = compute(texts, tokens)
    assert set(out) == set(get_filter("patterns").adds.names)
    assert out["is_incrementing"].tolist() == [True, False, False, False]
    assert out["is_repeating"].tolist() == [False, True, False, False]
    assert out["is_templating"].tolist() == [True, True, False, False]
    assert out["incrementing_coverage"][0] == 1.0 and out["repeating_coverage"][1] == 1.0
    assert out["templating_coverage"][2] == 0.0 and out["templating_coverage"][3] == 0.0  # null text counts as empty
    # [8, 9] * 3 + [8]: first hit k = 2 at offset 0 with the last two tokens trimmed ([8, 9] * 2 + [8]); [2] * 4: unit [2]
    assert out["num_repeating"].tolist() == [0, 2, 0, 2]
    assert out["repeating_offset"].tolist() == [0, 0, 0, 0]
    assert out["smallest_repeating_chunk"].to_pylist() == [[], [8, 9], [], [2]]


def test_the_text_and_the_tokens_are_read_independently():
    """A repetitive token row with incrementing text: each family reads its own column."""
    out = compute(["Page 1 of 9 Page 2 of 9 Page 3 of 9 Page 4 of 9 Page 5 of 9"], [[3, 3, 3, 3, 3, 3]])
    assert out["is_incrementing"].tolist() == [True] and out["is_repeating"].tolist() == [False]
    assert out["num_repeating"].tolist() == [2] and out["smallest_repeating_chunk"].to_pylist() == [[3]]
