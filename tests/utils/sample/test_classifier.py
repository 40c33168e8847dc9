"""The sample's code-vs-natural-language classifier: a short training run saved with named labels and a tokenizer the
project's classifier loader reads, its natural-language class found by name."""

from utils.runtime.classifiers import classifier_handle, load_classifier
from utils.sample.build import PAD, train_tokenizer
from utils.sample.classifier import LABELS, TEXTS_PER_CLASS, train_sample_classifier
from utils.sample.texts import code, prose


def test_a_short_run_saves_a_classifier_the_code_vs_nl_filter_can_load(tmp_path):
    import numpy as np
    import torch

    from filters.code_vs_nl import CodeVsNlSettings

    rng = np.random.default_rng(0)
    tokenizer = train_tokenizer([prose(rng) for _ in range(30)] + [code(rng) for _ in range(30)])
    tokenizer.save(str(tmp_path / "tokenizer.json"))
    summary = train_sample_classifier(tmp_path / "tokenizer.json", PAD, tmp_path / "classifier", seed=2, steps=2)
    assert summary["steps"] == 2 and summary["texts"] == 2 * TEXTS_PER_CLASS
    model, loaded_tokenizer = load_classifier(str(tmp_path / "classifier"), None, torch.device("cpu"))
    assert model.config.id2label == LABELS and loaded_tokenizer.pad_token == PAD
    handle = classifier_handle(CodeVsNlSettings(model=str(tmp_path / "classifier"), nl_label=None, device="cpu"))
    assert (handle.nl_index, handle.nl_label) == (1, "natural_language")
