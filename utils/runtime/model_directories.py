"""A model named by a local directory: found or not, and holding what loading it needs (safetensors only)."""

from __future__ import annotations

from pathlib import Path

from utils.core.errors import DataSourceError


def local_model_dir(model_id: str) -> Path | None:
    """The model's directory when `model_id` names one on this machine, else None (a Hugging Face id)."""
    local = Path(model_id).expanduser()
    return local if local.exists() else None


def check_weights_directory(local: Path, what: str, config_files: tuple[str, ...] = ("config.json",), nested: bool = False) -> None:
    """Fails with one message unless `local` holds one of `config_files` and *.safetensors weights (in subfolders too
    when `nested`, as sentence-transformers lays models out); pickle weights are never loaded."""
    needs = f"it needs {' or '.join(config_files)} and *.safetensors weights (only safetensors are loaded)"
    if not any((local / name).is_file() for name in config_files):
        raise DataSourceError(f"{what} directory {local} holds no {' or '.join(config_files)}: {needs}.")
    if not any(local.rglob("*.safetensors") if nested else local.glob("*.safetensors")):
        raise DataSourceError(f"{what} directory {local} has no *.safetensors weights: {needs}.")
