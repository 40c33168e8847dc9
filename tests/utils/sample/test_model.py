"""The sample's tiny GPT-NeoX: its shape, a short training run saved as safetensors, and the greedy check that gives
each sample row its own memorization score (against a plain greedy loop)."""

import numpy as np
import pytest

from tests.filters.test_memorization import plain_greedy
from utils.sample.model import BATCH, SLOT, greedy_check, model_config, train_sample_model


def test_the_model_shape_follows_the_vocabulary_and_the_64_token_slot():
    config = model_config(123)
    assert (config.vocab_size, config.max_position_embeddings, config.tie_word_embeddings) == (123, SLOT, False)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    corpus = np.random.default_rng(0).integers(0, 50, size=(4, 3 * SLOT + 5))
    directory = tmp_path_factory.mktemp("sample-model")
    return directory, corpus, train_sample_model(corpus, 50, directory, seed=1, steps=3)


def test_a_short_training_run_is_saved_as_safetensors(trained):
    directory, _, summary = trained
    assert list(directory.glob("*.safetensors")) and not list(directory.glob("*.bin"))
    assert summary["steps"] == 3 and summary["tokens_seen"] == 3 * BATCH * SLOT and np.isfinite(summary["final_loss"])


def test_the_greedy_check_scores_each_row_like_a_plain_greedy_loop(trained):
    from transformers import GPTNeoXForCausalLM

    directory, corpus, _ = trained
    model = GPTNeoXForCausalLM.from_pretrained(directory, use_safetensors=True).eval()
    prompt = corpus[0, :32].tolist()
    continuation = plain_greedy(model, prompt)
    rows = np.array([prompt + continuation, corpus[1, :64].tolist(), prompt + continuation[:10] + [(continuation[10] + 1) % 50] * 22])
    scores = greedy_check(directory, rows, batch=2)
    expected_other = np.mean(np.array(plain_greedy(model, corpus[1, :32].tolist())) == corpus[1, 32:64])
    matches_third = np.mean(np.array(continuation) == rows[2, 32:])
    assert scores.tolist() == pytest.approx([1.0, expected_other, matches_third])
    assert greedy_check(directory, np.zeros((0, 64), np.int64)).tolist() == []
