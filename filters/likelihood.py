"""Likelihood scores from one forward pass of the split's model (docs/METRICS.md, 'Likelihood', 'Extraction risk').

The model is loaded once per Python worker; each Arrow batch is scored in sub-batches of
`model.batch_size` rows, right-padded with an attention mask. Rows shorter than 2 tokens get nulls;
`continuation_log_prob` is null for rows shorter than 64 tokens and is taken under the configured
extraction sampler (`extraction.temperature`, `extraction.top_k`), one that does not stop at end-of-text;
`continuation_log_prob_to_eos` and `continuation_has_eos` are the same for a sampler that stops there.
"""

from __future__ import annotations

import contextlib
import logging
import time
import zlib

import numpy as np
import pyarrow as pa

from filters.base import Column, Filter
from filters.hidden_states import scatter, share
from filters.registry import register_filter
from metrics.token_windows import CONTINUATION_TOKENS, PROMPT_TOKENS, padded_rows
from utils.runtime.models import ModelProvider  # noqa: F401  (registers the model resource)

log = logging.getLogger(__name__)
SCORES = (
    "loss",
    "sequence_perplexity",
    "prompt_perplexity",
    "generation_perplexity",
    "min_k_prob",
    "min_k_plus_plus",
    "mean_token_entropy",
    "continuation_log_prob",
)


@register_filter("likelihood")
class Likelihood(Filter):
    """loss, perplexities, Min-K%, Min-K%++, token entropy, continuation log-probability (also for a sampler that stops
    at end-of-text), zlib likelihood ratio."""

    reads = ("tokens", "text")
    adds = pa.schema(
        [
            *[(name, pa.float64()) for name in (*SCORES, "zlib_likelihood_ratio")],
            ("continuation_log_prob_to_eos", pa.float64()),
            ("continuation_has_eos", pa.bool_()),
        ]
    )
    needs = ("model",)
    with_token_log_probs = False

    @classmethod
    def min_tokens(cls, resources):
        return PROMPT_TOKENS + 1  # generation_perplexity needs a token after the prompt

    def compute(self, batch: pa.RecordBatch) -> dict[str, Column]:
        import torch  # here, not at the top: importing the filters must not load torch (text-only runs)

        from metrics.likelihood import Sampler, continuation_to_eos, sequence_scores, token_statistics, zlib_likelihood_ratio

        loaded = self.resources.model.get()
        model, device, batch_size = loaded.model, loaded.device, loaded.batch_size
        k = self.resources.model.min_k
        sampler = Sampler(self.resources.model.temperature, self.resources.model.top_k)
        tokens = batch.column("tokens")
        lengths_all = np.diff(tokens.offsets.to_numpy())
        usable = np.flatnonzero(lengths_all >= 2)
        out = {name: np.full(len(batch), np.nan) for name in (*SCORES, "continuation_log_prob_to_eos")}
        has_eos = np.full(len(batch), None, dtype=object)
        eos_ids = end_of_text_ids(model)
        token_log_probs: list = [None] * len(batch)
        started = time.time()
        # With hidden_states in the run, this pass also keeps what it needs (filters/hidden_states.py): one forward.
        capture = self.resources.get("hidden_state_capture")
        captured: dict[str, list] = {}
        with torch.inference_mode(), capture.attention_context(model) if capture else contextlib.nullcontext():
            for first in range(0, len(usable), batch_size):
                rows = usable[first : first + batch_size]
                ids, lengths = padded_rows(tokens, rows)
                input_ids = torch.from_numpy(ids).to(device)
                device_lengths = torch.from_numpy(lengths).to(device)
                mask = torch.arange(ids.shape[1], device=device)[None, :] < device_lengths[:, None]
                output = model(input_ids=input_ids, attention_mask=mask.long(), **(capture.forward_options() if capture else {}))
                logits = output.logits
                if capture:
                    for name, values in capture.summarize(model, output, device_lengths).items():
                        captured.setdefault(name, []).append((rows, values))
                del output
                stats = token_statistics(logits, input_ids, sampler=sampler)
                scores = sequence_scores(stats, device_lengths, k)
                for name in SCORES:
                    out[name][rows] = scores[name].cpu().numpy()
                to_eos = continuation_to_eos(stats.get("sampler_log_prob", stats["log_prob"]), input_ids, device_lengths, eos_ids)
                out["continuation_log_prob_to_eos"][rows] = to_eos["to_eos"].cpu().numpy()
                if to_eos["has_eos"] is not None:
                    complete = lengths >= PROMPT_TOKENS + CONTINUATION_TOKENS
                    has_eos[rows[complete]] = to_eos["has_eos"].cpu().numpy()[complete]
                if self.with_token_log_probs:
                    log_prob = stats["log_prob"].cpu().numpy()
                    for i, row in enumerate(rows):
                        token_log_probs[row] = log_prob[i, : lengths[i] - 1].tolist()
        if len(usable):
            seconds = time.time() - started
            log.info("likelihood: %d rows in %.2f s (%.0f rows/s)", len(usable), seconds, len(usable) / max(seconds, 1e-9))
        if capture:
            share(tokens, scatter(captured, len(batch)))
        texts = batch.column("text").to_pylist()
        zlib_bytes = np.array([len(zlib.compress(t.encode("utf-8"))) if t else 0 for t in texts], dtype=np.float64)
        ratio = zlib_likelihood_ratio(torch.from_numpy(out["loss"]), torch.from_numpy(zlib_bytes)).numpy()
        result: dict[str, Column] = {**out, "zlib_likelihood_ratio": ratio, "continuation_has_eos": has_eos}
        if self.with_token_log_probs:
            result["token_log_probs"] = token_log_probs
        return result


@register_filter("likelihood_with_token_log_probs")
class LikelihoodWithTokenLogProbs(Likelihood):
    """`likelihood` plus `token_log_probs`: log p_t for t = 1..T-1 of each row (about 250 bytes per row)."""

    adds = pa.schema([*Likelihood.adds, ("token_log_probs", pa.list_(pa.float32()))])
    with_token_log_probs = True


def end_of_text_ids(model) -> tuple[int, ...]:
    """The model's end-of-text token id(s) from its config (0 for Pythia); () when it names none."""
    eos = getattr(getattr(model, "config", None), "eos_token_id", None)
    if eos is None:
        return ()
    return tuple(int(i) for i in eos) if isinstance(eos, (list, tuple)) else (int(eos),)
