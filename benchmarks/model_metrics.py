"""Sequences/s of the likelihood metrics vs a bare forward pass and vs the reference's per-token loop.

Same model, same rows, same batches, in one run:
- bare forward: `model(input_ids).logits` only;
- ours: the forward pass plus every likelihood metric (metrics/likelihood.py), i.e. what the
  `likelihood` filter does per batch; the figure of merit is its cost on top of the bare forward;
- reference style: the same forward pass, then per row and per token a float64 softmax over the whole
  vocabulary on the logits' device, read back per token, in a Python loop (as EleutherAI/semantic-
  memorization's inference.py computed perplexity), timed on a few rows and scaled to all;
- greedy memorization score (32 new tokens, KV cache), rows/s.

Models: `sample` (the offline sample's tiny GPT-NeoX, built if missing) or `pythia-160m` (random weights
of the pythia-160m configuration; nothing is downloaded). Runs on CUDA when present (bf16 by default there).

    python benchmarks/model_metrics.py --model pythia-160m --rows 256 --batch 32
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metrics.likelihood import greedy_match, sequence_scores, token_statistics  # noqa: E402

PYTHIA_160M = dict(
    vocab_size=50304,
    hidden_size=768,
    num_hidden_layers=12,
    num_attention_heads=12,
    intermediate_size=3072,
    max_position_embeddings=2048,
    rotary_pct=0.25,
    rotary_emb_base=10000,
    use_parallel_residual=True,
)


def load(name: str, device, dtype):
    import torch
    from transformers import GPTNeoXConfig, GPTNeoXForCausalLM

    if name == "pythia-160m":
        torch.manual_seed(0)
        return GPTNeoXForCausalLM(GPTNeoXConfig(**PYTHIA_160M)).to(device, dtype).eval()
    from utils.sample.build import ensure_sample
    from utils.sample.settings import SampleSettings

    directory = ensure_sample(SampleSettings(enabled=True))
    return GPTNeoXForCausalLM.from_pretrained(directory / "model", use_safetensors=True).to(device, dtype).eval()


def timed(function, device) -> float:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize()
    started = time.perf_counter()
    function()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - started


def main() -> None:
    import torch

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=("sample", "pythia-160m"), default="sample")
    parser.add_argument("--rows", type=int, default=512)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--generation_batch", type=int, default=None, help="rows per greedy decoding (default: 4 x --batch, as the filter)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds of the bare and the full pass; the best is reported")
    parser.add_argument("--reference_rows", type=int, default=8, help="rows timed in the per-token loop (it is slow)")
    parser.add_argument("--dtype", default=None, help="float32 | bfloat16 | float16 (default: bf16 on CUDA, fp32 on CPU)")
    args = parser.parse_args()

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dtype = getattr(torch, args.dtype) if args.dtype else (torch.bfloat16 if device.type == "cuda" else torch.float32)
    model = load(args.model, device, dtype)
    vocab = model.config.vocab_size
    rows = torch.from_numpy(np.random.default_rng(0).integers(2, min(vocab, 50277), size=(args.rows, 64))).to(device)
    batches = [rows[i : i + args.batch] for i in range(0, args.rows, args.batch)]
    lengths = torch.full((args.batch,), 64, device=device)
    print(f"{args.model} on {device} ({dtype}), {args.rows} rows x 64 tokens, batch {args.batch}")

    with torch.inference_mode():
        model(input_ids=batches[0])  # warm-up

        def bare():
            for batch in batches:
                model(input_ids=batch).logits  # noqa: B018  (the forward pass is what is timed)

        def ours():
            for batch in batches:
                logits = model(input_ids=batch).logits
                scores = sequence_scores(token_statistics(logits, batch), lengths[: len(batch)], 0.2)
                {name: value.cpu() for name, value in scores.items()}

        first_logits = model(input_ids=batches[0]).logits

        def metrics_alone():
            """Our metric code alone, on the first batch's logits once per batch (timed directly, not as a difference)."""
            for _ in batches:
                scores = sequence_scores(token_statistics(first_logits, batches[0]), lengths[: len(batches[0])], 0.2)  # noqa: F821  (bound above)
                {name: value.cpu() for name, value in scores.items()}

        def reference_loop(count: int):
            """The reference's metric code alone, on logits of the same batched forward pass, where they lie."""
            logits, ids = model(input_ids=batches[0]).logits, batches[0]
            seconds = 0.0
            for index in range(count):
                row, started = ids[index % len(ids)], time.perf_counter()
                log_likelihood = 0.0
                for t in range(1, 64):  # one float64 softmax over the vocabulary per token, read back per token
                    probabilities = torch.softmax(logits[index % len(ids), t - 1], dim=0, dtype=torch.float64)
                    log_likelihood += float(torch.log(probabilities[row[t]]))
                float(np.exp(-log_likelihood / 63))
                seconds += time.perf_counter() - started
            return seconds / count

        generation_batch = args.generation_batch or 4 * args.batch

        def generation():
            for first in range(0, args.rows, generation_batch):
                batch = rows[first : first + generation_batch]
                greedy_match(model, batch[:, :32], batch[:, 32:]).double().mean(-1).cpu()

        bare_seconds = ours_seconds = math.inf
        for _ in range(args.rounds):  # interleaved, best of each: the two differ by a few per cent
            bare_seconds = min(bare_seconds, timed(bare, device))
            ours_seconds = min(ours_seconds, timed(ours, device))
        metrics_per_row = min(timed(metrics_alone, device) for _ in range(args.rounds)) / (len(batches) * len(batches[0]))
        del first_logits
        reference_seconds = bare_seconds + reference_loop(args.reference_rows) * args.rows
        generation_seconds = timed(generation, device)

    def line(name, seconds):
        return f"  {name:34s} {args.rows / seconds:10.1f} seq/s  {args.rows * 64 / seconds:12.0f} tokens/s"

    print(line("bare forward", bare_seconds))
    print(
        line("forward + all likelihood metrics", ours_seconds)
        + f"   metrics cost {100 * (ours_seconds / bare_seconds - 1):+.1f} % over the forward"
    )
    print(
        line("forward + reference per-token loop", reference_seconds)
        + f"   ours is {reference_seconds / ours_seconds:.1f}x faster end to end"
    )
    reference_per_row = (reference_seconds - bare_seconds) / args.rows
    print(
        f"  metric computation alone: ours {1e3 * metrics_per_row:.3f} ms/row "
        f"({100 * metrics_per_row * args.rows / bare_seconds:.1f} % of the "
        f"forward), reference loop {1e3 * reference_per_row:.3f} ms/row (timed on {args.reference_rows} rows) = "
        f"{reference_per_row / metrics_per_row:.1f}x"
    )
    print(line(f"greedy memorization score, batch {generation_batch}", generation_seconds))


if __name__ == "__main__":
    main()
