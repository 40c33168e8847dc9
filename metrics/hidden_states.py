"""Per-sequence summaries of a causal LM's residual stream and attention (docs/METRICS.md, 'Hidden states and attention').

Residual stream: h_l(t), the output of block l at position t (l = 0: the embeddings; Hugging Face's
`output_hidden_states`, whose last entry has the final layer norm applied). Per row and selected layer: h_l(31), the
state at the last prompt token, and the mean of h_l(t) over the continuation t = 32..T-1, each projected to `dim`
dimensions by a fixed Gaussian random projection R (entries N(0, 1/dim); Johnson & Lindenstrauss 1984: for n points,
dim = O(log n / eps^2) keeps every distance within 1 ± eps) or kept whole when the width is at most `dim`.

Attention of block l (l >= 1), averaged over heads and the continuation's query positions q = 32..T-1: the entropy
-sum_k a_qk log a_qk of each attention row (nats), and its mass on the prompt (k < 32), on the continuation
(32 <= k <= q) and on the first token (k = 0, the usual attention sink; Xiao et al. 2024). Prompt + continuation = 1.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from metrics.token_windows import PROMPT_TOKENS

LAYER_NAMES = ("first", "middle", "last")


def layer_indices(specs: Sequence[str | int], blocks: int) -> list[int]:
    """Indices into `output_hidden_states` (0 = embeddings, 1..blocks = after each block) of the layer specs, each once:
    'first' = 1, 'middle' = max(1, round(blocks / 2)), 'last' = blocks, an integer as given (negative: from the end)."""
    named = {"first": 1, "middle": max(1, round(blocks / 2)), "last": blocks}
    out = []
    for spec in specs:
        index = named[spec] if isinstance(spec, str) else (spec + blocks + 1 if spec < 0 else spec)
        if not 0 <= index <= blocks:
            raise ValueError(f"layer {spec!r} is outside a model of {blocks} blocks (0..{blocks}, or -{blocks + 1}..-1)")
        out.append(index)
    return list(dict.fromkeys(out))  # a shallow model's first and middle may be one block: kept once


def projection_matrix(width: int, dim: int, seed: int) -> np.ndarray | None:
    """R (width, dim) float32 with entries N(0, 1/dim), the same in every process for (width, dim, seed); None when
    width <= dim (the states are kept whole)."""
    if width <= dim:
        return None
    generator = np.random.Generator(np.random.PCG64([seed, width, dim]))
    return (generator.standard_normal((width, dim)) / np.sqrt(dim)).astype(np.float32)


def hidden_summaries(
    hidden: Sequence[torch.Tensor], lengths: torch.Tensor, layers: Sequence[int], matrix: torch.Tensor | None
) -> tuple[torch.Tensor, torch.Tensor]:
    """(rows, layers, d) float32 each: h_l(31) @ R, and mean_{t=32..T-1} h_l(t) @ R, from right-padded rows of `lengths`
    tokens; NaN where a row has no such position (fewer than 32, or 33, tokens)."""
    length = hidden[0].shape[1]  # of the padded rows
    positions = torch.arange(length, device=lengths.device)
    continuation = ((positions[None, :] >= PROMPT_TOKENS) & (positions[None, :] < lengths[:, None])).float()
    counts = continuation.sum(-1, keepdim=True)
    last_prompt, continuation_mean = [], []
    for layer in layers:
        states = hidden[layer].float()
        if matrix is not None:
            states = states @ matrix
        at_prompt_end = states[:, PROMPT_TOKENS - 1] if length >= PROMPT_TOKENS else torch.full_like(states[:, 0], float("nan"))
        at_prompt_end = torch.where((lengths >= PROMPT_TOKENS)[:, None], at_prompt_end, torch.full_like(at_prompt_end, float("nan")))
        mean = (states * continuation[:, :, None]).sum(1) / counts.clamp_min(1)
        last_prompt.append(at_prompt_end)
        continuation_mean.append(torch.where(counts > 0, mean, torch.full_like(mean, float("nan"))))
    return torch.stack(last_prompt, 1), torch.stack(continuation_mean, 1)


def attention_summaries(attentions: Sequence[torch.Tensor], lengths: torch.Tensor, layers: Sequence[int]) -> dict[str, torch.Tensor]:
    """(rows, layers) float64 per summary: entropy, prompt_share, continuation_share, first_token_share, averaged over
    heads and continuation queries; NaN for rows of fewer than 33 tokens and for layer 0 (no attention). Only the
    continuation's query rows are read, in float32 (64 keys: sums far within float32's precision)."""
    rows = lengths.shape[0]
    names = ("entropy", "prompt_share", "continuation_share", "first_token_share")
    out = {name: torch.full((rows, len(layers)), float("nan"), dtype=torch.float64, device=lengths.device) for name in names}
    if not attentions or attentions[0].shape[-1] <= PROMPT_TOKENS:
        return out
    width = attentions[0].shape[-1]
    queries = (torch.arange(PROMPT_TOKENS, width, device=lengths.device)[None, :] < lengths[:, None]).double()  # (rows, T - 32)
    count = queries.sum(-1)
    for j, layer in enumerate(layers):
        if layer == 0:
            continue
        heads = attentions[layer - 1][:, :, PROMPT_TOKENS:, :].float()  # (rows, heads, continuation queries, keys)
        weights = heads.mean(1)  # shares are linear: the heads' mean attention gives their mean share
        per_query = {
            "entropy": -torch.special.xlogy(heads, heads).sum(-1).mean(1),  # each head's row entropy (0 log 0 = 0), averaged
            "prompt_share": weights[..., :PROMPT_TOKENS].sum(-1),
            "continuation_share": weights[..., PROMPT_TOKENS:].sum(-1),
            "first_token_share": weights[..., 0],
        }
        for name, values in per_query.items():
            total = (values.double() * queries).sum(-1) / count.clamp_min(1)
            out[name][:, j] = torch.where(count > 0, total, torch.full_like(total, float("nan")))
    return out
