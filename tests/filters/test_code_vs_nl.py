"""code_vs_nl: the classifier's natural-language probability per row through the fused pass, empty text null, and its
settings (positive sizes, the sample's own classifier only in place of the default model)."""

import pyarrow as pa
import pytest
import torch

from filters import get_filter
from filters.code_vs_nl import DEFAULT_MODEL, CodeVsNlSettings
from tests.batches import batch_of
from utils.core.errors import ConfigError
from utils.core.resources import Resources
from utils.pipeline.fused_pass import FusedPass


def test_code_vs_nl_scores_texts_and_nulls_empty_ones(tiny_classifier_dir):
    from filters.code_vs_nl import CodeVsNlSettings
    from metrics.code_vs_nl import nl_scores
    from utils.runtime.classifiers import classifier_handle, load_classifier

    texts = ["The council met in the old church.", "", "def f(x):\n    return x", "a b c"]
    handle = classifier_handle(CodeVsNlSettings(model=str(tiny_classifier_dir), nl_label="NL", device="cpu", batch_size=2))
    cls = get_filter("code_vs_nl")
    batch = batch_of([[5] * 64] * len(texts)).append_column("text", pa.array(texts))
    resources = Resources(nl_classifier=handle)
    fused = FusedPass((cls,), resources, pa.schema([*batch.schema, *cls.adds]), "test", "null", 97)
    out = fused.process(batch, [cls(resources)]).to_pydict()["nl_score"]
    model, tokenizer = load_classifier(str(tiny_classifier_dir), None, torch.device("cpu"))
    expected = nl_scores(model, tokenizer, [texts[0], texts[2], texts[3]], 1, 8, 64, "cpu")
    assert out[1] is None and [out[0], out[2], out[3]] == pytest.approx(expected.tolist(), abs=1e-9)
    with pytest.raises(ConfigError, match="needs nl_classifier"):
        cls(Resources())


@pytest.mark.parametrize("key", ["batch_size", "max_length"])
@pytest.mark.parametrize("value", [0, -3, 2.5, True])
def test_sizes_must_be_positive_whole_numbers(key, value):
    with pytest.raises(ConfigError, match=f"code_vs_nl.{key} must be a positive whole number or null"):
        CodeVsNlSettings(**{key: value}).check()
    CodeVsNlSettings(**{key: None}).check()
    CodeVsNlSettings(**{key: 7}).check()


def test_the_sample_replaces_only_the_default_model_and_finds_its_class_by_name(tmp_path):
    sample = CodeVsNlSettings().for_sample(tmp_path)
    assert (sample.model, sample.nl_label) == (str(tmp_path / "classifier"), None)
    own = CodeVsNlSettings(model="my/classifier", nl_label=0)
    assert own.for_sample(tmp_path) is own
    assert CodeVsNlSettings(model=DEFAULT_MODEL, nl_label=0).for_sample(tmp_path).model == str(tmp_path / "classifier")
