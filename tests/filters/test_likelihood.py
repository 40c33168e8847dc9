"""likelihood (and its token_log_probs variant) through the fused pass: scores equal the model's own loss, short rows
null, and the extraction sampler reaches continuation_log_prob."""

import zlib

import numpy as np
import pyarrow as pa
import pytest
import torch

from filters import get_filter
from metrics.likelihood import greedy_match
from tests.batches import batch_of
from utils.core.resources import Resources
from utils.data.splits import Split
from utils.pipeline.fused_pass import FusedPass
from utils.runtime.model_settings import ExtractionSettings, ModelSettings
from utils.runtime.models import ModelHandle, model_for_split


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


def test_padding_in_a_batch_changes_no_row_and_an_empty_text_has_no_zlib_ratio(tiny_model_dir, tiny_model):
    """Rows of different lengths share one right-padded forward pass: each row's loss is its own model loss alone."""
    rng = np.random.default_rng(3)
    rows = [rng.integers(2, 97, n).tolist() for n in (64, 35, 50)]
    batch = batch_of(rows).append_column("text", pa.array(["abc", "", None]))
    handle = ModelHandle(str(tiny_model_dir), None, "cpu", "float32", 3, None, 0.2)
    out = get_filter("likelihood")(Resources(model=handle)).compute(batch)
    with torch.inference_mode():
        losses = [float(tiny_model(input_ids=torch.tensor([r]), labels=torch.tensor([r])).loss) for r in rows]
    assert out["loss"].tolist() == pytest.approx(losses, rel=1e-5)
    assert np.isnan(out["continuation_log_prob"][1:]).all() and not np.isnan(out["continuation_log_prob"][0])  # < 64 tokens
    assert out["zlib_likelihood_ratio"][0] == pytest.approx(losses[0] / len(zlib.compress(b"abc")), rel=1e-5)
    assert np.isnan(out["zlib_likelihood_ratio"][1:]).all()  # no text, no compressed size to divide by
