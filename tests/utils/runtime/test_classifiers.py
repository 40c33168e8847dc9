"""Which class of a classifier is natural language, and the checks before any work (offline: HF_HUB_OFFLINE=1)."""

import shutil

import pytest

from filters.code_vs_nl import CodeVsNlSettings
from utils.core.errors import ConfigError, DataSourceError
from utils.runtime.classifiers import classifier_handle, resolve_nl_label


def test_the_natural_language_class_by_name_index_or_label():
    named = {0: "CODE", 1: "NL"}
    assert resolve_nl_label(named, None, "m") == (1, "NL")
    assert resolve_nl_label({"0": "natural_language", "1": "code"}, None, "m") == (0, "natural_language")  # keys as JSON gives them
    assert resolve_nl_label({0: "Code", 1: "Text"}, None, "m") == (1, "Text")
    assert resolve_nl_label(named, "NL", "m") == (1, "NL") and resolve_nl_label(named, 1, "m") == (1, "NL")
    assert resolve_nl_label({0: "LABEL_0", 1: "LABEL_1"}, 1, "m") == (1, "LABEL_1")  # unnamed labels: the index decides
    assert resolve_nl_label({0: "LABEL_0", 1: "LABEL_1"}, "1", "m") == (1, "LABEL_1")


@pytest.mark.parametrize(
    "id2label, setting, message",
    [
        ({0: "LABEL_0", 1: "LABEL_1"}, None, r"cannot be told from its names \(0=LABEL_0, 1=LABEL_1\); set code_vs_nl.nl_label"),
        ({0: "CODE", 1: "NL"}, 0, "names the code class 'CODE'"),
        ({0: "CODE", 1: "NL"}, 2, "nl_label 2 is not a label"),
        ({0: "CODE", 1: "NL"}, "prose", "'prose' is not a label"),
        ({0: "NL"}, None, "needs a softmax over >= 2 classes"),
        ({0: "text", 1: "NL", 2: "code"}, None, "cannot be told"),  # two candidates: no guess
    ],
)
def test_an_unclear_natural_language_class_is_a_config_error(id2label, setting, message):
    with pytest.raises(ConfigError, match=message):
        resolve_nl_label(id2label, setting, "my/classifier")


def test_classifier_handle_checks_the_directory_before_any_work(tiny_classifier_dir, tmp_path):
    handle = classifier_handle(CodeVsNlSettings(model=str(tiny_classifier_dir), nl_label=None, device="cpu"))
    assert (handle.nl_index, handle.nl_label) == (1, "NL")
    model, tokenizer, device, batch, max_length = handle.get()
    assert (device.type, batch, max_length) == ("cpu", 64, 64)

    no_weights = tmp_path / "no-weights"
    shutil.copytree(tiny_classifier_dir, no_weights)
    (no_weights / "model.safetensors").rename(no_weights / "pytorch_model.bin")
    with pytest.raises(DataSourceError, match="only safetensors are loaded"):
        classifier_handle(CodeVsNlSettings(model=str(no_weights)))
    no_tokenizer = tmp_path / "no-tokenizer"
    no_tokenizer.mkdir()
    for name in ("config.json", "model.safetensors"):
        shutil.copy(tiny_classifier_dir / name, no_tokenizer / name)
    with pytest.raises(DataSourceError, match="holds no tokenizer"):
        classifier_handle(CodeVsNlSettings(model=str(no_tokenizer)))
    with pytest.raises(DataSourceError, match=r"Classifier usvsnsp/code-vs-nl@main could not be found .*code_vs_nl.model"):
        classifier_handle(CodeVsNlSettings(revision="main"))
