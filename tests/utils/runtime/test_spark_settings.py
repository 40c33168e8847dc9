"""The `spark` section's checks: a positive Arrow batch, a boolean class archive, a TCP port."""

import pytest

from utils.core.errors import ConfigError
from utils.pipeline.config import build_config
from utils.runtime.spark_settings import SparkSettings


@pytest.mark.parametrize("value", ["yes", 1])
def test_class_archive_must_be_a_boolean(value):
    from utils.core.errors import ConfigError

    with pytest.raises(ConfigError, match="spark.class_archive"):
        build_config({"spark": {"class_archive": value}})


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (SparkSettings(arrow_batch_size=0), "spark.arrow_batch_size must be positive"),
        (SparkSettings(ui_port=0), "spark.ui_port must be a TCP port, got 0"),
        (SparkSettings(ui_port=65536), "spark.ui_port must be a TCP port, got 65536"),
    ],
)
def test_batch_size_and_port_ranges(settings, message):
    with pytest.raises(ConfigError, match=message):
        settings.check()
    SparkSettings(arrow_batch_size=1, ui_port=65535, class_archive=False).check()
