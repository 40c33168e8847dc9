"""The causal LM of a split: which model and revision a split resolves to, the batch sizes per device, the dtype
setting, one handle per split, and a clear error when the model or its safetensors weights are missing."""

import pytest
import torch

from utils.core.errors import ConfigError, DataSourceError
from utils.data.splits import Split
from utils.runtime.model_settings import ExtractionSettings, ModelSettings
from utils.runtime.models import ModelHandle, ModelProvider, _torch_dtype, check_model_available, model_for_split


def test_batch_sizes_default_per_device_and_generation_to_four_times(tiny_model_dir):
    loaded = ModelHandle(str(tiny_model_dir), None, "cpu", "float32", None, None, 0.2).get()
    assert (loaded.device.type, loaded.batch_size, loaded.generation_batch_size) == ("cpu", 16, 64)
    loaded = ModelHandle(str(tiny_model_dir), None, "cpu", "float32", 5, None, 0.2).get()
    assert (loaded.batch_size, loaded.generation_batch_size) == (5, 20)
    assert ModelHandle(str(tiny_model_dir), None, "cpu", "float32", 5, 7, 0.2).get().generation_batch_size == 7


def test_model_resolution():
    config = ModelSettings()
    assert model_for_split(config, Split("memories", "deduped", "1.4b", 23000)).label == "EleutherAI/pythia-1.4b-deduped@step23000"
    assert model_for_split(config, Split("pile", "duped", "70m")).label == "EleutherAI/pythia-70m@step143000"
    assert model_for_split(ModelSettings(name="my/model"), Split("local", "", "", local_name="x")).label == "my/model"
    with pytest.raises(ConfigError, match="names no Pythia model"):
        model_for_split(config, Split("local", "", "", local_name="x"))


def test_missing_model_or_weights_is_one_clear_error(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "pytorch_model.bin").write_bytes(b"")
    with pytest.raises(DataSourceError, match="only safetensors are loaded"):
        check_model_available(ModelHandle(str(tmp_path), None, "cpu", "float32", 1, 1, 0.2))
    with pytest.raises(DataSourceError, match=r"EleutherAI/pythia-70m@step7 could not be found .*revisions are step<N>"):
        check_model_available(ModelHandle("EleutherAI/pythia-70m", "step7", "cpu", "float32", 1, 1, 0.2))  # HF_HUB_OFFLINE=1 in tests


def test_a_set_revision_wins_over_the_step_and_the_settings_travel_into_the_handle():
    config = ModelSettings(revision="main", device="cpu", dtype="float16", batch_size=3, generation_batch_size=9, min_k=0.5)
    handle = model_for_split(config, Split("memories", "duped", "12b", 43000), ExtractionSettings(0.7, 40))
    assert handle == ModelHandle("EleutherAI/pythia-12b", "main", "cpu", "float16", 3, 9, 0.5, 0.7, 40)
    named = model_for_split(ModelSettings(name="org/lm"), Split("memories", "duped", "70m"))
    assert (named.label, named.temperature, named.top_k) == ("org/lm", 1.0, None)  # no step revision for a named model
    assert (
        model_for_split(ModelSettings(repo="mirror/p-{size}{suffix}"), Split("pile", "deduped", "160m")).model_id == "mirror/p-160m-deduped"
    )


def test_dtype_auto_is_float32_on_cpu_and_a_named_dtype_is_taken_as_given():
    cpu = torch.device("cpu")
    assert _torch_dtype("auto", cpu) is torch.float32
    assert _torch_dtype("bfloat16", cpu) is torch.bfloat16 and _torch_dtype("float16", cpu) is torch.float16


def test_the_provider_builds_one_handle_per_split_and_records_its_label():
    from utils.pipeline.config import build_config

    provider = ModelProvider(build_config({}), frozenset({"model"}), {})
    first, second = Split("memories", "duped", "70m"), Split("memories", "deduped", "70m")
    assert provider.handle(first) is provider.handle(first)
    assert provider.describe(second) == "model: EleutherAI/pythia-70m-deduped@step143000"
    values = provider.for_split(first)
    assert provider.record(first, values) == {"model": "EleutherAI/pythia-70m@step143000"}
