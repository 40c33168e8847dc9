"""A tiny DistilBERT code-vs-natural-language classifier trained on CPU on the sample's own kinds of text, so the offline
sample carries `nl_score` from a real AutoModelForSequenceClassification, as the reference's usvsnsp/code-vs-nl
(DistilBERT fine-tuned on prose vs code) would give.

Training texts are fresh prose and code documents (utils/sample/texts.py, a seed of their own, never the sample's
records), cut to 64 sample tokens like a memorized-evals row. Labels: 0 = code, 1 = natural_language. Deterministic for
a given seed and thread count; saved with `save_pretrained` (safetensors) beside a tokenizer that AutoTokenizer loads.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np

from utils.sample.texts import code, prose

log = logging.getLogger(__name__)
LABELS = {0: "code", 1: "natural_language"}
TEXTS_PER_CLASS = 2000
STEPS = 150
BATCH = 32
MAX_TOKENS = 64
LEARNING_RATE = 2e-3


def train_sample_classifier(tokenizer_file: Path, pad_token: str, directory: Path, seed: int, steps: int = STEPS) -> dict:
    """Trains the classifier on prose (natural_language) and code texts; saves model and tokenizer to `directory`."""
    import torch
    from transformers import DistilBertConfig, DistilBertForSequenceClassification, PreTrainedTokenizerFast

    tokenizer = PreTrainedTokenizerFast(
        tokenizer_file=str(tokenizer_file), pad_token=pad_token, model_max_length=128, model_input_names=["input_ids", "attention_mask"]
    )
    rng = np.random.default_rng([seed, 7])
    texts = [code(rng) for _ in range(TEXTS_PER_CLASS)] + [prose(rng) for _ in range(TEXTS_PER_CLASS)]
    labels = torch.tensor([0] * TEXTS_PER_CLASS + [1] * TEXTS_PER_CLASS)
    encoded = tokenizer(texts, padding="max_length", truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
    torch.manual_seed(seed)
    config = DistilBertConfig(
        vocab_size=len(tokenizer),
        dim=32,
        n_layers=1,
        n_heads=2,
        hidden_dim=64,
        max_position_embeddings=128,
        pad_token_id=tokenizer.pad_token_id,
        id2label=LABELS,
        label2id={name: index for index, name in LABELS.items()},
    )
    model = DistilBertForSequenceClassification(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE)
    model.train()
    started, losses = time.time(), []
    for _ in range(steps):
        rows = torch.from_numpy(rng.integers(0, len(texts), BATCH))
        output = model(input_ids=encoded["input_ids"][rows], attention_mask=encoded["attention_mask"][rows], labels=labels[rows])
        optimizer.zero_grad(set_to_none=True)
        output.loss.backward()
        optimizer.step()
        losses.append(output.loss.item())
    model.eval()
    model.save_pretrained(directory, safe_serialization=True)
    tokenizer.save_pretrained(directory)
    summary = {"steps": steps, "texts": len(texts), "final_loss": float(np.mean(losses[-20:])), "seconds": round(time.time() - started, 1)}
    log.info("Trained the sample classifier: %s", summary)
    return summary
