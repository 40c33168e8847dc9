"""likelihood and memorization filters through the fused pass (no Spark), and model resolution errors."""

import zlib

import numpy as np
import pyarrow as pa
import pytest
import torch

from filters import get_filter
from metrics.likelihood import greedy_match
from tests.batches import batch_of
from utils.core.errors import ConfigError, DataSourceError
from utils.core.resources import Resources
from utils.data.splits import Split
from utils.pipeline.fused_pass import FusedPass
from utils.runtime.model_settings import ExtractionSettings, ModelSettings
from utils.runtime.models import ModelHandle, check_model_available, model_for_split


def test_fused_pass_scores_rows_and_nulls_short_ones(tiny_model_dir, tiny_model):
    rng = np.random.default_rng(1)
    rows = [rng.integers(2, 97, 64).tolist() for _ in range(5)] + [[5], rng.integers(2, 97, 40).tolist()]
    handle = ModelHandle(str(tiny_model_dir), None, "cpu", "float32", 2, 3, 0.2)  # batches of 2 and 3: several each
    filters = (get_filter("likelihood_with_token_log_probs"), get_filter("memorization"))
    batch = batch_of(rows).append_column("text", pa.array(["abc abc abc"] * len(rows)))  # as detokenize would add
    schema = pa.schema([*batch.schema, *[field for cls in filters for field in cls.adds]])
    resources = Resources(model=handle)
    fused = FusedPass(filters, resources, schema, "test", "null", 97)
    out = fused.process(batch, [cls(resources) for cls in filters]).to_pydict()
    ids = torch.tensor(rows[0])[None]
    with torch.inference_mode():
        expected = float(torch.exp(tiny_model(input_ids=ids, labels=ids).loss))
        matches = greedy_match(tiny_model, torch.tensor(rows[:5])[:, :32], torch.tensor(rows[:5])[:, 32:])
    assert out["sequence_perplexity"][0] == pytest.approx(expected, rel=1e-5)
    assert out["sequence_perplexity"][5] is None and out["model_memorization_score"][5] is None  # one token
    assert out["model_memorization_score"][6] is None and out["sequence_perplexity"][6] is not None  # 40 tokens
    assert out["exact_prefix_length"][5] is None and out["exact_prefix_length"][6] is None
    assert out["continuation_log_prob"][5] is None and out["continuation_log_prob"][6] is None
    assert out["model_memorization_score"][:5] == matches.double().mean(-1).tolist()
    assert out["exact_prefix_length"][:5] == matches.long().cumprod(-1).sum(-1).tolist()
    # continuation_log_prob is the sum of the row's token log-probabilities t = 32..63
    assert out["continuation_log_prob"][0] == pytest.approx(sum(out["token_log_probs"][0][31:63]), rel=1e-6)
    assert len(out["token_log_probs"][0]) == 63 and len(out["token_log_probs"][6]) == 39
    assert out["zlib_likelihood_ratio"][0] == pytest.approx(out["loss"][0] / len(zlib.compress(b"abc abc abc")))


def test_extraction_sampler_reaches_the_likelihood_filter(tiny_model_dir, tiny_model):
    """extraction.temperature/top_k: continuation_log_prob under that sampler, from the same forward pass."""
    from transformers.generation.logits_process import TemperatureLogitsWarper, TopKLogitsWarper

    row = np.random.default_rng(2).integers(2, 97, 64).tolist()
    handle = model_for_split(
        ModelSettings(name=str(tiny_model_dir), device="cpu", dtype="float32"),
        Split("local", "", "", local_name="x"),
        ExtractionSettings(0.8, 50),
    )
    resources = Resources(model=handle)
    filters = (get_filter("likelihood"),)
    batch = batch_of([row]).append_column("text", pa.array(["x"]))
    schema = pa.schema([*batch.schema, *get_filter("likelihood").adds])
    out = FusedPass(filters, resources, schema, "test", "null", 97).process(batch, [filters[0](resources)]).to_pydict()
    with torch.inference_mode():
        scores = tiny_model(input_ids=torch.tensor([row])).logits[0, 31:63].double()
    warped = TopKLogitsWarper(50)(None, TemperatureLogitsWarper(0.8)(None, scores))
    expected = float(torch.log_softmax(warped, -1).gather(-1, torch.tensor(row[32:])[:, None]).sum())
    assert out["continuation_log_prob"][0] == pytest.approx(expected, rel=1e-6)


def test_batch_sizes_default_per_device_and_generation_to_four_times(tiny_model_dir):
    loaded = ModelHandle(str(tiny_model_dir), None, "cpu", "float32", None, None, 0.2).get()
    assert (loaded.device.type, loaded.batch_size, loaded.generation_batch_size) == ("cpu", 16, 64)
    loaded = ModelHandle(str(tiny_model_dir), None, "cpu", "float32", 5, None, 0.2).get()
    assert (loaded.batch_size, loaded.generation_batch_size) == (5, 20)
    assert ModelHandle(str(tiny_model_dir), None, "cpu", "float32", 5, 7, 0.2).get().generation_batch_size == 7


def test_model_resolution():
    config = ModelSettings()
    assert model_for_split(config, Split("memories", "deduped", "1.4b", 23000)).label == "EleutherAI/pythia-1.4b-deduped@step23000"
    assert model_for_split(config, Split("pile", "duped", "70m")).label == "EleutherAI/pythia-70m@step143000"
    assert model_for_split(ModelSettings(name="my/model"), Split("local", "", "", local_name="x")).label == "my/model"
    with pytest.raises(ConfigError, match="names no Pythia model"):
        model_for_split(config, Split("local", "", "", local_name="x"))


def test_missing_model_or_weights_is_one_clear_error(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "pytorch_model.bin").write_bytes(b"")
    with pytest.raises(DataSourceError, match="only safetensors are loaded"):
        check_model_available(ModelHandle(str(tmp_path), None, "cpu", "float32", 1, 1, 0.2))
    with pytest.raises(DataSourceError, match=r"EleutherAI/pythia-70m@step7 could not be found .*revisions are step<N>"):
        check_model_available(ModelHandle("EleutherAI/pythia-70m", "step7", "cpu", "float32", 1, 1, 0.2))  # HF_HUB_OFFLINE=1 in tests


def _torch_threads(_):
    import torch

    yield torch.get_num_threads()


def test_torch_in_a_python_worker_runs_task_cpus_threads(spark):
    """README: on CPU each worker's torch uses spark.task.cpus threads (1 here), so tasks do not oversubscribe cores."""
    task_cpus = int(spark.sparkContext.getConf().get("spark.task.cpus", "1"))
    assert spark.sparkContext.parallelize(range(2), 2).mapPartitions(_torch_threads).collect() == [task_cpus] * 2


def test_code_vs_nl_scores_texts_and_nulls_empty_ones(tiny_classifier_dir):
    from filters.code_vs_nl import CodeVsNlSettings
    from metrics.code_vs_nl import nl_scores
    from utils.runtime.classifiers import classifier_handle, load_classifier

    texts = ["The council met in the old church.", "", "def f(x):\n    return x", "a b c"]
    handle = classifier_handle(CodeVsNlSettings(model=str(tiny_classifier_dir), nl_label="NL", device="cpu", batch_size=2))
    cls = get_filter("code_vs_nl")
    batch = batch_of([[5] * 64] * len(texts)).append_column("text", pa.array(texts))
    resources = Resources(nl_classifier=handle)
    fused = FusedPass((cls,), resources, pa.schema([*batch.schema, *cls.adds]), "test", "null", 97)
    out = fused.process(batch, [cls(resources)]).to_pydict()["nl_score"]
    model, tokenizer = load_classifier(str(tiny_classifier_dir), None, torch.device("cpu"))
    expected = nl_scores(model, tokenizer, [texts[0], texts[2], texts[3]], 1, 8, 64, "cpu")
    assert out[1] is None and [out[0], out[2], out[3]] == pytest.approx(expected.tolist(), abs=1e-9)
    with pytest.raises(ConfigError, match="needs nl_classifier"):
        cls(Resources())
