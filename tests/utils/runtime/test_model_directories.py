"""A model named by a local directory: found or taken as a hub id, and refused unless it holds a config and
safetensors weights (never pickle)."""

import pytest

from utils.core.errors import DataSourceError
from utils.runtime.model_directories import check_weights_directory, local_model_dir


def test_an_existing_path_is_local_and_anything_else_a_hub_id(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "models").mkdir()
    assert local_model_dir(str(tmp_path / "models")) == tmp_path / "models"
    assert local_model_dir("~/models") == tmp_path / "models"
    assert local_model_dir("EleutherAI/pythia-70m") is None


def test_config_and_safetensors_are_required_and_nested_weights_only_when_allowed(tmp_path):
    with pytest.raises(DataSourceError, match=r"Model directory .* holds no config.json: it needs config.json and \*.safetensors"):
        check_weights_directory(tmp_path, "Model")
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "pytorch_model.bin").write_bytes(b"")
    with pytest.raises(DataSourceError, match=r"has no \*.safetensors weights: .*only safetensors are loaded"):
        check_weights_directory(tmp_path, "Model")
    (tmp_path / "0_Transformer").mkdir()
    (tmp_path / "0_Transformer" / "model.safetensors").write_bytes(b"")
    with pytest.raises(DataSourceError, match="has no"):
        check_weights_directory(tmp_path, "Model")
    check_weights_directory(tmp_path, "Embedding model", nested=True)
    (tmp_path / "model.safetensors").write_bytes(b"")
    check_weights_directory(tmp_path, "Model")


def test_any_of_several_config_files_will_do(tmp_path):
    (tmp_path / "modules.json").write_text("[]")
    (tmp_path / "w.safetensors").write_bytes(b"")
    check_weights_directory(tmp_path, "Embedding model", ("modules.json", "config.json"))
    with pytest.raises(DataSourceError, match="Embedding model directory .* holds no config.json or tokenizer.json"):
        check_weights_directory(tmp_path, "Embedding model", ("config.json", "tokenizer.json"))
