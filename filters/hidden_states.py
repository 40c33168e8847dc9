"""Hidden states and attention summaries per sequence (docs/METRICS.md, 'Hidden states and attention';
metrics/hidden_states.py).

Opt-in: it runs the split's model. When `likelihood` runs before it in the same pass, the likelihood's forward pass
also keeps what this filter needs (`Capture.summarize`) and hands it over, so the model runs once per batch; alone,
this filter runs the model without its vocabulary head. Attention weights need the eager attention implementation,
used for that pass only.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from filters.base import Column, Filter
from filters.registry import register_filter
from utils.core.errors import ConfigError
from utils.core.resources import Provider, register_provider
from utils.core.settings import Settings, check_positive, key, register_settings
from utils.runtime.models import ModelProvider  # noqa: F401  (registers the model resource)

log = logging.getLogger(__name__)
LAYER_NAMES = ("first", "middle", "last")
STATES = ("hidden_prompt_last", "hidden_continuation_mean")
ATTENTION = ("attention_entropy", "attention_prompt_share", "attention_continuation_share", "attention_first_token_share")


@register_settings("hidden_states")
@dataclass(frozen=True)
class HiddenStatesSettings(Settings):
    """hidden_states: the residual stream and attention of selected layers, per sequence."""

    layers: tuple[str, ...] = key(LAYER_NAMES, "first, middle, last, or block numbers (0: the embeddings; negative: from the end)")
    dim: int = key(128, "dimensions kept per state: a seeded Gaussian random projection to this many (whole when the model is narrower)")
    seed: int = key(0, "seed of the projection: the same seed gives the same projection on every executor and every run")
    attention: bool = key(True, "also the attention summaries (entropy, prompt / continuation / first-token shares) per layer")

    def check(self) -> None:
        check_positive(self, "dim", whole=True)
        odd = [layer for layer in self.layers if layer not in LAYER_NAMES and not _is_integer(layer)]
        if not self.layers or odd:
            raise ConfigError(f"hidden_states.layers must list first, middle, last or block numbers, got {list(self.layers)}.")
        if type(self.seed) is not int or type(self.attention) is not bool:
            raise ConfigError(f"hidden_states.seed must be an integer and attention a boolean, got {self.seed!r}, {self.attention!r}.")


def _is_integer(text: str) -> bool:
    return text.lstrip("-").isdigit()


@dataclass(frozen=True)
class Capture:
    """What a forward pass keeps for this filter (picklable: it travels to executors with the split's resources)."""

    layers: tuple[str, ...]
    dim: int
    seed: int
    attention: bool

    def forward_options(self) -> dict:
        return {"output_hidden_states": True, "output_attentions": self.attention}

    def attention_context(self, model):
        """Eager attention while the pass runs (only it returns attention weights), the model's own afterwards."""
        return _eager_attention(model) if self.attention else contextlib.nullcontext()

    def layer_indices(self, model) -> list[int]:
        from metrics.hidden_states import layer_indices

        blocks = model.config.num_hidden_layers
        return layer_indices([int(layer) if _is_integer(layer) else layer for layer in self.layers], blocks)

    def summarize(self, model, output, lengths) -> dict[str, np.ndarray]:
        """This sub-batch's columns as numpy: (rows, layers, d) states and (rows, layers) attention summaries."""
        import torch

        from metrics.hidden_states import attention_summaries, hidden_summaries, projection_matrix

        layers = self.layer_indices(model)
        width = output.hidden_states[0].shape[-1]
        matrix = _PROJECTIONS.get((width, self.dim, self.seed))
        if matrix is None:
            found = projection_matrix(width, self.dim, self.seed)
            matrix = _PROJECTIONS[(width, self.dim, self.seed)] = None if found is None else torch.from_numpy(found)
        device = output.hidden_states[0].device
        prompt_last, continuation_mean = hidden_summaries(
            output.hidden_states, lengths, layers, None if matrix is None else matrix.to(device)
        )
        out = {"hidden_prompt_last": prompt_last.cpu().numpy(), "hidden_continuation_mean": continuation_mean.cpu().numpy()}
        if self.attention:
            summaries = attention_summaries(output.attentions, lengths, layers)
            out.update({f"attention_{name}": values.cpu().numpy() for name, values in summaries.items()})
        return out


_PROJECTIONS: dict[tuple[int, int, int], object] = {}  # per worker: (width, dim, seed) -> the projection as a tensor
_SHARED: dict[tuple, dict] = {}  # per worker: the columns the likelihood pass made for the batch being processed


def share(tokens: pa.Array, columns: dict) -> None:
    """Hands this batch's columns from the likelihood pass to the hidden_states filter that follows it."""
    _SHARED.clear()
    _SHARED[batch_key(tokens)] = columns


def batch_key(tokens: pa.Array) -> tuple:
    """The identity of a batch's tokens within one pass (its buffers' addresses, offset and length)."""
    return (*(buffer.address if buffer is not None else 0 for buffer in tokens.buffers()), tokens.offset, len(tokens))


@contextlib.contextmanager
def _eager_attention(model):
    previous = getattr(model.config, "_attn_implementation", None)
    if previous == "eager":
        yield
        return
    model.set_attn_implementation("eager")
    try:
        yield
    finally:
        model.set_attn_implementation(previous)


@register_provider
class HiddenStatesProvider(Provider):
    """The `hidden_state_capture` resource: what to keep from the model's forward pass, from the `hidden_states` section."""

    provides = ("hidden_state_capture",)

    def for_split(self, split) -> dict:
        settings = self.config.section(HiddenStatesSettings)
        return {"hidden_state_capture": Capture(tuple(settings.layers), settings.dim, settings.seed, settings.attention)}

    def describe(self, split) -> str:
        settings = self.config.section(HiddenStatesSettings)
        return f"hidden states of layers {', '.join(settings.layers)}, projected to {settings.dim} (seed {settings.seed})"


@register_filter("hidden_states")
class HiddenStates(Filter):
    """Residual stream at the last prompt token and averaged over the continuation, per selected layer (randomly
    projected), and attention entropy and shares; lists in the order of hidden_states.layers."""

    reads = ("tokens",)
    adds = pa.schema(
        [
            ("hidden_layers", pa.list_(pa.int32())),
            *[(name, pa.list_(pa.list_(pa.float32()))) for name in STATES],
            *[(name, pa.list_(pa.float64())) for name in ATTENTION],
        ]
    )
    needs = ("model", "hidden_state_capture")
    settings_class = HiddenStatesSettings

    @classmethod
    def min_tokens(cls, resources):
        from metrics.token_windows import PROMPT_TOKENS

        return PROMPT_TOKENS + 1  # the continuation's summaries need a token after the prompt

    def compute(self, batch: pa.RecordBatch) -> dict[str, Column]:
        tokens = batch.column("tokens")
        capture = self.resources.hidden_state_capture
        loaded = self.resources.model.get()
        shared = _SHARED.pop(batch_key(tokens), None)
        columns = shared if shared is not None else forward_columns(loaded, tokens, capture)
        return arrow_columns(columns, capture.layer_indices(loaded.model), capture.attention, len(batch))


def forward_columns(loaded, tokens: pa.Array, capture: Capture) -> dict[str, np.ndarray]:
    """The filter's columns from its own forward pass of the model's body (no vocabulary head), in sub-batches."""
    import torch

    from metrics.token_windows import padded_rows

    lengths_all = np.diff(tokens.offsets.to_numpy())
    usable = np.flatnonzero(lengths_all >= 1)
    parts: dict[str, list] = {}
    body = loaded.model.base_model
    with torch.inference_mode(), capture.attention_context(loaded.model):
        for first in range(0, len(usable), loaded.batch_size):
            rows = usable[first : first + loaded.batch_size]
            ids, lengths = padded_rows(tokens, rows)
            input_ids = torch.from_numpy(ids).to(loaded.device)
            device_lengths = torch.from_numpy(lengths).to(loaded.device)
            mask = (torch.arange(ids.shape[1], device=loaded.device)[None, :] < device_lengths[:, None]).long()
            output = body(input_ids=input_ids, attention_mask=mask, **capture.forward_options())
            for name, values in capture.summarize(loaded.model, output, device_lengths).items():
                parts.setdefault(name, []).append((rows, values))
    return scatter(parts, len(tokens))


def scatter(parts: dict[str, list], rows: int) -> dict[str, np.ndarray]:
    """Per column, the sub-batches' values put back at their rows (NaN for rows no sub-batch had)."""
    out = {}
    for name, chunks in parts.items():
        shape = chunks[0][1].shape[1:]
        values = np.full((rows, *shape), np.nan, dtype=chunks[0][1].dtype)
        for indices, chunk in chunks:
            values[indices] = chunk
        out[name] = values
    return out


def arrow_columns(columns: dict[str, np.ndarray], layers: list[int], attention: bool, rows: int) -> dict[str, pa.Array]:
    """numpy (rows, layers, d) and (rows, layers) -> list<list<float32>> and list<float64>; a row whose values are all
    NaN (too short, or not scored) is null."""
    out: dict[str, pa.Array] = {"hidden_layers": pa.array([layers] * rows, pa.list_(pa.int32()))}
    for name in STATES:
        values = columns.get(name, np.full((rows, len(layers), 1), np.nan, np.float32)).astype(np.float32)
        width = values.shape[2]
        missing = np.isnan(values).all(axis=(1, 2))
        inner = pa.ListArray.from_arrays(
            pa.array(np.arange(0, rows * len(layers) * width + 1, width), pa.int32()), pa.array(values.ravel())
        )
        outer_offsets = pa.array(np.arange(0, rows * len(layers) + 1, len(layers)), pa.int32())
        out[name] = pa.ListArray.from_arrays(outer_offsets, inner, mask=pa.array(missing))
    for name in ATTENTION:
        values = columns.get(name) if attention else None
        if values is None:
            out[name] = pa.nulls(rows, pa.list_(pa.float64()))
            continue
        missing = np.isnan(values).all(axis=1)
        offsets = pa.array(np.arange(0, rows * len(layers) + 1, len(layers)), pa.int32())
        out[name] = pa.ListArray.from_arrays(offsets, pa.array(values.ravel().astype(np.float64), from_pandas=True), mask=pa.array(missing))
    return out
