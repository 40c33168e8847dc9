import pytest

from utils.config import build_config, check_run_id
from utils.errors import ConfigError
from utils.java import parse_java_major
from utils.spark_session import spark_settings
from utils.splits import parse_split_name


def test_unknown_key_is_named():
    with pytest.raises(ConfigError, match="Unknown key\\(s\\) modle"):
        build_config({"data": {"modle": "70m"}})


def test_comma_lists_and_defaults():
    config = build_config({"data": {"models": "70m,160m", "schemes": "deduped"}})
    assert config.data.models == ("70m", "160m") and config.data.schemes == ("deduped",)
    assert config.spark.master == "local[*]"


@pytest.mark.parametrize("run_id", ["..", "../x", "a/b", "/abs", "", "a..b"])
def test_run_id_cannot_escape(run_id):
    with pytest.raises(ConfigError):
        check_run_id(run_id)


def test_unknown_split_lists_valid_ones():
    with pytest.raises(ConfigError, match="duped.12b.23000"):
        parse_split_name("memories", "duped.13b")
    split = parse_split_name("memories", "deduped.12b.123000")
    assert (split.scheme, split.model, split.step, split.name) == ("deduped", "12b", 123000, "deduped.12b.123000")
    assert parse_split_name("memories", "duped.1.4b").model == "1.4b"


def test_java_versions_parse():
    assert parse_java_major('openjdk version "17.0.15" 2025-04-15') == 17
    assert parse_java_major('java version "1.8.0_392"') == 8
    assert parse_java_major('openjdk version "21" 2023-09-19') == 21


def test_local_mode_binds_loopback_and_cluster_mode_does_not():
    local = spark_settings(build_config({}).spark)
    assert local["spark.driver.bindAddress"] == "127.0.0.1" and local["spark.ui.port"] == "4040"
    cluster = spark_settings(build_config({"spark": {"master": "spark://10.0.0.5:7077"}}).spark)
    assert "spark.driver.bindAddress" not in cluster
