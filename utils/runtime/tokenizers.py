"""Finds the tokenizer of a split's model and ships it to executors once (a broadcast of its JSON and of its
decoding byte table, built and checked once on the driver)."""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

from utils.core.errors import ConfigError, DataSourceError
from utils.core.resources import Provider, register_provider
from utils.core.settings import Settings, absolute, key, register_settings
from utils.data.splits import Split, pythia_repo

_WORKER_CACHE: dict[str, object] = {}


@register_settings("tokenizer")
@dataclass(frozen=True)
class TokenizerSettings(Settings):
    """The tokenizer that turns token ids into text (detokenize, semantic_duplicates)."""

    path: str | None = key(None, "tokenizer.json or a directory holding one; null: the split's model repo")
    repo: str = key("EleutherAI/pythia-{size}{suffix}", "the split's model repo ({size}: 70m..12b, {suffix}: -deduped or empty)")
    revision: str | None = key(None, "revision of that repo; null: the default branch")

    def with_absolute_paths(self) -> TokenizerSettings:
        return dataclasses.replace(self, path=absolute(self.path))

    def for_sample(self, directory: Path) -> TokenizerSettings:
        return self if self.path else dataclasses.replace(self, path=str(directory / "tokenizer.json"))


def load_tokenizer_json(config: TokenizerSettings, split: Split) -> tuple[str, str]:
    """(where it came from, tokenizer.json text) for the split: a configured path, else the model's repo."""
    if config.path:
        path = Path(config.path).expanduser()
        file = path / "tokenizer.json" if path.is_dir() else path
        if not file.is_file():
            raise ConfigError(f"tokenizer.path {config.path} has no tokenizer.json (looked for {file}).")
        return str(file.resolve()), file.read_text(encoding="utf-8")
    if not split.model:
        raise ConfigError(
            f"Split {split.label} names no model, so its tokenizer is unknown: set tokenizer.path in config "
            "(a tokenizer.json or a directory holding one), or give the local input a scheme and model."
        )
    repo = pythia_repo(config.repo, split)
    try:
        from huggingface_hub import hf_hub_download

        file = hf_hub_download(repo, "tokenizer.json", revision=config.revision)
    except Exception as error:  # network, missing repo/revision, offline without cache
        raise DataSourceError(
            f"Could not get the tokenizer of split {split.label} from Hugging Face ({repo}, tokenizer.json): "
            f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}. Offline? Set "
            "HF_HUB_OFFLINE=1 with the file in your HF_HOME cache, or set tokenizer.path to a local tokenizer.json."
        ) from None
    return f"{repo} (Hugging Face)", Path(file).read_text(encoding="utf-8")


def parse_tokenizer(text: str, where: str):
    from tokenizers import Tokenizer

    try:
        return Tokenizer.from_str(text)
    except Exception as error:
        raise ConfigError(f"{where} is not a valid tokenizers JSON file: {error}") from None


class TokenizerHandle:
    """Picklable reference to a broadcast tokenizer JSON and byte table; `get()` parses the JSON once per Python worker.

    `broadcast.value` is the tokenizer.json text, `table` (when given) a broadcast of metrics.detokenize's
    byte table (or None for tokenizers it does not serve).
    """

    def __init__(self, broadcast, key: str, vocab_size: int, source: str, table=None):
        self.broadcast = broadcast
        self.key = key
        self.vocab_size = vocab_size
        self.source = source
        self.table = table

    def get(self):
        tokenizer = _WORKER_CACHE.get(self.key)
        if tokenizer is None:
            tokenizer = parse_tokenizer(self.broadcast.value, self.source)
            _WORKER_CACHE[self.key] = tokenizer
        return tokenizer

    def detokenizer(self):
        """The tokenizer's `Detokenizer`, once per Python worker (with the driver's table, else built here)."""
        from metrics.detokenize import Detokenizer

        key = f"{self.key}:detokenizer"
        if key not in _WORKER_CACHE:
            if self.table is None:
                _WORKER_CACHE[key] = Detokenizer.for_tokenizer(self.get())
            else:
                _WORKER_CACHE[key] = Detokenizer(self.get, self.table.value)
        return _WORKER_CACHE[key]


class TokenizerBroadcasts:
    """The run's tokenizers: one broadcast per distinct tokenizer file (all Pythia sizes share one)."""

    def __init__(self, spark, config: TokenizerSettings):
        self.spark = spark
        self.config = config
        self.handles: dict[str, TokenizerHandle] = {}
        self._lock = threading.Lock()  # splits may run on several driver threads (run.concurrent_splits)

    def for_split(self, split: Split) -> TokenizerHandle:
        source, text = load_tokenizer_json(self.config, split)
        key = hashlib.sha256(text.encode("utf-8")).hexdigest()
        with self._lock:
            return self._handle(key, text, source)

    def _handle(self, key: str, text: str, source: str) -> TokenizerHandle:
        if key not in self.handles:
            from metrics.detokenize import byte_table

            tokenizer = parse_tokenizer(text, source)
            _WORKER_CACHE[key] = tokenizer
            vocab = tokenizer.get_vocab_size(with_added_tokens=True)
            context = self.spark.sparkContext
            table = context.broadcast(byte_table(tokenizer))
            self.handles[key] = TokenizerHandle(context.broadcast(text), key, vocab, source, table)
        return self.handles[key]


@register_provider
class TokenizerProvider(Provider):
    """The `tokenizer` resource: each split's tokenizer, broadcast once per distinct tokenizer file."""

    provides = ("tokenizer",)

    def __init__(self, config, needs, used):
        super().__init__(config, needs, used)
        self.broadcasts: TokenizerBroadcasts | None = None
        self.handles: dict[Split, TokenizerHandle] = {}

    def prepare(self, spark, inputs, frames) -> None:
        self.broadcasts = TokenizerBroadcasts(spark, self.config.tokenizer)

    def handle(self, split: Split) -> TokenizerHandle:
        if self.broadcasts is None:
            raise RuntimeError("TokenizerProvider.handle before prepare")
        if split not in self.handles:
            self.handles[split] = self.broadcasts.for_split(split)
        return self.handles[split]

    def for_split(self, split: Split) -> dict:
        return {"tokenizer": self.handle(split)}

    def vocab_size(self, split: Split) -> int | None:
        return self.handle(split).vocab_size

    def record(self, split: Split, values) -> dict:
        return {"tokenizer": values["tokenizer"].source}
