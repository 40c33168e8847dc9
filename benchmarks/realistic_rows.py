"""Realistic rows for the speed benchmarks: real text tokenized with the real Pythia tokenizer, 64 ids per row.

Row i holds the first 64 ids of the labelled texts i, i+1, ... of ../shared/data/human-labels-dev.csv joined
with `<|endoftext|>` (id 0), as the Pile packs documents into training sequences, so every row starts at a
text people labelled (code, prose, boilerplate, patterns...). The distinct rows are cycled to the requested
count. Without ../shared the sample's rows are used instead, and `source` says so: the sample's texts are
generated, so its figures are not the realistic ones.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pyarrow as pa

SHARED = Path(__file__).resolve().parents[2] / "shared"
LABELS = SHARED / "data" / "human-labels-dev.csv"
TOKENIZER = SHARED / "pythia-tokenizer" / "tokenizer.json"
ROW_TOKENS = 64
END_OF_TEXT = 0


def labelled_token_rows() -> np.ndarray | None:
    """(distinct rows, 64) int64 ids from the labelled texts, or None when ../shared is absent."""
    if not (LABELS.is_file() and TOKENIZER.is_file()):
        return None
    from tokenizers import Tokenizer

    with LABELS.open(newline="", encoding="utf-8") as handle:
        texts = [row["shortened_text"] for row in csv.DictReader(handle)]
    encoded = Tokenizer.from_file(str(TOKENIZER)).encode_batch(texts, add_special_tokens=False)
    stream: list[int] = []
    starts = []
    for item in encoded:
        starts.append(len(stream))
        stream.extend(item.ids)
        stream.append(END_OF_TEXT)
    stream.extend(stream[:ROW_TOKENS])  # the last texts wrap around to the first
    ids = np.array(stream, dtype=np.int64)
    return np.stack([ids[s : s + ROW_TOKENS] for s in starts])


def sample_token_rows(sample: Path) -> np.ndarray:
    """(rows, 64) ids of the sample's memorized-evals split (generated texts)."""
    import pyarrow.parquet as pq

    table = pq.read_table(sample / "hub/EleutherAI/pythia-memorized-evals/duped.160m")
    return np.array(table.column("tokens").to_pylist(), dtype=np.int64)


def realistic_rows(rows: int, sample: Path | None = None) -> tuple[np.ndarray, str]:
    """(rows, 64) ids cycled from the labelled texts (or the sample's rows), and a line saying which."""
    distinct = labelled_token_rows()
    if distinct is not None:
        source = f"{len(distinct)} labelled texts of {LABELS.name} tokenized with the Pythia tokenizer, cycled"
    elif sample is not None:
        distinct = sample_token_rows(sample)
        source = f"the sample's {len(distinct)} generated rows, cycled ({LABELS} not found: figures are not on real text)"
    else:
        raise FileNotFoundError(f"{LABELS} or {TOKENIZER} not found, and no sample given")
    return distinct[np.arange(rows) % len(distinct)], source


def tokens_array(ids: np.ndarray) -> pa.Array:
    """The ids as an Arrow list<int64> column, as a split's `tokens`."""
    offsets = np.arange(0, ids.size + 1, ids.shape[1], dtype=np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(ids.ravel()))
