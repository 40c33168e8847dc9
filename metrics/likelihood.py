"""Likelihood-based scores from one forward pass (METRICS.md, 'Likelihood').

log p_t = log softmax(logits_{t-1})[x_t] for t = 1..T-1, in float32 whatever the model's dtype.
Per row: `loss` = -mean log p_t; `sequence_perplexity` = exp(loss); `prompt_perplexity` over
t = 1..31 and `generation_perplexity` over t = 32..T-1, each divided by its own token count (the
reference divided both halves by 63); Min-K% Prob (Shi et al. 2023): mean of the ceil(k*N) lowest
log p_t; Min-K%++ (Zhang et al. 2024): the same over z_t = (log p_t - mu_t) / sigma_t with mu_t and
sigma_t^2 the mean and variance of log p under p; `mean_token_entropy`: mean of -sum_v p_v log p_v.
Rows are right-padded; `lengths` says how many tokens of each row are real.
"""

from __future__ import annotations

import math

import torch

PROMPT_TOKENS = 32


def token_statistics(logits: torch.Tensor, input_ids: torch.Tensor, chunk_elements: int = 1 << 20) -> dict[str, torch.Tensor]:
    """(rows, T-1) float32 tensors: log p_t, the Min-K%++ z_t, and the entropy of each predicted position.

    Works through the (rows * (T-1), vocabulary) logits in cache-sized chunks with one exp per logit:
    with s = logit - max and e = exp(s), Z = sum e, E_p[s] and E_p[s^2] give mu_t and sigma_t.
    """
    rows, width = input_ids.shape[0], input_ids.shape[1] - 1
    flat = logits[:, :-1].reshape(rows * width, -1)
    targets = input_ids[:, 1:].reshape(-1)
    out = {name: torch.empty(rows * width, dtype=torch.float32, device=logits.device) for name in ("log_prob", "z", "entropy")}
    step = max(1, chunk_elements // flat.shape[1])
    for first in range(0, flat.shape[0], step):
        part = slice(first, first + step)
        chunk = flat[part].float()
        shifted = chunk - chunk.amax(-1, keepdim=True)  # s_v = logit_v - max; log p_v = s_v - log Z
        weights = shifted.exp()  # one exp per logit
        total = weights.sum(-1).double()  # Z (float32 pairwise sums; sum(dtype=float64) would copy the chunk)
        weighted = weights.mul_(shifted)  # e_v * s_v
        first_moment = weighted.sum(-1).double() / total  # E_p[s]
        second_moment = weighted.mul_(shifted).sum(-1).double() / total  # E_p[s^2]
        log_total = total.log()
        mean = first_moment - log_total  # mu_t = E_p[log p] = -entropy
        # sigma_t^2 = Var_p[log p] = Var_p[s]: s is shifted by the max, so E[s^2] - E[s]^2 cancels little
        sigma = (second_moment - first_moment.square()).clamp_min(0).sqrt()
        target = shifted.gather(-1, targets[part, None]).squeeze(-1).double() - log_total
        out["log_prob"][part] = target.float()
        out["z"][part] = ((target - mean) / sigma.clamp_min(1e-12)).float()
        out["entropy"][part] = (-mean).float()
    return {name: value.view(rows, width) for name, value in out.items()}


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
    }
    return out


def _masked_mean(values: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    count = mask.sum(-1)
    total = torch.where(mask, values, torch.zeros_like(values)).sum(-1)
    return torch.where(count > 0, total / count.clamp_min(1), torch.full_like(total, math.nan))


def _lowest_k_mean(values: torch.Tensor, mask: torch.Tensor, k: float) -> torch.Tensor:
    """Mean of the ceil(k * N) smallest valid values of each row (N = its valid count)."""
    count = mask.sum(-1)
    keep = torch.ceil(k * count.double()).long().clamp(min=1)
    ordered = torch.where(mask, values, torch.full_like(values, math.inf)).sort(dim=-1).values
    rank = torch.arange(values.shape[1], device=values.device)[None, :]
    chosen = rank < keep[:, None]
    total = torch.where(chosen, ordered, torch.zeros_like(ordered)).sum(-1)
    return torch.where(count > 0, total / keep, torch.full_like(total, math.nan))


def zlib_likelihood_ratio(loss: torch.Tensor, zlib_bytes: torch.Tensor) -> torch.Tensor:
    """loss / zlib-compressed length of the text in bytes (Carlini et al. 2021, MIMIR's form)."""
    return torch.where(zlib_bytes > 0, loss / zlib_bytes.clamp_min(1), torch.full_like(loss, math.nan))


def greedy_match(model, prompts: torch.Tensor, continuations: torch.Tensor) -> torch.Tensor:
    """Fraction of the continuation reproduced by greedy decoding of the prompts, with a KV cache.

    Biderman et al. 2023: M = mean_j 1[g_j = x_{32+j}]. Every row of the batch has the same prompt and
    continuation length, so no padding is needed; EOS does not stop generation (a fixed-length score).
    """
    new_tokens = continuations.shape[1]
    output = model(input_ids=prompts, use_cache=True)
    generated = []
    for step in range(new_tokens):
        token = output.logits[:, -1].argmax(-1)
        generated.append(token)
        if step + 1 < new_tokens:
            output = model(input_ids=token[:, None], past_key_values=output.past_key_values, use_cache=True)
    greedy = torch.stack(generated, dim=1)
    return (greedy == continuations).double().mean(-1)
