"""The Spark session's settings and the Java version check."""

from utils.pipeline.config import build_config
from utils.runtime.java import parse_java_major
from utils.runtime.spark_session import spark_settings


def test_java_versions_parse():
    assert parse_java_major('openjdk version "17.0.15" 2025-04-15') == 17
    assert parse_java_major('java version "1.8.0_392"') == 8
    assert parse_java_major('openjdk version "21" 2023-09-19') == 21


def test_local_mode_binds_loopback_and_cluster_mode_does_not():
    local = spark_settings(build_config({}).spark)
    assert local["spark.driver.bindAddress"] == "127.0.0.1" and local["spark.ui.port"] == "4040"
    cluster = spark_settings(build_config({"spark": {"master": "spark://10.0.0.5:7077"}}).spark)
    assert "spark.driver.bindAddress" not in cluster
