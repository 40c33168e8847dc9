"""The `sample` config section: the bundled offline sample (utils/sample/build.py), built on first use."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from utils.core.settings import Settings, absolute, key, register_settings


@register_settings("sample")
@dataclass(frozen=True)
class SampleSettings(Settings):
    """The offline sample; when enabled, the other sections' inputs default to its files (each section's for_sample)."""

    enabled: bool = key(False, "run on the sample (--sample sets it, with configs/sample.yaml)")
    directory: str = key(".cache/memorization/sample", "where the sample is built and cached")
    seed: int = key(1234, "seed of its texts, corpus and model")

    def with_absolute_paths(self) -> SampleSettings:
        return dataclasses.replace(self, directory=absolute(self.directory))
