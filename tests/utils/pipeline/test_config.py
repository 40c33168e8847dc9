"""The run configuration: unknown keys, lists, model settings, run ids and paths made absolute."""

import pytest

from utils.core.errors import ConfigError
from utils.pipeline.config import build_config, check_run_id


def test_unknown_key_is_named():
    with pytest.raises(ConfigError, match="Unknown key\\(s\\) modle"):
        build_config({"data": {"modle": "70m"}})


def test_comma_lists_and_defaults():
    config = build_config({"data": {"models": "70m,160m", "schemes": "deduped"}})
    assert config.data.models == ("70m", "160m") and config.data.schemes == ("deduped",)
    assert config.spark.master == "local[*]"


@pytest.mark.parametrize(
    "model, message",
    [
        ({"batch_size": 0}, "model.batch_size must be positive or null, got 0"),
        ({"generation_batch_size": -4}, "model.generation_batch_size must be positive or null, got -4"),
        ({"min_k": 0}, r"model.min_k must be in \(0, 1\], got 0"),
    ],
)
def test_model_settings_are_checked(model, message):
    with pytest.raises(ConfigError, match=message):
        build_config({"model": model})


@pytest.mark.parametrize(
    "extraction, message",
    [
        ({"temperature": 0}, "extraction.temperature must be a positive number, got 0"),
        ({"temperature": ".7"}, "extraction.temperature must be a positive number, got '.7'"),
        ({"top_k": 0}, "extraction.top_k must be a positive integer or null, got 0"),
        ({"top_k": True}, "extraction.top_k must be a positive integer or null, got True"),
        ({"top_p": 0.9}, "Unknown key\\(s\\) top_p in config section 'extraction'"),
    ],
)
def test_extraction_settings_are_checked(extraction, message):
    with pytest.raises(ConfigError, match=message):
        build_config({"extraction": extraction})
    assert build_config({"extraction": {"temperature": 0.7, "top_k": 40}}).extraction.top_k == 40


@pytest.mark.parametrize("run_id", ["..", "../x", "a/b", "/abs", "", "a..b"])
def test_run_id_cannot_escape(run_id):
    with pytest.raises(ConfigError):
        check_run_id(run_id)


def test_local_paths_become_absolute_on_the_driver(tmp_path, monkeypatch):
    """Executors start elsewhere: every local path reaches them absolute; URIs and hub ids stay as given."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my-model").mkdir()
    config = build_config(
        {
            "run": {"cache_dir": "cache", "output": "hdfs:///user/me/out"},
            "data": {"datasets": "local", "local_inputs": ["in.parquet", "s3a://bucket/x.parquet"]},
            "tokenizer": {"path": "~/tok.json"},
            "statistics": {"directory": "stats", "corpora": {"default": {"path": "corpus/document", "bin_files": ["corpus/a.bin"]}}},
            "model": {"name": "my-model"},
        }
    )
    assert config.run.cache_dir == str(tmp_path / "cache") and config.run.output == "hdfs:///user/me/out"
    assert [i.path for i in config.data.local_inputs] == [str(tmp_path / "in.parquet"), "s3a://bucket/x.parquet"]
    assert not config.tokenizer.path.startswith("~") and config.statistics.directory == str(tmp_path / "stats")
    corpus = config.statistics.corpora["default"]
    assert corpus.path == str(tmp_path / "corpus/document") and corpus.bin_files == (str(tmp_path / "corpus/a.bin"),)
    assert config.model.name == str(tmp_path / "my-model")
    assert build_config({"model": {"name": "EleutherAI/pythia-70m"}}).model.name == "EleutherAI/pythia-70m"


def test_default_yaml_lists_every_key_with_its_default():
    from pathlib import Path

    from utils.pipeline.config import load_yaml

    listed = load_yaml(Path(__file__).resolve().parents[3] / "configs" / "default.yaml")
    assert build_config(listed).to_dict() == build_config({}).to_dict()


def test_sample_mode_points_default_inputs_at_the_sample_and_keeps_what_the_user_set(tmp_path):
    sample = {"enabled": True, "directory": str(tmp_path / "sample")}
    config = build_config({"sample": sample, "code_vs_nl": {"model": "my/classifier"}})
    assert config.hub.local_mirror == str(tmp_path / "sample" / "hub") and config.model.name == str(tmp_path / "sample" / "model")
    assert config.tokenizer.path == str(tmp_path / "sample" / "tokenizer.json")
    assert config.statistics.corpora["default"].path == str(tmp_path / "sample" / "corpus" / "document")
    assert config.code_vs_nl.model == "my/classifier" and config.code_vs_nl.nl_label == 1
    assert build_config({"sample": sample}).code_vs_nl.nl_label is None  # the sample's classifier names its labels


def test_unknown_section_lists_the_registered_ones():
    with pytest.raises(ConfigError, match="Unknown config section\\(s\\) semantics. Known: run, .*semantic"):
        build_config({"semantics": {}})


def test_a_section_registered_twice_is_refused():
    from dataclasses import dataclass

    from utils.core.settings import Settings, register_settings

    with pytest.raises(ValueError, match="section 'taxonomy' is registered twice"):
        register_settings("taxonomy")(dataclass(frozen=True)(type("Again", (Settings,), {})))
    with pytest.raises(ValueError, match="must be a frozen dataclass"):
        register_settings("not_frozen")(type("Loose", (Settings,), {}))
