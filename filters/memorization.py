"""`model_memorization_score` and `exact_prefix_length`: greedy 32-token continuation of the 32-token prompt.

Biderman et al. 2023 (docs/METRICS.md, 'Memorization score'): the fraction of the 32 continuation tokens
that greedy decoding of the prompt reproduces, with a KV cache, in batches of `model.generation_batch_size`
rows (metrics/likelihood.py `greedy_match`); from the same decoding, how many leading continuation tokens
it reproduces before its first mismatch ('Extraction risk'). Lets a user score rows for any model; for a
Pythia memorized-evals split and its own model they should be 1.0 and 32. Rows shorter than 64 tokens get
null; longer rows use tokens 0..63.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import pyarrow as pa

from filters.base import Column, Filter
from filters.registry import register_filter
from metrics.token_windows import CONTINUATION_TOKENS, PROMPT_TOKENS, token_windows
from utils.runtime.models import ModelProvider  # noqa: F401  (registers the model resource)

log = logging.getLogger(__name__)


@register_filter("memorization")
class Memorization(Filter):
    """Greedy-match fraction and exact greedy prefix of tokens[32:64] given tokens[0:32], with the split's model."""

    reads = ("tokens",)
    adds = pa.schema([("model_memorization_score", pa.float64()), ("exact_prefix_length", pa.int32())])
    needs = ("model",)

    @classmethod
    def min_tokens(cls, resources):
        return PROMPT_TOKENS + CONTINUATION_TOKENS

    def compute(self, batch: pa.RecordBatch) -> dict[str, Column]:
        import torch  # here, not at the top: importing the filters must not load torch (text-only runs)

        from metrics.likelihood import exact_prefix_length, greedy_match

        loaded = self.resources.model.get()
        model, device, batch_size = loaded.model, loaded.device, loaded.generation_batch_size
        tokens = batch.column("tokens")
        width = PROMPT_TOKENS + CONTINUATION_TOKENS
        usable = np.flatnonzero(np.diff(tokens.offsets.to_numpy()) >= width)
        scores = np.full(len(batch), np.nan)
        prefixes = np.zeros(len(batch), dtype=np.int32)
        started = time.time()
        with torch.inference_mode():
            for first in range(0, len(usable), batch_size):
                rows = usable[first : first + batch_size]
                ids = torch.from_numpy(token_windows(tokens, rows, 0, width).astype(np.int64)).to(device)
                matches = greedy_match(model, ids[:, :PROMPT_TOKENS], ids[:, PROMPT_TOKENS:])
                scores[rows] = matches.double().mean(-1).cpu().numpy()
                prefixes[rows] = exact_prefix_length(matches).cpu().numpy()
        if len(usable):
            seconds = time.time() - started
            log.info("memorization: %d rows in %.2f s (%.0f rows/s)", len(usable), seconds, len(usable) / max(seconds, 1e-9))
        short = np.ones(len(batch), dtype=bool)
        short[usable] = False
        return {"model_memorization_score": scores, "exact_prefix_length": pa.array(prefixes, mask=short)}
