"""Hidden-state and attention summaries against a direct `output_hidden_states` / `output_attentions` forward of the
tiny GPT-NeoX and a hand loop; the projection is the same in another process and changes with its seed."""

import math
import subprocess
import sys

import numpy as np
import pytest
import torch

from metrics.hidden_states import attention_summaries, hidden_summaries, layer_indices, projection_matrix
from tests.conftest import ROOT


def test_layer_names_and_numbers_resolve_against_the_model_depth():
    assert layer_indices(["first", "middle", "last"], 6) == [1, 3, 6]
    assert layer_indices(["first", "middle", "last"], 1) == [1]  # one block: named three times, kept once
    assert layer_indices([0, 2, -1, -7], 6) == [0, 2, 6]
    with pytest.raises(ValueError, match="layer 7 is outside a model of 6 blocks"):
        layer_indices([7], 6)


def test_the_projection_is_the_same_in_another_process_and_changes_with_the_seed():
    here = projection_matrix(512, 128, seed=3)
    code = (
        "from metrics.hidden_states import projection_matrix; import sys; sys.stdout.buffer.write(projection_matrix(512, 128, 3).tobytes())"
    )
    there = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, check=True).stdout
    assert here.dtype == np.float32 and here.shape == (512, 128) and here.tobytes() == there
    assert not np.array_equal(here, projection_matrix(512, 128, seed=4))
    assert projection_matrix(128, 128, seed=3) is None  # not wider than dim: kept whole
    assert abs(float((here**2).sum(0).mean()) - 512 / 128) < 0.1  # E|column|^2 = width / dim: norms kept on average


def forward(model, rows):
    lengths = torch.tensor([len(r) for r in rows])
    ids = torch.tensor([r + [0] * (int(lengths.max()) - len(r)) for r in rows])
    mask = (torch.arange(ids.shape[1])[None, :] < lengths[:, None]).long()
    previous = model.config._attn_implementation
    model.set_attn_implementation("eager")  # the only implementation that returns attention weights
    try:
        with torch.inference_mode():
            output = model(input_ids=ids, attention_mask=mask, output_hidden_states=True, output_attentions=True)
    finally:
        model.set_attn_implementation(previous)
    return output, lengths


def test_states_equal_a_direct_output_hidden_states_forward_row_by_row(tiny_model):
    rng = np.random.default_rng(2)
    rows = [rng.integers(1, 97, 64).tolist(), rng.integers(1, 97, 40).tolist(), rng.integers(1, 97, 20).tolist()]
    output, lengths = forward(tiny_model, rows)
    matrix = torch.from_numpy(projection_matrix(32, 8, seed=1))  # the tiny model is 32 wide: projected to 8
    prompt_last, continuation_mean = hidden_summaries(output.hidden_states, lengths, [0, 1, 2], matrix)
    assert prompt_last.shape == continuation_mean.shape == (3, 3, 8)
    for i, row in enumerate(rows):
        with torch.inference_mode():
            alone = tiny_model(input_ids=torch.tensor([row]), output_hidden_states=True).hidden_states  # no padding
        for j, layer in enumerate([0, 1, 2]):
            states = alone[layer][0] @ matrix
            if len(row) >= 32:
                assert torch.allclose(prompt_last[i, j], states[31], atol=1e-5)
            else:
                assert torch.isnan(prompt_last[i, j]).all()
            if len(row) > 32:
                assert torch.allclose(continuation_mean[i, j], states[32:].mean(0), atol=1e-5)
            else:
                assert torch.isnan(continuation_mean[i, j]).all()
    whole, _ = hidden_summaries(output.hidden_states, lengths, [2], None)
    assert whole.shape == (3, 1, 32) and torch.allclose(whole[0, 0], output.hidden_states[2][0, 31], atol=0)


def test_attention_summaries_equal_a_hand_loop(tiny_model):
    rng = np.random.default_rng(3)
    rows = [rng.integers(1, 97, 64).tolist(), rng.integers(1, 97, 50).tolist(), rng.integers(1, 97, 30).tolist()]
    output, lengths = forward(tiny_model, rows)
    out = attention_summaries(output.attentions, lengths, [0, 1, 2])
    for i, row in enumerate(rows):
        for j, layer in enumerate([0, 1, 2]):
            if layer == 0 or len(row) <= 32:
                assert all(math.isnan(float(out[name][i, j])) for name in out)
                continue
            weights = output.attentions[layer - 1][i].double()  # (heads, T, T)
            entropy, prompt, continuation, first = [], [], [], []
            for q in range(32, len(row)):
                for h in range(weights.shape[0]):
                    a = [float(weights[h, q, k]) for k in range(len(row))]
                    entropy.append(-sum(x * math.log(x) for x in a if x > 0))
                    prompt.append(sum(a[:32]))
                    continuation.append(sum(a[32 : q + 1]))
                    first.append(a[0])
            expected = {"entropy": entropy, "prompt_share": prompt, "continuation_share": continuation, "first_token_share": first}
            for name, values in expected.items():
                assert float(out[name][i, j]) == pytest.approx(sum(values) / len(values), rel=1e-6, abs=1e-7), name
            assert float(out["prompt_share"][i, j] + out["continuation_share"][i, j]) == pytest.approx(1.0, abs=1e-6)
