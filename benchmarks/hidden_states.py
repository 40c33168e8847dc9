"""Rows/s of `likelihood` alone vs `likelihood` + `hidden_states` (one shared forward pass) vs `hidden_states` alone,
through the fused pass on the same batches in one run (no Spark: the per-batch work an executor does).

Models: `sample` (the offline sample's tiny GPT-NeoX, on the sample's own rows) or `pythia-160m` (random weights of the
pythia-160m configuration, on realistic rows: benchmarks/realistic_rows.py, the labelled texts of ../shared tokenized
with the Pythia tokenizer). On CUDA when present. The target of the issue: hidden states cost at most 10 % on top of
the likelihood filter.

    python benchmarks/hidden_states.py --model sample --rows 2048 --batch 64
    python benchmarks/hidden_states.py --model pythia-160m --rows 256 --batch 16
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from model_metrics import load  # noqa: E402
from realistic_rows import realistic_rows, sample_token_rows, tokens_array  # noqa: E402

from filters import get_filter  # noqa: E402
from filters.hidden_states import Capture  # noqa: E402
from utils.core.resources import Resources  # noqa: E402
from utils.core.schema import BASE_SCHEMA  # noqa: E402
from utils.pipeline.fused_pass import FusedPass  # noqa: E402
from utils.runtime.models import ModelHandle  # noqa: E402


def batch_of(ids: np.ndarray) -> pa.RecordBatch:
    rows = len(ids)
    columns = {field.name: pa.nulls(rows, field.type) for field in BASE_SCHEMA}
    columns["sequence_id"] = pa.array(np.arange(rows), pa.int64())
    columns["tokens"] = tokens_array(ids).cast(pa.list_(pa.int32()))
    batch = pa.RecordBatch.from_pydict(columns, schema=BASE_SCHEMA)
    return batch.append_column("text", pa.array(["text"] * rows))


def main() -> None:
    import torch

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=("sample", "pythia-160m"), default="sample")
    parser.add_argument("--rows", type=int, default=2048)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-attention", action="store_true", help="hidden_states.attention: false (SDPA kept)")
    args = parser.parse_args()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
    model = load(args.model, device, dtype)
    directory = Path(tempfile.mkdtemp(prefix="hidden-states-model-"))
    model.save_pretrained(directory, safe_serialization=True)
    if args.model == "sample":
        from utils.sample.build import ensure_sample
        from utils.sample.settings import SampleSettings

        distinct, source = sample_token_rows(ensure_sample(SampleSettings(enabled=True))), "the sample's rows"
        ids = distinct[np.arange(args.rows) % len(distinct)]
    else:
        ids, source = realistic_rows(args.rows)
    handle = ModelHandle(str(directory), None, device.type, str(dtype).removeprefix("torch."), args.batch, args.batch, 0.2)
    capture = Capture(("first", "middle", "last"), dim=128, seed=0, attention=not args.no_attention)
    batch = batch_of(ids)
    print(
        f"{args.model} ({model.config.num_hidden_layers} blocks, width {model.config.hidden_size}) on {device}, {dtype}; "
        f"{args.rows} rows of {source}, {args.batch} per forward pass"
    )

    def prepared(names: tuple[str, ...]):
        filters = tuple(get_filter(name) for name in names)
        schema = pa.schema([*batch.schema, *[field for cls in filters for field in cls.adds]])
        resources = Resources(model=handle, hidden_state_capture=capture if "hidden_states" in names else None)
        fused = FusedPass(filters, resources, schema, "bench", "null", None)
        instances = [cls(resources) for cls in filters]
        fused.process(batch.slice(0, args.batch), instances)  # warm-up: model load, kernels
        return fused, instances

    configurations = {names: prepared(names) for names in (("likelihood",), ("likelihood", "hidden_states"), ("hidden_states",))}
    best = dict.fromkeys(configurations, float("inf"))
    for _ in range(args.rounds):  # the configurations take turns, so that drifts of the machine touch each alike
        for names, (fused, instances) in configurations.items():
            if device.type == "cuda":
                torch.cuda.synchronize()
            started = time.perf_counter()
            fused.process(batch, instances)
            if device.type == "cuda":
                torch.cuda.synchronize()
            best[names] = min(best[names], time.perf_counter() - started)
    likelihood, both, alone = (args.rows / seconds for seconds in best.values())
    print(f"likelihood alone:                {likelihood:10,.0f} rows/s")
    print(f"likelihood + hidden_states:      {both:10,.0f} rows/s  (+{likelihood / both - 1:.1%} time over likelihood alone)")
    print(f"hidden_states alone (own pass):  {alone:10,.0f} rows/s")


if __name__ == "__main__":
    main()
