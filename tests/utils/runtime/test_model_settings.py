"""The `model` and `extraction` sections beyond what tests/utils/pipeline/test_config.py checks: the dtype choices,
min_k's closed end, an infinite temperature, a named model's path made absolute, and the sample's model."""

import math
import os

import pytest

from utils.core.errors import ConfigError
from utils.runtime.model_settings import ExtractionSettings, ModelSettings


def test_dtype_is_one_of_the_choices_and_min_k_may_be_one():
    with pytest.raises(ConfigError, match="model.dtype must be one of auto, float32, bfloat16, float16, got 'float64'"):
        ModelSettings(dtype="float64").check()
    ModelSettings(dtype="bfloat16", min_k=1.0, batch_size=1, generation_batch_size=1).check()
    with pytest.raises(ConfigError, match=r"model.min_k must be in \(0, 1\], got 1.5"):
        ModelSettings(min_k=1.5).check()


def test_an_infinite_temperature_or_a_float_top_k_is_refused_and_integers_pass():
    with pytest.raises(ConfigError, match="extraction.temperature must be a positive number, got inf"):
        ExtractionSettings(temperature=math.inf).check()
    with pytest.raises(ConfigError, match="extraction.top_k must be a positive integer or null, got 2.0"):
        ExtractionSettings(top_k=2.0).check()
    ExtractionSettings(temperature=2, top_k=1).check()


def test_a_local_model_becomes_absolute_a_hub_id_stays_and_the_sample_fills_only_an_unset_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lm").mkdir()
    assert ModelSettings(name="lm").with_absolute_paths().name == os.path.join(tmp_path, "lm")
    assert ModelSettings(name="org/lm").with_absolute_paths().name == "org/lm"
    assert ModelSettings().with_absolute_paths().name is None
    assert ModelSettings().for_sample(tmp_path).name == str(tmp_path / "model")
    assert ModelSettings(name="org/lm").for_sample(tmp_path).name == "org/lm"
