"""The code-vs-natural-language classifier of the code_vs_nl filter: any Hugging Face sequence classifier, by id or
local directory (safetensors only, no remote code), checked on the driver and loaded once per Python worker.

Which class means natural language comes from `code_vs_nl.nl_label`: an index, a label name of the model's
`id2label`, or null to find it by name (a label such as "nl", "natural_language", "text", "english").
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from utils.core.errors import ConfigError, DataSourceError
from utils.runtime.devices import task_device
from utils.runtime.model_directories import check_weights_directory, local_model_dir

log = logging.getLogger(__name__)
_WORKER_CLASSIFIERS: dict[tuple, tuple] = {}
NL_NAMES = re.compile(r"^(nl|natural[ _-]?language|natural|text|english|en|prose|human)$", re.IGNORECASE)
CODE_NAMES = re.compile(r"^(code|source[ _-]?code|programming|program)$", re.IGNORECASE)


@dataclass(frozen=True)
class ClassifierHandle:
    """Picklable description of the classifier with its natural-language class resolved; `get()` loads it once per worker."""

    model_id: str
    revision: str | None
    nl_index: int
    nl_label: str  # the name of that class in the model's id2label
    max_length: int | None  # None: the classifier's own maximum
    device: str
    batch_size: int | None  # None: 64 texts on CPU, 512 on a GPU

    @property
    def label(self) -> str:
        return self.model_id + (f"@{self.revision}" if self.revision else "")

    def get(self):
        """(model, tokenizer, device, batch size, max length) for this task, the model cached per worker process."""
        device = task_device(self.device)
        key = (self.model_id, self.revision, str(device))
        if key not in _WORKER_CLASSIFIERS:
            _WORKER_CLASSIFIERS.clear()
            _WORKER_CLASSIFIERS[key] = load_classifier(self.model_id, self.revision, device)
        model, tokenizer = _WORKER_CLASSIFIERS[key]
        batch = self.batch_size or (512 if device.type == "cuda" else 64)
        return model, tokenizer, device, batch, truncation_length(model.config, tokenizer, self.max_length)


def truncation_length(model_config, tokenizer, setting: int | None) -> int:
    """The classifier tokens kept per text: the smallest of the setting, the position table and the tokenizer's maximum."""
    limits = [setting, getattr(model_config, "max_position_embeddings", None), tokenizer.model_max_length]
    return min(int(limit) for limit in limits if limit and limit < 1_000_000)  # tokenizers without a maximum say 1e30


def resolve_nl_label(id2label: dict, setting: int | str | None, model_label: str) -> tuple[int, str]:
    """(index, name) of the natural-language class; a ConfigError that lists the labels when it cannot be told."""
    labels = {int(index): str(name) for index, name in id2label.items()}
    listing = ", ".join(f"{index}={name}" for index, name in sorted(labels.items()))
    if len(labels) < 2:
        raise ConfigError(f"Classifier {model_label} has {len(labels)} label(s) ({listing}); nl_score needs a softmax over >= 2 classes.")
    if setting is None:
        found = [index for index, name in labels.items() if NL_NAMES.match(name.strip())]
        if len(found) != 1:
            raise ConfigError(
                f"Classifier {model_label}: which label is natural language cannot be told from its names ({listing}); "
                "set code_vs_nl.nl_label to its index or name."
            )
        return found[0], labels[found[0]]
    if isinstance(setting, int) or str(setting).isdigit():
        index = int(setting)
        if index not in labels:
            raise ConfigError(f"code_vs_nl.nl_label {index} is not a label of classifier {model_label} ({listing}).")
    else:
        matches = [i for i, name in labels.items() if name == str(setting)]
        if not matches:
            raise ConfigError(f"code_vs_nl.nl_label {setting!r} is not a label of classifier {model_label} ({listing}).")
        index = matches[0]
    if CODE_NAMES.match(labels[index].strip()):
        raise ConfigError(f"code_vs_nl.nl_label {setting!r} names the code class {labels[index]!r} of {model_label} ({listing}).")
    return index, labels[index]


def classifier_handle(config) -> ClassifierHandle:
    """The configured classifier (a CodeVsNlConfig) checked before any work: its config is found, it has >= 2 labels
    and a natural-language class; a local directory also needs safetensors weights and a tokenizer."""
    label = config.model + (f"@{config.revision}" if config.revision else "")
    local = local_model_dir(config.model)
    if local:
        check_weights_directory(local, "Classifier")
        if not any((local / name).is_file() for name in ("tokenizer.json", "vocab.txt", "tokenizer_config.json")):
            raise DataSourceError(f"Classifier directory {local} holds no tokenizer (tokenizer.json, vocab.txt or tokenizer_config.json).")
    try:
        from transformers import AutoConfig

        model_config = AutoConfig.from_pretrained(
            str(local) if local.exists() else config.model,
            revision=None if local.exists() else config.revision,
            trust_remote_code=False,
        )
    except Exception as error:
        raise DataSourceError(
            f"Classifier {label} could not be found ({type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}). "
            "Check code_vs_nl.model and code_vs_nl.revision, the network, or set code_vs_nl.model to a local directory."
        ) from None
    index, name = resolve_nl_label(model_config.id2label, config.nl_label, label)
    return ClassifierHandle(config.model, config.revision, index, name, config.max_length, config.device, config.batch_size)


def load_classifier(model_id: str, revision: str | None, device):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    local = Path(model_id).expanduser()
    source, revision = (str(local), None) if local.exists() else (model_id, revision)
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, revision=revision, trust_remote_code=False)
        model = AutoModelForSequenceClassification.from_pretrained(
            source, revision=revision, use_safetensors=True, trust_remote_code=False, dtype=torch.float32
        )
    except Exception as error:
        raise DataSourceError(
            f"Could not load classifier {model_id} (revision {revision}): {type(error).__name__}: "
            f"{str(error).splitlines()[0] if str(error) else ''}. Only safetensors weights are loaded: for a model that "
            "ships only pytorch_model.bin, set code_vs_nl.revision to its safetensors conversion (e.g. refs/pr/1)."
        ) from None
    log.info("Loaded classifier %s (%s) on %s", model_id, revision, device)
    return model.to(device).eval(), tokenizer
