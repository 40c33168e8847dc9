"""Builds the one SparkSession of a run from `SparkSettings`; nothing here is tied to one machine."""

from __future__ import annotations

import contextlib
import logging
import os
import sys

from utils.runtime.class_archive import driver_java_options
from utils.runtime.java import check_java, java_executable
from utils.runtime.numba_cache import ENVIRONMENT as NUMBA_ENVIRONMENT
from utils.runtime.shipping import ship_project_code
from utils.runtime.spark_settings import SparkSettings

log = logging.getLogger(__name__)


def is_local_master(master: str) -> bool:
    return master == "local" or master.startswith("local[") or master.startswith("local-cluster[")


def spark_settings(spark: SparkSettings) -> dict[str, str]:
    """The `spark.*` settings a run uses; user `conf` entries win over ours."""
    settings = {
        "spark.app.name": spark.app_name,
        "spark.master": spark.master,
        "spark.driver.memory": spark.driver_memory,
        "spark.ui.port": str(spark.ui_port),  # Spark tries the next ports when this one is taken
        "spark.ui.showConsoleProgress": "true",
        "spark.sql.execution.arrow.maxRecordsPerBatch": str(spark.arrow_batch_size),
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.sources.partitionOverwriteMode": "static",
        # zstd: smaller Parquet than Spark's default snappy, and as fast to read.
        "spark.sql.parquet.compression.codec": "zstd",
    }
    # Executors' Python workers find the kernels compiled by earlier runs of the same code (numba_cache.py).
    settings.update({f"spark.executorEnv.{name}": value for name, value in NUMBA_ENVIRONMENT.items()})
    if spark.executor_memory:
        settings["spark.executor.memory"] = spark.executor_memory
    if spark.shuffle_partitions:
        settings["spark.sql.shuffle.partitions"] = str(spark.shuffle_partitions)
    bind = spark.bind_address or ("127.0.0.1" if is_local_master(spark.master) else None)
    if bind:
        settings["spark.driver.bindAddress"] = bind
        settings["spark.driver.host"] = bind
    settings.update(spark.conf)
    return settings


def class_archive_settings(spark: SparkSettings, settings: dict[str, str]) -> dict[str, str]:
    """The driver's Java options with the class archive added (class_archive.py); none when the user's own options
    already choose one."""
    from pyspark.find_spark_home import _find_spark_home

    own = settings.get("spark.driver.extraJavaOptions", "")
    if "SharedArchiveFile" in own or "ArchiveClassesAtExit" in own or "-Xshare" in own:
        return {}
    options = driver_java_options(spark.class_archive_dir, java_executable() or "java", _find_spark_home())
    return {"spark.driver.extraJavaOptions": f"{own} {options}".strip()} if options else {}


def build_spark_session(spark: SparkSettings):
    """Starts (or reuses) the SparkSession and logs the UI address."""
    check_java()
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    settings = spark_settings(spark)
    bind = settings.get("spark.driver.bindAddress")
    if bind:
        # The web UI binds to SPARK_LOCAL_IP (else every interface); keep it on the same address.
        os.environ.setdefault("SPARK_LOCAL_IP", bind)
    # Executors must run the interpreter (and so the packages) of this driver unless told otherwise.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    for name, value in NUMBA_ENVIRONMENT.items():  # local masters: workers inherit this process's environment
        os.environ.setdefault(name, value)
    if spark.class_archive and is_local_master(spark.master) and SparkContext._gateway is None:
        settings.update(class_archive_settings(spark, settings))  # only a JVM about to start (no gateway yet) can use it
    builder = SparkSession.builder
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel(spark.log_level)
    ship_project_code(session)
    ui = session.sparkContext.uiWebUrl
    log.info("Spark %s, master %s, UI at %s", session.version, session.sparkContext.master, ui or "disabled")
    return session


@contextlib.contextmanager
def job_description(spark, text: str):
    """Names the Spark jobs this thread starts inside the block, as the Spark UI shows them; unnamed again after."""
    spark.sparkContext.setJobDescription(text)
    try:
        yield
    finally:
        spark.sparkContext.setJobDescription(None)
