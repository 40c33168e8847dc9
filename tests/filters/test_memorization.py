"""memorization: greedy-match fraction and exact greedy prefix of tokens[32:64], checked against a plain greedy loop
(no KV cache) of the same model; rows shorter than 64 tokens null, longer rows read at tokens 0..63."""

import numpy as np
import pytest
import torch

from filters import get_filter
from tests.batches import batch_of
from utils.core.resources import Resources
from utils.runtime.models import ModelHandle


def plain_greedy(model, prompt: list[int], steps: int = 32) -> list[int]:
    """Greedy decoding by recomputing the whole sequence at every step (the reference the KV-cache kernel must match)."""
    ids = list(prompt)
    with torch.inference_mode():
        for _ in range(steps):
            ids.append(int(model(input_ids=torch.tensor([ids])).logits[0, -1].argmax()))
    return ids[len(prompt) :]


def test_scores_and_prefixes_against_a_plain_greedy_loop(tiny_model_dir, tiny_model):
    rng = np.random.default_rng(5)
    prompts = [rng.integers(2, 97, 32).tolist() for _ in range(3)]
    greedy = [plain_greedy(tiny_model, p) for p in prompts]
    flipped = list(greedy[1])
    flipped[5] = (flipped[5] + 1) % 97  # one continuation token the model does not produce
    other = rng.integers(2, 97, 32).tolist()
    rows = [
        prompts[0] + greedy[0],  # the model's own continuation: 1.0 and 32
        prompts[1] + flipped,  # greedy decoding ignores the row's tokens: only position 5 misses
        prompts[0] + greedy[0] + [7] * 6,  # 70 tokens: tokens 64.. are not read
        prompts[2] + other,
        (prompts[0] + greedy[0])[:63],  # too short: null
    ]
    handle = ModelHandle(str(tiny_model_dir), None, "cpu", "float32", 1, 2, 0.2)  # generation batches of 2 rows
    out = get_filter("memorization")(Resources(model=handle)).compute(batch_of(rows))
    matches = np.array(greedy[2]) == np.array(other)
    expected_prefix = int(np.argmin(matches)) if not matches.all() else 32
    assert out["model_memorization_score"][:4].tolist() == [1.0, 31 / 32, 1.0, pytest.approx(matches.mean())]
    assert out["exact_prefix_length"].to_pylist() == [32, 5, 32, expected_prefix, None]
    assert np.isnan(out["model_memorization_score"][4])


def test_a_batch_with_no_row_long_enough_loads_nothing_and_gives_nulls(tiny_model_dir):
    handle = ModelHandle(str(tiny_model_dir), None, "cpu", "float32", None, None, 0.2)
    out = get_filter("memorization")(Resources(model=handle)).compute(batch_of([[3] * 10, []]))
    assert np.isnan(out["model_memorization_score"]).all() and out["exact_prefix_length"].to_pylist() == [None, None]
