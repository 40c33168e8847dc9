"""The tokenizer of a split: a configured file or directory, else the model's repo (offline: one clear error), parsed
once per worker, broadcast once per distinct file, and the provider's view of it."""

import dataclasses
from types import SimpleNamespace

import pytest

from tests.filters.test_detokenize import word_tokenizer_json
from utils.core.errors import ConfigError, DataSourceError
from utils.data.splits import Split
from utils.runtime.tokenizers import (
    _WORKER_CACHE,
    TokenizerBroadcasts,
    TokenizerHandle,
    TokenizerProvider,
    TokenizerSettings,
    load_tokenizer_json,
    parse_tokenizer,
)

PYTHIA = Split("memories", "duped", "70m")
LOCAL = Split("local", "", "", local_name="mine")


@pytest.fixture
def tokenizer_file(tmp_path):
    path = tmp_path / "tok" / "tokenizer.json"
    path.parent.mkdir()
    path.write_text(word_tokenizer_json())
    return path


def test_a_configured_file_or_the_directory_holding_one(tokenizer_file):
    for configured in (tokenizer_file, tokenizer_file.parent):
        source, text = load_tokenizer_json(TokenizerSettings(path=str(configured)), LOCAL)
        assert source == str(tokenizer_file.resolve()) and text == word_tokenizer_json()


def test_what_cannot_give_a_tokenizer_is_one_error_saying_what_to_set(tmp_path):
    with pytest.raises(ConfigError, match="tokenizer.path .* has no tokenizer.json"):
        load_tokenizer_json(TokenizerSettings(path=str(tmp_path)), LOCAL)
    with pytest.raises(ConfigError, match="Split local/mine names no model, so its tokenizer is unknown: set tokenizer.path"):
        load_tokenizer_json(TokenizerSettings(), LOCAL)
    repo = "nobody/no-such-model-{size}{suffix}"
    with pytest.raises(DataSourceError, match=r"tokenizer of split memories/duped.70m from Hugging Face \(nobody/no-such-model-70m, "):
        load_tokenizer_json(TokenizerSettings(repo=repo), PYTHIA)  # HF_HUB_OFFLINE=1 in tests
    with pytest.raises(ConfigError, match="where.json is not a valid tokenizers JSON file"):
        parse_tokenizer("{not json", "where.json")


def test_the_handle_parses_once_per_worker_and_builds_its_detokenizer_without_a_table():
    handle = TokenizerHandle(SimpleNamespace(value=word_tokenizer_json()), "test-tokenizers-handle", 5, "test")
    _WORKER_CACHE.pop("test-tokenizers-handle", None)
    first = handle.get()
    assert handle.get() is first and _WORKER_CACHE["test-tokenizers-handle"] is first
    assert handle.detokenizer() is handle.detokenizer()
    assert first.decode([1, 2, 3]).split() == ["a", "b", "c"]


def test_one_broadcast_per_distinct_file_and_the_provider_needs_prepare_first(spark, tokenizer_file, tmp_path):
    settings = TokenizerSettings(path=str(tokenizer_file))
    broadcasts = TokenizerBroadcasts(spark, settings)
    handle = broadcasts.for_split(PYTHIA)
    assert broadcasts.for_split(Split("pile", "deduped", "1b")) is handle and handle.vocab_size == 5
    assert handle.table is not None and handle.broadcast.value == word_tokenizer_json()
    other = tmp_path / "other.json"
    other.write_text(word_tokenizer_json().replace('"d"', '"e"'))
    assert TokenizerBroadcasts(spark, TokenizerSettings(path=str(other))).for_split(PYTHIA).key != handle.key

    config = SimpleNamespace(tokenizer=settings)
    provider = TokenizerProvider(config, frozenset({"tokenizer"}), {})
    with pytest.raises(RuntimeError, match="before prepare"):
        provider.handle(PYTHIA)
    provider.prepare(spark, [], {})
    values = provider.for_split(PYTHIA)
    assert provider.vocab_size(PYTHIA) == 5 and provider.record(PYTHIA, values) == {"tokenizer": str(tokenizer_file.resolve())}


def test_settings_point_at_the_sample_tokenizer_only_when_no_path_is_set(tmp_path):
    assert TokenizerSettings().for_sample(tmp_path).path == str(tmp_path / "tokenizer.json")
    own = dataclasses.replace(TokenizerSettings(), path="/mine.json")
    assert own.for_sample(tmp_path) is own
