"""Speed of the code_vs_nl filter's kernel (metrics.code_vs_nl.nl_scores: length-sorted, padded batches) beside the
reference's way of scoring, one text per forward pass, measured in the same run on the same realistic 64-token texts.
The classifier has the shape of the reference's usvsnsp/code-vs-nl (DistilBERT base, 2 labels) with random weights and
the Pythia tokenizer standing in for its WordPiece one (nothing is downloaded), or --model names a real one. One torch
thread (as one Spark task on one core); CUDA as well when a GPU is present.

    python benchmarks/code_vs_nl.py [--texts 256] [--batch-sizes 16,64,256] [--model DIR_OR_ID]
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

from metrics.code_vs_nl import nl_probability, nl_scores  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[1] / ".cache" / "memorization" / "sample"


def reference_shaped_classifier():
    """DistilBERT base (6 layers, 768 wide, 66M parameters + embeddings), 2 labels, random weights; Pythia tokenizer."""
    import torch
    from transformers import DistilBertConfig, DistilBertForSequenceClassification, PreTrainedTokenizerFast

    tokenizer_file = TOKENIZER if TOKENIZER.is_file() else SAMPLE / "tokenizer.json"
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_file=str(tokenizer_file), pad_token="<|padding|>", model_max_length=512, model_input_names=["input_ids", "attention_mask"]
    )
    torch.manual_seed(0)
    model = DistilBertForSequenceClassification(DistilBertConfig(vocab_size=len(tokenizer), num_labels=2)).eval()
    return model, tokenizer, f"DistilBERT-base shape, random weights, tokenizer {tokenizer_file}"


def one_at_a_time(model, tokenizer, texts: list[str], device) -> np.ndarray:
    """The reference's scoring: each text tokenized and classified alone (its `progress_apply(is_code)`)."""
    import torch

    out = []
    with torch.inference_mode():
        for text in texts:
            encoded = tokenizer(text=text, return_tensors="pt", max_length=512, truncation=True).to(device)
            out.append(nl_probability(model(**encoded).logits, 1)[0])
    return np.array(out)


def timed(function) -> tuple[float, object]:
    function()  # warm-up (allocator, kernels)
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=256)
    parser.add_argument("--batch-sizes", default="16,64,256")
    parser.add_argument("--model", default=None, help="a Hugging Face id or directory of a sequence classifier")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    rows, source = realistic_rows(args.texts, SAMPLE)
    from tokenizers import Tokenizer

    pythia = Tokenizer.from_file(str(TOKENIZER if TOKENIZER.is_file() else SAMPLE / "tokenizer.json"))
    texts = pythia.decode_batch(rows.tolist(), skip_special_tokens=False)
    if args.model:
        from utils.runtime.classifiers import load_classifier

        model, tokenizer = load_classifier(args.model, None, torch.device("cpu"))
        described = args.model
    else:
        model, tokenizer, described = reference_shaped_classifier()
    lengths = [len(ids) for ids in tokenizer(texts, truncation=True, max_length=512)["input_ids"]]
    print(f"texts: {len(texts)} from {source}; classifier: {described}")
    print(f"classifier tokens per text: mean {np.mean(lengths):.1f}, max {max(lengths)}; torch threads: {torch.get_num_threads()}")
    for device_name in ["cpu"] + (["cuda"] if torch.cuda.is_available() else []):
        device = torch.device(device_name)
        model.to(device)
        seconds, baseline = timed(lambda d=device: one_at_a_time(model, tokenizer, texts, d))
        base_rate = len(texts) / seconds
        print(f"{device_name}: one text per forward pass (the reference's way): {base_rate:,.1f} texts/s")
        for batch in (int(b) for b in args.batch_sizes.split(",")):
            seconds, ours = timed(lambda b=batch, d=device: nl_scores(model, tokenizer, texts, 1, b, 512, d))
            rate = len(texts) / seconds
            difference = float(np.abs(ours - baseline).max())
            print(f"{device_name}: nl_scores batch {batch}: {rate:,.1f} texts/s = {rate / base_rate:.2f}x; max |diff| {difference:.1e}")


if __name__ == "__main__":
    main()
