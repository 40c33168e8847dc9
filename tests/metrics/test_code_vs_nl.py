"""nl_score kernels: the softmax by hand, and batched scoring against one text at a time on a tiny classifier."""

import math

import numpy as np
import pytest
import torch

from metrics.code_vs_nl import nl_probability, nl_scores
from utils.runtime.classifiers import load_classifier, truncation_length

TEXTS = [
    "The river ran past the old station and the council met in the church.",
    "def f(x):\n    return x * 2\n",
    "a",
    "\\usepackage{amsmath}\n\\usepackage{amssymb}",
    "for (int i = 0; i < n; i++) { total += values[i]; }",
    "She said that the results of the study were new.",
    "x",
]


def test_nl_probability_is_the_softmax_of_the_chosen_class():
    logits = torch.tensor(
        [[0.0, math.log(3.0)], [2.0, 2.0], [math.log(2.0), 0.0], [0.0, 0.0]], dtype=torch.float64
    )  # model logits may come as float32 too (last case)
    assert nl_probability(logits, 1).tolist() == pytest.approx([0.75, 0.5, 1 / 3, 0.5], abs=1e-15)
    three = torch.tensor([[0.0, math.log(2.0), math.log(5.0)]], dtype=torch.float64)  # probabilities 1/8, 2/8, 5/8
    assert nl_probability(three, 2).tolist() == pytest.approx([5 / 8], abs=1e-15)
    assert nl_probability(torch.tensor([[1000.0, -1000.0]], dtype=torch.float32), 1).tolist() == [0.0]  # no overflow


@pytest.fixture(scope="module")
def classifier(tiny_classifier_dir):
    return load_classifier(str(tiny_classifier_dir), None, torch.device("cpu"))


def _one_at_a_time(model, tokenizer, texts, max_length):
    out = []
    with torch.inference_mode():
        for text in texts:
            encoded = tokenizer([text], truncation=True, max_length=max_length, return_tensors="pt")
            out.append(float(torch.softmax(model(**encoded).logits.double(), -1)[0, 1]))
    return np.array(out)


@pytest.mark.parametrize("batch_size", [1, 3, 64])
def test_batched_scores_equal_one_text_at_a_time_in_input_order(classifier, batch_size):
    model, tokenizer = classifier
    got = nl_scores(model, tokenizer, TEXTS, 1, batch_size, 64, "cpu")
    assert got.dtype == np.float64 and got.shape == (len(TEXTS),)
    assert got == pytest.approx(_one_at_a_time(model, tokenizer, TEXTS, 64), abs=1e-6)  # padding changes nothing
    assert got.tolist() != pytest.approx([got[0]] * len(TEXTS))  # a random classifier still tells texts apart


def test_long_texts_are_truncated_to_the_classifier_maximum(classifier):
    model, tokenizer = classifier
    assert truncation_length(model.config, tokenizer, None) == 64 and truncation_length(model.config, tokenizer, 10) == 10
    long = "word " * 500  # 2500 characters, far beyond 64 positions
    assert nl_scores(model, tokenizer, [long], 1, 8, 64, "cpu") == pytest.approx(nl_scores(model, tokenizer, [long[:64]], 1, 8, 64, "cpu"))
    assert nl_scores(model, tokenizer, [], 1, 8, 64, "cpu").shape == (0,)
