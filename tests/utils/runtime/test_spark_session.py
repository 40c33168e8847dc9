"""The Spark session's settings, and what its Python workers run with."""

import pytest

from utils.pipeline.config import build_config
from utils.runtime.spark_session import is_local_master, spark_settings


def test_local_mode_binds_loopback_and_cluster_mode_does_not():
    local = spark_settings(build_config({}).spark)
    assert local["spark.driver.bindAddress"] == "127.0.0.1" and local["spark.ui.port"] == "4040"
    cluster = spark_settings(build_config({"spark": {"master": "spark://10.0.0.5:7077"}}).spark)
    assert "spark.driver.bindAddress" not in cluster


def _torch_threads(_):
    import torch

    yield torch.get_num_threads()


def test_torch_in_a_python_worker_runs_task_cpus_threads(spark):
    """README: on CPU each worker's torch uses spark.task.cpus threads (1 here), so tasks do not oversubscribe cores."""
    task_cpus = int(spark.sparkContext.getConf().get("spark.task.cpus", "1"))
    assert spark.sparkContext.parallelize(range(2), 2).mapPartitions(_torch_threads).collect() == [task_cpus] * 2


def test_the_users_conf_wins_and_optional_keys_appear_only_when_set():
    plain = spark_settings(build_config({}).spark)
    assert "spark.executor.memory" not in plain and "spark.sql.shuffle.partitions" not in plain
    assert plain["spark.sql.execution.arrow.maxRecordsPerBatch"] == "4096"
    spark = build_config(
        {
            "spark": {
                "executor_memory": "8g",
                "shuffle_partitions": 12,
                "bind_address": "10.1.2.3",
                "arrow_batch_size": 100,
                "conf": {"spark.sql.session.timeZone": "Europe/Paris", "spark.extra": "x"},
            }
        }
    ).spark
    settings = spark_settings(spark)
    assert settings["spark.executor.memory"] == "8g" and settings["spark.sql.shuffle.partitions"] == "12"
    assert settings["spark.driver.bindAddress"] == settings["spark.driver.host"] == "10.1.2.3"  # set: used even when local
    assert settings["spark.sql.execution.arrow.maxRecordsPerBatch"] == "100"
    assert settings["spark.sql.session.timeZone"] == "Europe/Paris" and settings["spark.extra"] == "x"


def test_which_masters_are_local():
    assert all(is_local_master(m) for m in ("local", "local[*]", "local[4]", "local-cluster[2,1,1024]"))
    assert not any(is_local_master(m) for m in ("localhost", "spark://local:7077", "yarn", "k8s://https://local"))


def test_job_description_names_the_block_s_jobs_and_is_cleared_after(spark):
    from utils.runtime.spark_session import job_description

    with pytest.raises(ZeroDivisionError), job_description(spark, "split x: count"):
        assert spark.sparkContext.getLocalProperty("spark.job.description") == "split x: count"
        raise ZeroDivisionError  # the description is cleared on the way out of a failing block too
    assert spark.sparkContext.getLocalProperty("spark.job.description") is None
