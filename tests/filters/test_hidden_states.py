"""hidden_states through the fused pass: alone or after likelihood (one forward pass, shared), the same columns; short
rows null; its settings checked."""

import numpy as np
import pyarrow as pa
import pytest
import torch

from filters import get_filter
from filters.hidden_states import Capture, HiddenStatesSettings
from metrics.hidden_states import projection_matrix
from tests.batches import batch_of
from utils.core.errors import ConfigError
from utils.core.resources import Resources
from utils.pipeline.fused_pass import FusedPass
from utils.runtime.models import ModelHandle


def run(names, rows, handle, capture):
    filters = tuple(get_filter(name) for name in names)
    batch = batch_of(rows).append_column("text", pa.array(["x"] * len(rows)))
    schema = pa.schema([*batch.schema, *[field for cls in filters for field in cls.adds]])
    resources = Resources(model=handle, hidden_state_capture=capture)
    return FusedPass(filters, resources, schema, "test", "null", 97).process(batch, [cls(resources) for cls in filters]).to_pydict()


class CountingForward:
    """Counts a module's forward calls."""

    def __init__(self, model):
        self.calls = 0
        self.handle = model.register_forward_pre_hook(self.count)

    def count(self, module, args):
        self.calls += 1


def test_alone_or_after_likelihood_the_same_columns_from_one_forward_pass(tiny_model_dir, tiny_model):
    rng = np.random.default_rng(4)
    rows = [rng.integers(1, 97, 64).tolist() for _ in range(4)] + [rng.integers(1, 97, 40).tolist(), rng.integers(1, 97, 20).tolist()]
    handle = ModelHandle(str(tiny_model_dir), None, "cpu", "float32", 4, 4, 0.2)
    capture = Capture(("first", "last", "0"), dim=8, seed=5, attention=True)
    model = handle.get().model
    counter = CountingForward(model.base_model)  # the body: run by the likelihood pass and by the filter alone
    try:
        alone = run(["hidden_states"], rows, handle, capture)
        calls_alone = counter.calls
        counter.calls = 0
        shared = run(["likelihood", "hidden_states"], rows, handle, capture)
        calls_shared = counter.calls
    finally:
        counter.handle.remove()
    assert calls_shared == calls_alone == 2  # batches of 4 rows: 2 forward passes, the likelihood's shared
    assert model.config._attn_implementation != "eager"  # restored after the pass
    assert alone["hidden_layers"][0] == [1, 2, 0]
    for name in ("hidden_prompt_last", "hidden_continuation_mean", "attention_entropy", "attention_first_token_share"):
        for a, b in zip(alone[name], shared[name]):
            assert (a is None) == (b is None)
            if a is not None:
                assert np.allclose(np.array(a, dtype=float), np.array(b, dtype=float), atol=1e-5, equal_nan=True), name
    # against the model directly: row 0's state at the last prompt token, first block, projected with the same seed
    with torch.inference_mode():
        states = tiny_model(input_ids=torch.tensor([rows[0]]), output_hidden_states=True).hidden_states[1][0]
    expected = states[31].numpy() @ projection_matrix(32, 8, seed=5)
    assert np.allclose(alone["hidden_prompt_last"][0][0], expected, atol=1e-5)
    assert alone["hidden_continuation_mean"][5] is None and alone["hidden_prompt_last"][5] is None  # 20 tokens
    assert alone["hidden_prompt_last"][4] is not None and alone["attention_entropy"][4][2] is None  # layer 0: no attention
    assert shared["loss"][0] is not None


def test_without_attention_the_attention_columns_are_null(tiny_model_dir):
    handle = ModelHandle(str(tiny_model_dir), None, "cpu", "float32", 4, 4, 0.2)
    out = run(["hidden_states"], [list(range(1, 65))], handle, Capture(("last",), dim=128, seed=0, attention=False))
    assert len(out["hidden_prompt_last"][0][0]) == 32  # narrower than dim: kept whole
    assert out["attention_entropy"] == [None] and out["attention_prompt_share"] == [None]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"layers": ["first", "deepest"]}, "hidden_states.layers must list first, middle, last or block numbers"),
        ({"dim": 0}, "hidden_states.dim must be a positive whole number"),
        ({"attention": "yes"}, "attention a boolean"),
    ],
)
def test_settings_are_checked(raw, message):
    from utils.core.settings import parse_settings

    with pytest.raises(ConfigError, match=message):
        parse_settings(HiddenStatesSettings, raw, "hidden_states").check()
