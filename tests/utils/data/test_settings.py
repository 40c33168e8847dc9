"""The `data` and `hub` sections: each bad value is one error naming the key and the valid choices; local paths made
absolute; the sample's mirror only where the user set none."""

import os

import pytest

from utils.core.errors import ConfigError
from utils.data.settings import DataSettings, HubSettings, LocalInput


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (DataSettings(datasets=("memories", "wiki")), "Unknown dataset 'wiki'. Valid datasets: memories, pile, local"),
        (DataSettings(schemes=("dedup",)), "Unknown scheme 'dedup'. Valid schemes: duped, deduped"),
        (DataSettings(models=("7b",)), "Unknown model size '7b'. Valid sizes: 70m, 160m"),
        (DataSettings(datasets=("local",)), "Dataset 'local' needs at least one input"),
        (DataSettings(sample_size=0), "--sample-size must be a positive number of rows, got 0"),
        (DataSettings(bad_records="skip"), "data.bad_records must be one of null, raise, got 'skip'"),
        (DataSettings(vocab_size=-1), "data.vocab_size must be positive, got -1"),
    ],
)
def test_each_bad_value_is_named(settings, message):
    with pytest.raises(ConfigError, match=message):
        settings.check()


def test_the_defaults_and_a_full_local_setup_pass():
    DataSettings().check()
    DataSettings(datasets=("local", "pile"), local_inputs=(LocalInput(path="x.parquet"),), sample_size=5, vocab_size=10).check()


def test_local_input_paths_become_absolute_and_keep_their_other_keys(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = DataSettings(local_inputs=(LocalInput(path="rows.parquet", name="r", model="70m"), LocalInput(path="s3a://b/x")))
    inputs = settings.with_absolute_paths().local_inputs
    assert inputs[0] == LocalInput(path=os.path.join(tmp_path, "rows.parquet"), name="r", model="70m")
    assert inputs[1].path == "s3a://b/x"


def test_the_sample_mirror_is_used_only_when_no_mirror_is_set(tmp_path):
    assert HubSettings().for_sample(tmp_path).local_mirror == str(tmp_path / "hub")
    assert HubSettings(local_mirror="/mine").for_sample(tmp_path).local_mirror == "/mine"
