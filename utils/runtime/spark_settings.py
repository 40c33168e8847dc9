"""The `spark` config section: how the run's one SparkSession is built (utils/runtime/spark_session.py)."""

from __future__ import annotations

from dataclasses import dataclass

from utils.core.errors import ConfigError
from utils.core.settings import Settings, key, register_settings


@register_settings("spark")
@dataclass(frozen=True)
class SparkSettings(Settings):
    """The Spark session: master, memory, UI, and any other spark.* setting."""

    master: str = key("local[*]", "local[*], spark://HOST:7077, yarn, k8s://...")
    app_name: str = key("memorization-metrics", "the application's name in the Spark UI")
    driver_memory: str = key("4g", "spark.driver.memory")
    executor_memory: str | None = key(None, "spark.executor.memory; null: Spark's default")
    shuffle_partitions: int | None = key(None, "spark.sql.shuffle.partitions; null: Spark's default")
    ui_port: int = key(4040, "the Spark UI's port; the next free one is used when it is taken, and the URL is logged")
    bind_address: str | None = key(None, "driver address; null: 127.0.0.1 with a local master, Spark's default otherwise")
    arrow_batch_size: int = key(4096, "rows per Arrow batch handed to the filters")
    log_level: str = key("WARN", "Spark's log level")
    conf: dict[str, str] = key(factory=dict, doc="any other spark.* settings; they win over the keys above")
    class_archive: bool = key(True, "local masters: the driver JVM maps the classes earlier runs loaded (starts ~4 s sooner)")
    class_archive_dir: str = key("~/.cache/memorization-metrics/jvm", "where that archive lives (one per Java + Spark)")

    def check(self) -> None:
        if self.arrow_batch_size <= 0:
            raise ConfigError("spark.arrow_batch_size must be positive.")
        if not isinstance(self.class_archive, bool):
            raise ConfigError(f"spark.class_archive must be true or false, got {self.class_archive!r}.")
        if not 0 < self.ui_port < 65536:
            raise ConfigError(f"spark.ui_port must be a TCP port, got {self.ui_port}.")
