"""A metric family from outside the project: a filter with its own config section and its own resource, written to a
file in a temporary directory, loaded with --plugins and run end to end; nothing under utils/ names it. The same run
reads each split's input once."""

from __future__ import annotations

import json
import sys
import textwrap

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest

from calculate_metrics import main

PLUGIN = textwrap.dedent(
    '''
    """A plugin: the share of a text's characters that are in `letters`, and that share weighted per split."""

    from dataclasses import dataclass

    import numpy as np
    import pyarrow as pa

    from filters.base import Filter
    from filters.registry import register_filter
    from utils.core.errors import ConfigError
    from utils.core.resources import Provider, register_provider
    from utils.core.settings import Settings, key, register_settings

    BUILT = []  # one entry per provider instance: the run must build it once


    @register_settings("letter_share")
    @dataclass(frozen=True)
    class LetterShareSettings(Settings):
        """The letters counted."""

        letters: str = key("aeiou", "characters whose share of the text is measured")
        weight: float = key(1.0, "each split's weight is this times the split's rows")

        def check(self):
            if not self.letters:
                raise ConfigError("letter_share.letters must not be empty.")


    @register_provider
    class SplitWeights(Provider):
        """split_weight: weight x the number of rows in the split, from one Spark count per split in prepare."""

        name = "split_weights"
        provides = ("split_weight",)

        def __init__(self, config, needs, used):
            super().__init__(config, needs, used)
            BUILT.append(self)
            self.rows = {}

        def prepare(self, spark, inputs, frames):
            self.rows = {split: frame.count() for split, frame in frames.items()}
            return {split.label: rows for split, rows in self.rows.items()}

        def for_split(self, split):
            return {"split_weight": self.config.section(LetterShareSettings).weight * self.rows[split]}

        def record(self, split, values):
            return {"split_weight": values["split_weight"]}


    @register_filter("letter_share")
    class LetterShare(Filter):
        """letter_share: share of `text`'s characters in letter_share.letters; weighted_share: that times split_weight."""

        reads = ("text",)
        adds = pa.schema([("letter_share", pa.float64()), ("weighted_share", pa.float64())])
        needs = ("split_weight",)
        settings_class = LetterShareSettings

        def compute(self, batch):
            letters = set(self.settings.letters)
            texts = batch.column("text").to_pylist()
            share = np.array([sum(c in letters for c in t) / len(t) if t else np.nan for t in texts])
            return {"letter_share": share, "weighted_share": share * self.resources.split_weight}
    '''
)


@pytest.fixture
def registries():
    """The registries as they were: the plugin's filter, section and provider are gone after the test."""
    from filters.registry import FILTERS
    from utils.core.resources import PROVIDERS
    from utils.core.settings import SETTINGS

    saved = [(registry, dict(registry)) for registry in (FILTERS, PROVIDERS, SETTINGS)]
    modules = set(sys.modules)
    yield
    for registry, content in saved:
        registry.clear()
        registry.update(content)
    from pyspark import cloudpickle

    for name in set(sys.modules) - modules:
        if name.startswith("memorization_plugin_"):
            cloudpickle.unregister_pickle_by_value(sys.modules[name])
            del sys.modules[name]


@pytest.fixture(scope="module")
def local_splits(sample_dir, tmp_path_factory):
    """Two small local splits cut from the sample's memorized rows (scheme and model given, so statistics apply)."""
    root = tmp_path_factory.mktemp("plugin-inputs")
    table = pads.dataset(sample_dir / "hub" / "EleutherAI" / "pythia-memorized-evals" / "deduped.70m").to_table()
    paths = []
    for name, (first, rows) in {"first": (0, 40), "second": (40, 25)}.items():
        part = table.slice(first, rows)
        path = root / f"{name}.parquet"
        pq.write_table(pa.table({"sequence_id": part.column("index"), "tokens": part.column("tokens")}), path)
        paths.append(path)
    return paths


def test_a_plugin_filter_with_its_own_section_and_resource_runs_end_to_end(
    sample_dir, spark, tmp_path, local_splits, monkeypatch, registries
):
    plugin = tmp_path / "letter_share_plugin.py"
    plugin.write_text(PLUGIN)
    inputs = [{"path": str(path), "scheme": "deduped", "model": "70m"} for path in local_splits]
    config = tmp_path / "run.yaml"
    config.write_text(
        json.dumps(
            {
                "sample": {"directory": str(sample_dir)},
                "spark": {"master": "local[2]", "ui_port": 4050, "bind_address": "127.0.0.1"},
                "data": {"datasets": ["local"], "local_inputs": inputs},
                "letter_share": {"letters": "et", "weight": 0.5},
                "plugins": [str(plugin)],
            }
        )
    )
    reads = count_reads(monkeypatch)
    filters = "detokenize,duplication,token_frequency,letter_share"
    arguments = ["--sample", "--config", str(config), "--filters", filters, "--output", str(tmp_path / "out"), "--run-id", "p", "--quiet"]
    assert main(arguments) == 0

    module = next(m for name, m in sys.modules.items() if name.startswith("memorization_plugin_letter_share"))
    assert len(module.BUILT) == 1  # one provider for the whole run
    manifest = json.loads((tmp_path / "out" / "p" / "_manifest.json").read_text())
    assert manifest["config"]["letter_share"] == {"letters": "et", "weight": 0.5}
    assert manifest["split_weights"] == {"local/first": 40, "local/second": 25}
    for name, rows in (("first", 40), ("second", 25)):
        assert manifest["splits"][f"local/{name}"]["split_weight"] == 0.5 * rows
        table = pads.dataset(tmp_path / "out" / "p" / "local" / name).to_table().to_pylist()
        assert len(table) == rows
        for row in table:
            expected = sum(c in "et" for c in row["text"]) / len(row["text"])
            assert row["letter_share"] == pytest.approx(expected) and row["weighted_share"] == pytest.approx(expected * 0.5 * rows)
            assert row["sequence_duplicates"] is not None  # the built-in filters ran in the same pass
    assert reads == {"local/first": 1, "local/second": 1}


def test_the_sample_run_reads_each_split_input_once(sample_dir, spark, tmp_path, local_splits, monkeypatch):
    """Statistics, semantic duplicates and the split's own pass share one DataFrame per split: one read each (the
    semantic corpus, a small local table here so that embedding it is quick, is read once too)."""
    from tests.e2e.sample_runs import sample_args

    reads = count_reads(monkeypatch)
    filters = "detokenize,compression,patterns,duplication,token_frequency,taxonomy,semantic_duplicates"
    corpus = f"semantic:\n  model: packaged\n  corpus: {local_splits[1]}\n"
    cache = f"run:\n  cache_dir: {tmp_path / 'cache'}\n"
    arguments = sample_args(sample_dir, tmp_path / "out", "once", "--filters", filters, "--datasets", "memories", config=corpus + cache)
    assert main([*arguments, "--schemes", "deduped", "--models", "70m"]) == 0
    assert reads == {"memories/deduped.70m": 1, "local/semantic-corpus": 1}


def count_reads(monkeypatch) -> dict[str, int]:
    """Counts read_split calls per split label, wherever the project calls it."""
    import utils.corpus.semantic_duplicates
    import utils.pipeline.run
    from utils.data import sources

    reads: dict[str, int] = {}
    original = sources.read_split

    def counted(spark, source):
        reads[source.split.label] = reads.get(source.split.label, 0) + 1
        return original(spark, source)

    for module in (utils.pipeline.run, utils.corpus.semantic_duplicates, sources):
        monkeypatch.setattr(module, "read_split", counted)
    return reads
