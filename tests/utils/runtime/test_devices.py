"""The torch device of a task: as set, else the task's GPU when Spark gave one, else CPU."""

import torch

from utils.runtime.devices import task_device


def test_a_named_device_is_taken_as_given():
    assert task_device("cpu") == torch.device("cpu")
    assert task_device("cuda:1") == torch.device("cuda", 1)  # named, not checked: the task decides where it runs


def test_auto_is_the_cpu_without_a_gpu_and_a_gpu_when_there_is_one():
    expected = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
    assert task_device("auto") == expected  # outside a Spark task: any GPU


def _task_devices(_):
    from utils.runtime.devices import task_device

    yield str(task_device("auto"))


def test_inside_a_spark_task_without_gpu_resources(spark):
    devices = spark.sparkContext.parallelize(range(2), 2).mapPartitions(_task_devices).collect()
    assert devices == ["cuda" if torch.cuda.is_available() else "cpu"] * 2
