"""Shared fixtures: one local Spark session and one offline sample for the whole test run."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_TOKENIZER = ROOT.parent / "shared" / "pythia-tokenizer" / "tokenizer.json"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
os.environ["PYSPARK_PYTHON"] = sys.executable
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # tests never reach the hub


@pytest.fixture(scope="session")
def spark():
    from utils.config import SparkConfig
    from utils.spark_session import build_spark_session

    session = build_spark_session(SparkConfig(master="local[2]", driver_memory="2g", shuffle_partitions=2, ui_port=4050))
    yield session
    session.stop()


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory) -> Path:
    from utils.config import SampleConfig
    from utils.sample.build import ensure_sample

    return ensure_sample(SampleConfig(directory=str(tmp_path_factory.mktemp("sample") / "sample")))


@pytest.fixture(scope="session")
def pythia_tokenizer():
    from tokenizers import Tokenizer

    if not SHARED_TOKENIZER.is_file():
        pytest.fail(f"The real Pythia tokenizer is expected at {SHARED_TOKENIZER} (../shared beside the repo).")
    return Tokenizer.from_file(str(SHARED_TOKENIZER))
