"""The sentence-embedding model: batch sizes per device, its directory or hub id checked before any work, and the
packaged all-MiniLM-L6-v2 extracted once into the cache, atomically."""

import pytest

from utils.core.errors import DataSourceError
from utils.runtime.embedding_models import EmbeddingModelHandle, check_embedding_model, packaged_minilm


def test_batch_size_default_per_device_unless_set():
    assert EmbeddingModelHandle("m", "cpu", None).batch_size_on("cpu") == 32
    assert EmbeddingModelHandle("m", "cpu", None).batch_size_on("cuda") == 256
    assert EmbeddingModelHandle("m", "cpu", 7).batch_size_on("cuda") == 7
    assert EmbeddingModelHandle("m", "cpu", None).device_name() == "cpu"


def test_a_local_directory_needs_a_sentence_transformers_layout_and_a_hub_id_must_resolve(tmp_path):
    with pytest.raises(DataSourceError, match="Embedding model directory .* holds no modules.json or config.json"):
        check_embedding_model(str(tmp_path))
    (tmp_path / "modules.json").write_text("[]")
    (tmp_path / "0_Transformer").mkdir()
    (tmp_path / "0_Transformer" / "model.safetensors").write_bytes(b"")
    check_embedding_model(str(tmp_path))  # weights in a module's subfolder
    with pytest.raises(DataSourceError, match="Embedding model nobody/no-such-embedder could not be found .*semantic.model"):
        check_embedding_model("nobody/no-such-embedder")  # HF_HUB_OFFLINE=1 in tests


def test_the_packaged_model_is_extracted_once_and_reused(tmp_path):
    directory = packaged_minilm(tmp_path)
    assert directory.parent == tmp_path / "models" and (directory / "_COMPLETE").is_file()
    check_embedding_model(str(directory))
    marker_time = (directory / "_COMPLETE").stat().st_mtime_ns
    (directory / "extra").write_text("kept")  # a second call must not extract again
    assert packaged_minilm(tmp_path) == directory and (directory / "_COMPLETE").stat().st_mtime_ns == marker_time
    assert (directory / "extra").exists() and not [p for p in (tmp_path / "models").iterdir() if p.name.endswith(".tmp")]
