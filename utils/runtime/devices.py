"""The torch device a Spark task should use: the GPU Spark assigned it (`spark.task.resource.gpu.amount`), else CPU."""

from __future__ import annotations


def task_device(setting: str):
    """`setting` auto: this task's GPU when Spark gave it one (any GPU when run outside Spark), else CPU; else as given."""
    import torch

    if setting != "auto":
        return torch.device(setting)
    if not torch.cuda.is_available():
        return torch.device("cpu")
    try:
        from pyspark import TaskContext

        context = TaskContext.get()
        gpus = context.resources().get("gpu") if context else None
        if gpus and gpus.addresses:
            return torch.device(f"cuda:{gpus.addresses[0]}")
    except ImportError:
        pass
    return torch.device("cuda")
