"""Code vs natural language (docs/METRICS.md, 'Code vs natural language'; the reference's `nl_scores` from
usvsnsp/code-vs-nl, Prashant et al. 2024, arXiv 2406.17746): the probability a sequence classifier gives to the
natural-language class of a text, softmax over the classifier's labels.

Texts are scored in batches sorted by length (less padding), truncated to `max_length` classifier tokens.
"""

from __future__ import annotations

import numpy as np


def nl_probability(logits, nl_index: int) -> np.ndarray:
    """Softmax probability of class `nl_index` for each row of (rows, labels) logits, computed in float64."""
    import torch

    return torch.softmax(logits.double(), dim=-1)[:, nl_index].cpu().numpy()


def nl_scores(model, tokenizer, texts: list[str], nl_index: int, batch_size: int, max_length: int, device) -> np.ndarray:
    """P(natural language) of each text: `model` an AutoModelForSequenceClassification, `tokenizer` its tokenizer."""
    import inspect

    import torch

    accepted = set(inspect.signature(model.forward).parameters)  # e.g. DistilBERT takes no token_type_ids
    scores = np.empty(len(texts), dtype=np.float64)
    order = np.argsort([len(text) for text in texts], kind="stable")
    with torch.inference_mode():
        for first in range(0, len(order), batch_size):
            rows = order[first : first + batch_size]
            encoded = tokenizer([texts[i] for i in rows], padding=True, truncation=True, max_length=max_length, return_tensors="pt")
            inputs = {name: tensor.to(device) for name, tensor in encoded.items() if name in accepted}
            scores[rows] = nl_probability(model(**inputs).logits, nl_index)
    return scores
