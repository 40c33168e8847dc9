"""A tiny GPT-NeoX trained on the sample corpus on CPU, so the sample has a model that really memorizes.

Training data are the 64-token slots of every record (record[64 s : 64 (s + 1)]), drawn uniformly: a
row planted 1000 times is seen ~1000 times more often than a prose row, as in real pre-training, so
recitation-like rows end up memorized and prose rows not. Deterministic for a given seed and thread
count; saved with `save_pretrained` (safetensors).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)
SLOT = 64
STEPS = 600  # ~100 s on 2 CPU cores; the lm head over 4096 ids dominates
BATCH = 32
LEARNING_RATE = 3e-3


def model_config(vocab_size: int):
    from transformers import GPTNeoXConfig

    return GPTNeoXConfig(
        vocab_size=vocab_size,
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=256,
        max_position_embeddings=SLOT,
        rotary_pct=0.25,
        tie_word_embeddings=False,
        bos_token_id=0,
        eos_token_id=0,
    )


def train_sample_model(corpus: np.ndarray, vocab_size: int, directory: Path, seed: int, steps: int = STEPS) -> dict:
    """Trains on uniform random slots of `corpus` (records, length); saves to `directory`; returns a summary."""
    import torch
    from transformers import GPTNeoXForCausalLM

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    slots = corpus[:, : (corpus.shape[1] // SLOT) * SLOT].reshape(-1, SLOT)
    model = GPTNeoXForCausalLM(model_config(vocab_size))
    optimizer = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, weight_decay=0.0)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=LEARNING_RATE, total_steps=steps, pct_start=0.05)
    model.train()
    started, losses = time.time(), []
    for _ in range(steps):
        batch = torch.from_numpy(slots[rng.integers(0, len(slots), BATCH)].astype(np.int64))
        loss = model(input_ids=batch, labels=batch).loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
    model.eval()
    model.save_pretrained(directory, safe_serialization=True)
    summary = {
        "steps": steps,
        "batch": BATCH,
        "tokens_seen": steps * BATCH * SLOT,
        "final_loss": float(np.mean(losses[-50:])),
        "seconds": round(time.time() - started, 1),
    }
    log.info("Trained the sample model: %s", summary)
    return summary


def greedy_check(directory: Path, rows: np.ndarray, batch: int = 256) -> np.ndarray:
    """The sample's own memorization score of each (rows, 64) row: `generate(do_sample=False)`, EOS not stopping."""
    import torch
    from transformers import GenerationConfig, GPTNeoXForCausalLM

    model = GPTNeoXForCausalLM.from_pretrained(directory, use_safetensors=True).eval()
    # generate() merges None settings with the model's own (eos 0) and would stop at EOS and pad.
    model.generation_config.eos_token_id = None
    settings = GenerationConfig(max_new_tokens=SLOT // 2, do_sample=False, pad_token_id=1)
    scores = []
    with torch.inference_mode():
        for first in range(0, len(rows), batch):
            ids = torch.from_numpy(rows[first : first + batch].astype(np.int64))
            generated = model.generate(ids[:, : SLOT // 2], attention_mask=torch.ones_like(ids[:, : SLOT // 2]), generation_config=settings)
            scores.append((generated[:, SLOT // 2 :] == ids[:, SLOT // 2 :]).double().mean(-1).numpy())
    return np.concatenate(scores) if scores else np.zeros(0)
