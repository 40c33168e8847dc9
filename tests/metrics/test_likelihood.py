"""Likelihood kernels against the model's own loss, a hand loop, and straightforward reference code."""

import math

import numpy as np
import pytest
import torch

from metrics.likelihood import (
    Sampler,
    continuation_to_eos,
    exact_prefix_length,
    greedy_match,
    sequence_scores,
    token_statistics,
    zlib_likelihood_ratio,
)


def scores_of(model, rows: list[list[int]], k=0.2):
    lengths = torch.tensor([len(r) for r in rows])
    width = int(lengths.max())
    ids = torch.tensor([r + [0] * (width - len(r)) for r in rows])
    mask = (torch.arange(width)[None, :] < lengths[:, None]).long()
    with torch.inference_mode():
        logits = model(input_ids=ids, attention_mask=mask).logits
    return sequence_scores(token_statistics(logits, ids), lengths, k)


def hand_log_probs(model, row):
    """log p_t for t = 1..T-1 by a plain loop, float64 softmax per position."""
    with torch.inference_mode():
        logits = model(input_ids=torch.tensor([row])).logits[0].double()
    out = []
    for t in range(1, len(row)):
        distribution = torch.log_softmax(logits[t - 1], dim=-1)
        out.append(float(distribution[row[t]]))
    return np.array(out), torch.softmax(logits[:-1], dim=-1).numpy()


@pytest.fixture(scope="module")
def rows():
    rng = np.random.default_rng(0)
    return [rng.integers(0, 97, 64).tolist() for _ in range(3)] + [rng.integers(0, 97, 40).tolist()]


def test_sequence_perplexity_equals_the_models_own_loss(tiny_model, rows):
    scores = scores_of(tiny_model, rows)
    for i, row in enumerate(rows):
        ids = torch.tensor([row])
        with torch.inference_mode():
            expected = math.exp(float(tiny_model(input_ids=ids, labels=ids).loss))
        assert float(scores["sequence_perplexity"][i]) == pytest.approx(expected, rel=1e-5)  # padded row 3 too


def test_prompt_and_generation_perplexity_by_hand(tiny_model, rows):
    scores = scores_of(tiny_model, rows)
    for i, row in enumerate(rows):
        log_probs, _ = hand_log_probs(tiny_model, row)
        # log_probs[j] is t = j + 1: prompt t = 1..31, generation t = 32..T-1, each over its own count
        assert float(scores["prompt_perplexity"][i]) == pytest.approx(math.exp(-log_probs[:31].mean()), rel=1e-5)
        assert float(scores["generation_perplexity"][i]) == pytest.approx(math.exp(-log_probs[31:].mean()), rel=1e-5)
        assert float(scores["loss"][i]) == pytest.approx(-log_probs.mean(), rel=1e-5)


@pytest.mark.parametrize("k", [0.2, 0.5, 1.0])
def test_min_k_and_min_k_plus_plus_against_reference_code(tiny_model, rows, k):
    scores = scores_of(tiny_model, rows, k)
    for i, row in enumerate(rows):
        log_probs, probs = hand_log_probs(tiny_model, row)
        count = max(1, int(len(log_probs) * k))  # as the Min-K% authors' code and MIMIR
        assert float(scores["min_k_prob"][i]) == pytest.approx(np.sort(log_probs)[:count].mean(), rel=1e-5)
        log_p = np.log(probs)
        mu = (probs * log_p).sum(-1)
        sigma = np.sqrt((probs * log_p**2).sum(-1) - mu**2)
        z = (log_probs - mu) / sigma
        assert float(scores["min_k_plus_plus"][i]) == pytest.approx(np.sort(z)[:count].mean(), rel=1e-4)
        entropy = -(probs * log_p).sum(-1).mean()
        assert float(scores["mean_token_entropy"][i]) == pytest.approx(entropy, rel=1e-5)


def test_short_rows_and_zlib_ratio():
    scores = sequence_scores(
        {"log_prob": torch.tensor([[-1.0, -3.0]]), "z": torch.zeros(1, 2), "entropy": torch.ones(1, 2)}, torch.tensor([3]), 0.2
    )
    assert float(scores["loss"][0]) == 2.0 and math.isnan(float(scores["generation_perplexity"][0]))  # no t >= 32
    assert float(scores["min_k_prob"][0]) == -3.0  # floor(0.2 * 2) = 0, at least 1 lowest
    nine = sequence_scores(
        {"log_prob": -torch.arange(1.0, 10.0)[None], "z": torch.zeros(1, 9), "entropy": torch.ones(1, 9)}, torch.tensor([10]), 0.2
    )
    assert float(nine["min_k_prob"][0]) == -9.0  # floor(0.2 * 9) = 1 lowest (ceil would average the 2 lowest: -8.5)
    ratio = zlib_likelihood_ratio(torch.tensor([2.0, 1.0], dtype=torch.float64), torch.tensor([4.0, 0.0], dtype=torch.float64))
    assert ratio[0] == 0.5 and math.isnan(ratio[1])


def test_greedy_match_equals_generate(tiny_model, rows):
    ids = torch.tensor(rows[:3])
    with torch.inference_mode():
        scores = greedy_match(tiny_model, ids[:, :32], ids[:, 32:])
        tiny_model.generation_config.eos_token_id = None  # score all 32 tokens; EOS must not stop generation
        generated = tiny_model.generate(
            ids[:, :32], attention_mask=torch.ones_like(ids[:, :32]), max_new_tokens=32, do_sample=False, pad_token_id=1
        )
    expected = generated[:, 32:] == ids[:, 32:]
    assert scores.tolist() == expected.tolist()
    # A row that is the model's own greedy continuation matches everywhere: score 1.0, exact prefix 32.
    own = torch.cat([ids[:1, :32], generated[:1, 32:]], dim=1)
    with torch.inference_mode():
        matches = greedy_match(tiny_model, own[:, :32], own[:, 32:])
    assert matches.double().mean(-1).tolist() == [1.0] and exact_prefix_length(matches).tolist() == [32]
    # Change the own continuation at position 5: greedy reproduces exactly 5 leading tokens, whatever follows.
    broken = own.clone()
    broken[0, 37] = (broken[0, 37] + 1) % 97
    with torch.inference_mode():
        assert exact_prefix_length(greedy_match(tiny_model, broken[:, :32], broken[:, 32:])).tolist() == [5]


def test_exact_prefix_length_by_hand():
    matches = torch.tensor([[True, True, False, True], [False, True, True, True], [True] * 4, [True, True, True, False]])
    assert exact_prefix_length(matches).tolist() == [2, 0, 4, 3]


def mimir_scores(logits: torch.Tensor, ids: torch.Tensor, k: float) -> dict[str, np.ndarray]:
    """MIMIR's formulas (mimir/attacks/min_k.py, min_k_plus_plus.py), float64, written out independently of ours.

    MIMIR returns -mean for its attack score; we keep the mean of the lowest K (the same ranking, sign flipped).
    """
    out = {"min_k_prob": [], "min_k_plus_plus": [], "continuation_log_prob": []}
    for row_logits, row_ids in zip(logits.double(), ids):
        log_probs = torch.log_softmax(row_logits[:-1], dim=-1)
        probs = log_probs.exp()
        token_log_probs = log_probs.gather(-1, row_ids[1:, None]).squeeze(-1)
        mu = (probs * log_probs).sum(-1)
        sigma = (probs * torch.square(log_probs)).sum(-1) - torch.square(mu)
        z = ((token_log_probs - mu) / sigma.sqrt()).numpy()
        all_prob = token_log_probs.numpy()
        k_length = max(1, int(len(all_prob) * k))
        out["min_k_prob"].append(np.mean(np.sort(all_prob)[:k_length]))
        out["min_k_plus_plus"].append(np.mean(np.sort(z)[:k_length]))
        out["continuation_log_prob"].append(all_prob[31:63].sum())  # t = 32..63: a plain log_softmax + gather
    return {name: np.array(values) for name, values in out.items()}


@pytest.mark.parametrize("k", [0.05, 0.2, 0.5])
def test_min_k_and_continuation_log_prob_equal_mimir_formulas_to_1e_6(k):
    generator = torch.Generator().manual_seed(3)
    logits = torch.randn(4, 64, 97, generator=generator, dtype=torch.float64).mul(3).float()
    ids = torch.randint(0, 97, (4, 64), generator=generator)
    ours = sequence_scores(token_statistics(logits, ids), torch.full((4,), 64), k)
    expected = mimir_scores(logits, ids, k)
    for name, values in expected.items():
        np.testing.assert_allclose(ours[name].numpy(), values, rtol=1e-6, atol=1e-6, err_msg=name)


def warped_log_probs(logits: torch.Tensor, ids: torch.Tensor, temperature: float, top_k: int | None) -> torch.Tensor:
    """log P(x_t) under Hugging Face's own sampling warpers (temperature, then top-k), float64."""
    from transformers.generation.logits_process import TemperatureLogitsWarper, TopKLogitsWarper

    scores = logits[:, :-1].double().reshape(-1, logits.shape[-1])
    scores = TemperatureLogitsWarper(temperature)(None, scores)
    if top_k is not None:
        scores = TopKLogitsWarper(top_k)(None, scores)
    log_p = torch.log_softmax(scores, dim=-1).reshape(*logits[:, :-1].shape)
    return log_p.gather(-1, ids[:, 1:, None]).squeeze(-1)


@pytest.mark.parametrize(("temperature", "top_k"), [(1.0, None), (0.7, None), (1.3, 40), (1.0, 5), (0.5, 1), (1.0, 500)])
@pytest.mark.parametrize("chunk_elements", [97 * 5, 1 << 30])
def test_continuation_log_prob_under_a_sampler_equals_hugging_face_warpers(temperature, top_k, chunk_elements):
    generator = torch.Generator().manual_seed(5)
    logits = torch.randn(3, 64, 97, generator=generator) * 3
    ids = torch.randint(0, 97, (3, 64), generator=generator)
    ids[0, 32:] = logits[0, 31:63].argmax(-1)  # row 0: the greedy continuation, inside every top-k
    stats = token_statistics(logits, ids, chunk_elements, Sampler(temperature, top_k))
    ours = sequence_scores(stats, torch.full((3,), 64), 0.2)["continuation_log_prob"]
    expected = warped_log_probs(logits, ids, temperature, top_k)[:, 31:].sum(-1)
    assert torch.isfinite(ours[0])
    np.testing.assert_allclose(ours.numpy(), expected.numpy(), rtol=1e-6, atol=1e-5)  # -inf where a token is outside top k
    if top_k is not None and top_k < 10:
        assert ours[1] == -math.inf  # a random continuation leaves the top 5 somewhere in 32 tokens


def test_continuation_log_prob_is_null_for_short_rows():
    generator = torch.Generator().manual_seed(6)
    logits = torch.randn(2, 64, 97, generator=generator)
    ids = torch.randint(0, 97, (2, 64), generator=generator)
    scores = sequence_scores(token_statistics(logits, ids), torch.tensor([64, 63]), 0.2)["continuation_log_prob"]
    assert math.isfinite(scores[0]) and math.isnan(scores[1])
    narrow = sequence_scores(token_statistics(logits[:, :40], ids[:, :40]), torch.tensor([40, 40]), 0.2)
    assert narrow["continuation_log_prob"].isnan().all()


@pytest.mark.parametrize("chunk_elements", [1, 97 * 7, 97 * 64, 1 << 30])
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_token_statistics_do_not_depend_on_chunking_or_touch_the_logits(chunk_elements, dtype):
    """Chunks of one position, of 7 (not dividing 3 x 12 positions), of a row, and all at once."""
    generator = torch.Generator().manual_seed(1)
    logits = (torch.randn(3, 12, 97, generator=generator) * 4).to(dtype)
    ids = torch.randint(0, 97, (3, 12), generator=generator)
    original = logits.clone()
    stats = token_statistics(logits, ids, chunk_elements)
    assert torch.equal(logits, original)
    log_p = torch.log_softmax(logits.double(), dim=-1)[:, :-1]  # straightforward float64 reference
    p = log_p.exp()
    mu = (p * log_p).sum(-1)
    sigma = ((p * log_p**2).sum(-1) - mu**2).sqrt()
    target = log_p.gather(-1, ids[:, 1:, None]).squeeze(-1)
    assert stats["log_prob"].shape == (3, 11)
    torch.testing.assert_close(stats["log_prob"].double(), target, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(stats["z"].double(), (target - mu) / sigma, rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(stats["entropy"].double(), -mu, rtol=1e-5, atol=1e-5)


def test_token_statistics_of_no_rows():
    stats = token_statistics(torch.zeros(0, 64, 97), torch.zeros(0, 64, dtype=torch.long))
    assert all(value.shape == (0, 63) for value in stats.values())


def test_continuation_to_eos_sums_up_to_the_first_end_of_text_and_nulls_short_rows():
    log_prob = -torch.arange(1, 64, dtype=torch.float32).repeat(3, 1) / 100  # column j is t = j + 1: log p_t = -t / 100
    ids = torch.ones(3, 64, dtype=torch.long)
    ids[0, 40] = ids[0, 50] = 0  # the first end-of-text of the continuation is at t = 40
    out = continuation_to_eos(log_prob, ids, torch.tensor([64, 64, 50]), (0,))
    expected = -sum(range(32, 41)) / 100, -sum(range(32, 64)) / 100  # t = 32..40; no end-of-text: all of t = 32..63
    assert out["to_eos"][:2].tolist() == pytest.approx(expected, rel=1e-6) and math.isnan(out["to_eos"][2])
    assert out["has_eos"][:2].tolist() == [True, False]
    assert out["to_eos"][1] == pytest.approx(
        float(
            sequence_scores({"log_prob": log_prob, "z": log_prob, "entropy": log_prob}, torch.tensor([64, 64, 50]), 0.2)[
                "continuation_log_prob"
            ][1]
        )
    )
    assert math.isnan(continuation_to_eos(log_prob, ids, torch.tensor([64, 64, 64]), ())["to_eos"][0])  # no end-of-text id


def test_continuation_to_eos_is_the_rate_at_which_a_sampler_that_stops_at_end_of_text_reproduces_the_row():
    """A bigram model whose probabilities are known; 20,000 samples drawn token by token, stopping at end-of-text (0)."""
    generator = torch.Generator().manual_seed(7)
    row = [int(t) for t in torch.randint(1, 6, (32,), generator=generator)] + [3, 5, 0, 2, 4] + [1] * 27
    table = torch.randn(6, 6, generator=generator) * 0.5  # logits of the next token given the previous one
    for previous, following in ((row[31], 3), (3, 5), (5, 0)):
        table[previous, following] += 2.0  # a likely path, so that 20,000 samples measure its probability well
    ids = torch.tensor([row])
    stats = token_statistics(table[ids], ids)
    p = math.exp(float(continuation_to_eos(stats["log_prob"], ids, torch.tensor([64]), (0,))["to_eos"][0]))
    samples, wanted = 20_000, torch.tensor([3, 5, 0])
    previous = torch.full((samples,), row[31])
    matched = torch.ones(samples, dtype=torch.bool)
    for step in range(3):  # a sample reproduces the row iff it draws 3, 5, then 0 (and stops there)
        drawn = torch.multinomial(torch.softmax(table[previous], -1), 1, generator=generator).squeeze(1)
        matched &= drawn == wanted[step]
        previous = drawn
    rate = float(matched.double().mean())
    assert abs(rate - p) < 4 * math.sqrt(p * (1 - p) / samples) and p > 0.05
    plain = float(sequence_scores(stats, torch.tensor([64]), 0.2)["continuation_log_prob"][0])
    assert plain < math.log(p) - 5  # the non-stopping figure asks for 29 more tokens a stopping sampler never draws
