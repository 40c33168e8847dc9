"""The `statistics` section: its checks, its paths made absolute, and the sample's corpus where none is set."""

import os

import pytest

from utils.core.errors import ConfigError
from utils.corpus.readers import CorpusConfig
from utils.corpus.statistics_settings import DEFAULT_DIRECTORY, StatisticsSettings


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (StatisticsSettings(source="hub"), "statistics.source must be corpus or precomputed, got 'hub'"),
        (StatisticsSettings(corpora={"pile": CorpusConfig()}), "statistics.corpora has key 'pile'; use a scheme"),
        (StatisticsSettings(ngram_start=-1), "ngram_start must be >= 0 and statistics.ngram_length > 0"),
        (StatisticsSettings(ngram_length=0), "ngram_start must be >= 0 and statistics.ngram_length > 0"),
        (StatisticsSettings(chunk_tokens=0), "chunk_tokens must be positive and statistics.hash_bits in 1..64"),
        (StatisticsSettings(hash_bits=65), "chunk_tokens must be positive and statistics.hash_bits in 1..64"),
    ],
)
def test_each_bad_value_is_one_error(settings, message):
    with pytest.raises(ConfigError, match=message):
        settings.check()


def test_valid_edges_pass():
    StatisticsSettings(ngram_start=0, hash_bits=1, corpora={"duped": CorpusConfig(), "default": CorpusConfig()}).check()


def test_the_cache_and_every_corpus_file_become_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = StatisticsSettings(directory="stats", corpora={"duped": CorpusConfig(path="c/document", bin_files=("a.bin", "/b.bin"))})
    absolute = settings.with_absolute_paths()
    assert absolute.directory == os.path.join(tmp_path, "stats")
    assert absolute.corpora["duped"].path == os.path.join(tmp_path, "c/document")
    assert absolute.corpora["duped"].bin_files == (os.path.join(tmp_path, "a.bin"), "/b.bin")
    assert StatisticsSettings(corpora={"duped": CorpusConfig(path="")}).with_absolute_paths().corpora["duped"].path == ""


def test_the_sample_fills_only_what_is_left_at_its_default(tmp_path):
    sample = StatisticsSettings().for_sample(tmp_path)
    assert sample.corpora == {"default": CorpusConfig(format="megatron", path=str(tmp_path / "corpus" / "document"))}
    assert sample.directory == str(tmp_path / "statistics") and StatisticsSettings().directory == DEFAULT_DIRECTORY
    own = StatisticsSettings(directory="/mine", corpora={"duped": CorpusConfig(path="/c")}).for_sample(tmp_path)
    assert own.directory == "/mine" and own.corpora == {"duped": CorpusConfig(path="/c")}
