"""Likelihood-based scores from one forward pass (docs/METRICS.md, 'Likelihood').

log p_t = log softmax(logits_{t-1})[x_t] for t = 1..T-1, in float32 whatever the model's dtype.
Per row: `loss` = -mean log p_t; `sequence_perplexity` = exp(loss); `prompt_perplexity` over
t = 1..31 and `generation_perplexity` over t = 32..T-1, each divided by its own token count (the
reference divided both halves by 63); Min-K% Prob (Shi et al. 2023): mean of the K = max(1, floor(k*N))
lowest log p_t (the authors' code and MIMIR take int(N * k)); Min-K%++ (Zhang et al. 2024): the same over
z_t = (log p_t - mu_t) / sigma_t with mu_t and
sigma_t^2 the mean and variance of log p under p; `mean_token_entropy`: mean of -sum_v p_v log p_v.
`continuation_log_prob` (Hayes et al. 2024, probabilistic discoverable extraction): sum_{t=32..63} of the
log-probability that the sampler (temperature, top-k; plain softmax by default) draws x_t, teacher-forced; it assumes
a sampler that does not stop at end-of-text; `continuation_to_eos` gives the stopping sampler's.
Rows are right-padded; `lengths` says how many tokens of each row are real.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass

import torch

from metrics.token_windows import CONTINUATION_TOKENS, PROMPT_TOKENS

# Logits per chunk of `token_statistics`: on a CPU large enough to amortize per-op dispatch, on a GPU few
# launches for 3 x 128 MiB of scratch (measurements: benchmarks/RESULTS.md).
CHUNK_ELEMENTS_CPU = 1 << 20
CHUNK_ELEMENTS_GPU = 1 << 25


@dataclass(frozen=True)
class Sampler:
    """How extraction samples the next token: softmax(logits / temperature) over the top_k logits (None: all).

    As Hugging Face's TopKLogitsWarper, a logit equal to the k-th largest is kept.
    """

    temperature: float = 1.0
    top_k: int | None = None

    @property
    def is_plain(self) -> bool:
        return self.temperature == 1.0 and self.top_k is None


def token_statistics(
    logits: torch.Tensor, input_ids: torch.Tensor, chunk_elements: int | None = None, sampler: Sampler | None = None
) -> dict[str, torch.Tensor]:
    """(rows, T-1) float32 tensors: log p_t, the Min-K%++ z_t, and the entropy of each predicted position.

    With a `sampler` other than the plain softmax, also `sampler_log_prob`: the log-probability that it
    draws x_t (-inf where x_t is outside the top k), from the same chunks.

    Works through the (rows * T, vocabulary) logits, a view, in chunks of about `chunk_elements` logits
    with two reused float32 buffers and one exp per logit. A chunk yields four sums per position: with
    s = logit - max and e = exp(s), Z = sum e, sum e*s, sum e*s^2 and s of the target; the per-position
    scalars then follow for all positions at once (mu_t = E_p[s] - log Z, sigma_t^2 = Var_p[s]). The last
    position of each row predicts nothing; it is computed with a placeholder target and dropped, which
    costs 1/T of the work where slicing it off first would copy every logit.
    """
    rows, length, vocab = logits.shape
    flat = logits.reshape(rows * length, vocab)
    targets = torch.cat([input_ids[:, 1:], input_ids[:, :1]], dim=1).reshape(-1, 1)  # last column: placeholder
    if chunk_elements is None:
        chunk_elements = CHUNK_ELEMENTS_GPU if logits.is_cuda else CHUNK_ELEMENTS_CPU
    step = max(1, min(len(flat), chunk_elements // vocab))
    shifted = torch.empty(step, vocab, dtype=torch.float32, device=logits.device)
    weights = torch.empty_like(shifted)
    sums = torch.empty(4, len(flat), dtype=torch.float32, device=logits.device)  # Z, sum e*s, sum e*s^2, s_target
    sampled = sampler is not None and not sampler.is_plain
    if sampled:
        top_k = min(sampler.top_k or vocab, vocab)
        sampler_sums = torch.empty(2, len(flat), dtype=torch.float32, device=logits.device)  # Z of the sampler, target kept
    for first in range(0, len(flat), step):
        part = slice(first, first + step)
        chunk = flat[part].float()  # a copy only for bf16/fp16 logits
        s, e = shifted[: len(chunk)], weights[: len(chunk)]
        torch.sub(chunk, chunk.amax(-1, keepdim=True), out=s)  # s_v = logit_v - max; log p_v = s_v - log Z
        if sampled:  # before e is reused below: Z' = sum over the kept v of exp(s_v / temperature)
            torch.div(s, sampler.temperature, out=e)
            e.exp_()
            if top_k < vocab:
                kth = torch.topk(s, top_k, dim=-1, sorted=False).values.amin(-1, keepdim=True)
                e.masked_fill_(s < kth, 0.0)
                sampler_sums[1, part] = (s.gather(-1, targets[part]) >= kth).squeeze(-1)
            else:
                sampler_sums[1, part] = 1.0
            torch.sum(e, -1, out=sampler_sums[0, part])
        torch.exp(s, out=e)
        torch.sum(e, -1, out=sums[0, part])
        torch.sum(e.mul_(s), -1, out=sums[1, part])
        torch.sum(e.mul_(s), -1, out=sums[2, part])
        torch.gather(s, -1, targets[part], out=sums[3, part, None])
    total, weighted, weighted_square, target_shifted = sums.double()
    first_moment, log_total = weighted / total, total.log()  # E_p[s], log Z
    mean = first_moment - log_total  # mu_t = E_p[log p] = -entropy
    # sigma_t^2 = Var_p[log p] = Var_p[s]: s is shifted by the max, so E[s^2] - E[s]^2 cancels little
    sigma = (weighted_square / total - first_moment.square()).clamp_min(0).sqrt()
    target = target_shifted - log_total
    per_position = torch.stack([target, (target - mean) / sigma.clamp_min(1e-12), -mean]).float()
    out = dict(zip(("log_prob", "z", "entropy"), per_position.view(3, rows, length)[:, :, :-1]))
    if sampled:
        sampler_total, kept = sampler_sums.double()
        drawn = target_shifted / sampler.temperature - sampler_total.log()
        drawn = torch.where(kept > 0, drawn, torch.full_like(drawn, -math.inf))
        out["sampler_log_prob"] = drawn.float().view(rows, length)[:, :-1]
    return out


def sequence_scores(stats: dict[str, torch.Tensor], lengths: torch.Tensor, k: float) -> dict[str, torch.Tensor]:
    """Per-row scores (float64) from `token_statistics` of right-padded rows of `lengths` tokens."""
    log_prob = stats["log_prob"].double()
    positions = torch.arange(1, log_prob.shape[1] + 1, device=log_prob.device)  # t of each column
    valid = positions[None, :] < lengths[:, None]
    prompt = valid & (positions[None, :] < PROMPT_TOKENS)
    generation = valid & (positions[None, :] >= PROMPT_TOKENS)
    loss = -_masked_mean(log_prob, valid)
    out = {
        "loss": loss,
        "sequence_perplexity": loss.exp(),
        "prompt_perplexity": (-_masked_mean(log_prob, prompt)).exp(),
        "generation_perplexity": (-_masked_mean(log_prob, generation)).exp(),
        "min_k_prob": _lowest_k_mean(log_prob, valid, k),
        "min_k_plus_plus": _lowest_k_mean(stats["z"].double(), valid, k),
        "mean_token_entropy": _masked_mean(stats["entropy"].double(), valid),
        "continuation_log_prob": continuation_log_prob(stats.get("sampler_log_prob", stats["log_prob"]), lengths),
    }
    return out


def continuation_log_prob(log_prob: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """sum_{t=32..63} log p_t (float64) of rows with at least 64 tokens, NaN for shorter rows.

    `log_prob[:, j]` is position t = j + 1. The probability that one sample reproduces x[32:64] given x[0:32].
    """
    first, last = PROMPT_TOKENS - 1, PROMPT_TOKENS + CONTINUATION_TOKENS - 1  # columns of t = 32 and t = 64
    if log_prob.shape[1] < last:
        return torch.full((log_prob.shape[0],), math.nan, dtype=torch.float64, device=log_prob.device)
    total = log_prob[:, first:last].double().sum(-1)
    return torch.where(lengths >= PROMPT_TOKENS + CONTINUATION_TOKENS, total, torch.full_like(total, math.nan))


def continuation_to_eos(log_prob: torch.Tensor, input_ids: torch.Tensor, lengths: torch.Tensor, eos_ids: tuple[int, ...]) -> dict:
    """For rows of at least 64 tokens: whether x[32:64] holds an end-of-text token, and the log-probability that a
    sampler which stops at end-of-text (`generate()`'s default) reproduces the continuation up to and including its
    first one: sum_{t=32..e} log p_t, e the first end-of-text position (63 when there is none, where it equals
    `continuation_log_prob`). Such a sampler never emits the tokens after e, so for a row with an end-of-text this,
    not `continuation_log_prob`, is the probability that one sample reproduces what it can. NaN / null for shorter
    rows, and when the model names no end-of-text token (`eos_ids` empty).
    """
    rows = log_prob.shape[0]
    first, last = PROMPT_TOKENS - 1, PROMPT_TOKENS + CONTINUATION_TOKENS - 1  # columns of t = 32 and t = 64
    complete = lengths >= PROMPT_TOKENS + CONTINUATION_TOKENS
    if log_prob.shape[1] < last or not eos_ids:
        return {"to_eos": torch.full((rows,), math.nan, dtype=torch.float64, device=log_prob.device), "has_eos": None}
    continuation = input_ids[:, PROMPT_TOKENS : PROMPT_TOKENS + CONTINUATION_TOKENS]
    is_eos = torch.isin(continuation, torch.tensor(eos_ids, device=continuation.device))
    has_eos = is_eos.any(-1)
    stop = torch.where(has_eos, is_eos.int().argmax(-1), torch.full_like(has_eos, CONTINUATION_TOKENS - 1, dtype=torch.long))
    kept = torch.arange(CONTINUATION_TOKENS, device=log_prob.device)[None, :] <= stop[:, None]
    total = torch.where(kept, log_prob[:, first:last].double(), torch.zeros((), dtype=torch.float64, device=log_prob.device)).sum(-1)
    return {"to_eos": torch.where(complete, total, torch.full_like(total, math.nan)), "has_eos": has_eos}


def _masked_mean(values: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    count = mask.sum(-1)
    total = torch.where(mask, values, torch.zeros_like(values)).sum(-1)
    return torch.where(count > 0, total / count.clamp_min(1), torch.full_like(total, math.nan))


def _lowest_k_mean(values: torch.Tensor, mask: torch.Tensor, k: float) -> torch.Tensor:
    """Mean of the max(1, floor(k * N)) smallest valid values of each row (N = its valid count)."""
    count = mask.sum(-1)
    keep = torch.floor(k * count.double()).long().clamp(min=1)
    ordered = torch.where(mask, values, torch.full_like(values, math.inf)).sort(dim=-1).values
    rank = torch.arange(values.shape[1], device=values.device)[None, :]
    chosen = rank < keep[:, None]
    total = torch.where(chosen, ordered, torch.zeros_like(ordered)).sum(-1)
    return torch.where(count > 0, total / keep, torch.full_like(total, math.nan))


def zlib_likelihood_ratio(loss: torch.Tensor, zlib_bytes: torch.Tensor) -> torch.Tensor:
    """loss / zlib-compressed length of the text in bytes (Carlini et al. 2021, MIMIR's form)."""
    return torch.where(zlib_bytes > 0, loss / zlib_bytes.clamp_min(1), torch.full_like(loss, math.nan))


def greedy_match(model, prompts: torch.Tensor, continuations: torch.Tensor) -> torch.Tensor:
    """Per continuation token, whether greedy decoding of the prompts (with a KV cache) reproduces it (bool).

    Biderman et al. 2023: M = mean_j 1[g_j = x_{32+j}] is its row mean. Every row of the batch has the same prompt and
    continuation length, so no padding is needed; EOS does not stop generation (a fixed-length score).
    """
    new_tokens = continuations.shape[1]
    # Only the last position's logits are needed; projecting the others onto the vocabulary is a third
    # (160m) to over half (70m) of a small Pythia's prompt pass. Models without `logits_to_keep` do it anyway.
    last_only = {"logits_to_keep": 1} if "logits_to_keep" in inspect.signature(model.forward).parameters else {}
    output = model(input_ids=prompts, use_cache=True, **last_only)
    generated = []
    for step in range(new_tokens):
        token = output.logits[:, -1].argmax(-1)
        generated.append(token)
        if step + 1 < new_tokens:
            output = model(input_ids=token[:, None], past_key_values=output.past_key_values, use_cache=True)
    greedy = torch.stack(generated, dim=1)
    return greedy == continuations


def exact_prefix_length(matches: torch.Tensor) -> torch.Tensor:
    """Leading continuation tokens that greedy decoding reproduces before its first mismatch (int64, 0..width)."""
    return matches.long().cumprod(dim=-1).sum(-1)
