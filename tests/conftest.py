"""Shared fixtures: one local Spark session, one offline sample and one tiny GPT-NeoX (built in code) for the whole test run."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SHARED_TOKENIZER = SHARED / "pythia-tokenizer" / "tokenizer.json"
HUMAN_LABELS = SHARED / "data" / "human-labels-dev.csv"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
os.environ["PYSPARK_PYTHON"] = sys.executable
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # tests never reach the hub


@pytest.fixture(scope="session")
def spark():
    from utils.runtime.spark_session import build_spark_session
    from utils.runtime.spark_settings import SparkSettings

    # No JVM class archive here: the test session's JVM would write one at exit; tests/utils/runtime/test_class_archive.py
    # covers it.
    settings = SparkSettings(master="local[2]", driver_memory="2g", shuffle_partitions=2, ui_port=4050, class_archive=False)
    session = build_spark_session(settings)
    yield session
    session.stop()


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory) -> Path:
    from utils.sample.build import ensure_sample
    from utils.sample.settings import SampleSettings

    return ensure_sample(SampleSettings(directory=str(tmp_path_factory.mktemp("sample") / "sample")))


def require_shared(path: Path) -> Path:
    """A file from ../shared: the test is skipped when it is missing, and fails instead under CI=true."""
    if not path.is_file():
        message = f"{path} is missing (tests that need ../shared beside the repo)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}; CI must not skip them")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def pythia_tokenizer():
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(require_shared(SHARED_TOKENIZER)))


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """A small random GPT-NeoX saved as safetensors (no download)."""
    import torch
    from transformers import GPTNeoXConfig, GPTNeoXForCausalLM

    torch.manual_seed(0)
    config = GPTNeoXConfig(
        vocab_size=97,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=128,
        rotary_pct=0.25,
        eos_token_id=0,
        bos_token_id=0,
    )
    model = GPTNeoXForCausalLM(config).eval()
    directory = tmp_path_factory.mktemp("tiny-model")
    model.save_pretrained(directory, safe_serialization=True)
    return directory


@pytest.fixture(scope="session")
def tiny_model(tiny_model_dir):
    from transformers import GPTNeoXForCausalLM

    return GPTNeoXForCausalLM.from_pretrained(tiny_model_dir, use_safetensors=True).eval()


@pytest.fixture(scope="session")
def tiny_classifier_dir(tmp_path_factory):
    """A small random DistilBERT sequence classifier (labels CODE, NL) with a character-level tokenizer (no download)."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import DistilBertConfig, DistilBertForSequenceClassification, PreTrainedTokenizerFast

    alphabet = [chr(c) for c in range(32, 127)]
    vocabulary = {"[PAD]": 0, "[UNK]": 1, **{c: i + 2 for i, c in enumerate(alphabet)}}
    characters = Tokenizer(models.WordLevel(vocabulary, unk_token="[UNK]"))
    characters.pre_tokenizer = pre_tokenizers.Split("", behavior="isolated")
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=characters,
        pad_token="[PAD]",
        unk_token="[UNK]",
        model_max_length=64,
        model_input_names=["input_ids", "attention_mask"],
    )
    torch.manual_seed(0)
    config = DistilBertConfig(
        vocab_size=len(vocabulary), dim=16, n_layers=1, n_heads=2, hidden_dim=32, max_position_embeddings=64,
        id2label={0: "CODE", 1: "NL"}, label2id={"CODE": 0, "NL": 1},
    )  # fmt: skip
    directory = tmp_path_factory.mktemp("tiny-classifier")
    DistilBertForSequenceClassification(config).eval().save_pretrained(directory, safe_serialization=True)
    tokenizer.save_pretrained(directory)
    return directory
