"""Which causal LM scores a split, checked on the driver and loaded once per Python worker.

Split `{scheme}.{size}[.{step}]` -> `EleutherAI/pythia-{size}` (`-deduped` for deduped), revision
`step{step}` (final `step143000`) (docs/METRICS.md, 'Likelihood'); `model.name` picks any Hugging Face causal
LM or a local directory instead. Weights load from safetensors only and never with remote code.
On a GPU executor each task uses the GPU Spark assigned it (`spark.task.resource.gpu.amount`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from utils.core.errors import ConfigError, DataSourceError
from utils.core.resources import Provider, register_provider
from utils.data.splits import Split, pythia_repo
from utils.runtime.devices import task_device
from utils.runtime.model_directories import check_weights_directory, local_model_dir
from utils.runtime.model_settings import ExtractionSettings, ModelSettings

log = logging.getLogger(__name__)
_WORKER_MODELS: dict[tuple, object] = {}


@dataclass(frozen=True)
class LoadedModel:
    """A model loaded on one worker, with the batch sizes to use on its device; read its fields by name."""

    model: object
    device: object  # torch.device
    batch_size: int  # rows per forward pass of the likelihood filter
    generation_batch_size: int  # rows per greedy decoding of the memorization filter


@dataclass(frozen=True)
class ModelHandle:
    """Picklable description of the model of one split; `get()` loads it once per Python worker."""

    model_id: str
    revision: str | None
    device: str
    dtype: str
    batch_size: int | None
    generation_batch_size: int | None
    min_k: float
    temperature: float = 1.0  # extraction sampler of continuation_log_prob
    top_k: int | None = None

    @property
    def label(self) -> str:
        return self.model_id + (f"@{self.revision}" if self.revision else "")

    def get(self) -> LoadedModel:
        """The model on this task's device, cached per worker process, with the batch sizes to use there."""
        import torch

        device = task_device(self.device)
        key = (self.model_id, self.revision, str(device), self.dtype)
        if key not in _WORKER_MODELS:
            _WORKER_MODELS.clear()  # one model per worker at a time: the next split's replaces it
            _WORKER_MODELS[key] = load_model(self.model_id, self.revision, device, _torch_dtype(self.dtype, device))
        batch = self.batch_size or (64 if device.type == "cuda" else 16)
        return LoadedModel(
            model=_WORKER_MODELS[key],
            device=torch.device(device),
            batch_size=batch,
            generation_batch_size=self.generation_batch_size or 4 * batch,
        )


def model_for_split(config: ModelSettings, split: Split, extraction: ExtractionSettings | None = None) -> ModelHandle:
    extraction = extraction or ExtractionSettings()
    if config.name:
        model_id, revision = config.name, config.revision
    elif split.model:
        model_id = pythia_repo(config.repo, split)
        revision = config.revision or f"step{split.step}"
    else:
        raise ConfigError(f"Split {split.label} names no Pythia model: set model.name to the causal LM that should score it.")
    return ModelHandle(
        model_id,
        revision,
        config.device,
        config.dtype,
        config.batch_size,
        config.generation_batch_size,
        config.min_k,
        extraction.temperature,
        extraction.top_k,
    )


def check_model_available(handle: ModelHandle) -> None:
    """Fails early, with one message, when the model or revision cannot be found (reads config.json only)."""
    local = local_model_dir(handle.model_id)
    if local:
        check_weights_directory(local, "Model")
        return
    try:
        from transformers import AutoConfig

        AutoConfig.from_pretrained(handle.model_id, revision=handle.revision, trust_remote_code=False)
    except Exception as error:
        raise DataSourceError(
            f"Model {handle.label} could not be found ({type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}). "
            "Check the name and revision (Pythia revisions are step<N>, final step143000), the network, or set "
            "model.name to a local directory (HF_HUB_OFFLINE=1 uses only the HF_HOME cache)."
        ) from None


def load_model(model_id: str, revision: str | None, device, dtype):
    from transformers import AutoModelForCausalLM

    local = local_model_dir(model_id)
    try:
        model = AutoModelForCausalLM.from_pretrained(
            str(local) if local else model_id,
            revision=None if local else revision,
            dtype=dtype,
            use_safetensors=True,
            trust_remote_code=False,
        )
    except Exception as error:
        raise DataSourceError(
            f"Could not load model {model_id} (revision {revision}): {type(error).__name__}: {str(error).splitlines()[0]}"
        ) from None
    log.info("Loaded %s (%s) on %s as %s", model_id, revision, device, dtype)
    return model.to(device).eval()


def _torch_dtype(setting: str, device):
    import torch

    if setting != "auto":
        return getattr(torch, setting)
    if device.type != "cuda":
        return torch.float32
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


@register_provider
class ModelProvider(Provider):
    """The `model` resource: each split's causal LM handle (settings `model` and `extraction`), checked before any work."""

    provides = ("model",)

    def __init__(self, config, needs, used):
        super().__init__(config, needs, used)
        self.handles: dict[Split, ModelHandle] = {}

    def handle(self, split: Split) -> ModelHandle:
        if split not in self.handles:
            self.handles[split] = model_for_split(self.config.model, split, self.config.extraction)
        return self.handles[split]

    def check(self, splits) -> None:
        for handle in {self.handle(split) for split in splits}:
            check_model_available(handle)

    def describe(self, split: Split) -> str:
        return f"model: {self.handle(split).label}"

    def for_split(self, split: Split) -> dict:
        return {"model": self.handle(split)}

    def record(self, split: Split, values) -> dict:
        return {"model": values["model"].label}
