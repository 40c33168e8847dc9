"""Every check that needs no Spark, run before any work and by `--dry-run`: filters, splits, inputs, corpora, models."""

from __future__ import annotations

from dataclasses import dataclass

from utils.core.errors import ConfigError, PipelineError
from utils.core.schema import BASE_SCHEMA
from utils.corpus.lookups import NEEDS
from utils.corpus.readers import open_corpus
from utils.corpus.statistics import StatisticsProvider
from utils.data.sources import SplitInput, locate_input, resolve_splits
from utils.pipeline.config import Config
from utils.pipeline.plan import Plan, build_plan
from utils.runtime.classifiers import ClassifierHandle, classifier_handle
from utils.runtime.models import check_model_available, model_for_split


@dataclass(frozen=True)
class Prepared:
    """What the checks before any work resolved, handed to the run so that nothing is resolved twice."""

    plan: Plan
    inputs: list[SplitInput]
    nl_classifier: ClassifierHandle | None  # the code_vs_nl classifier, its config fetched once


def prepare(config: Config) -> Prepared:
    """The plan, the located inputs and the resolved classifier; raises a PipelineError naming what is wrong."""
    if config.sample.enabled:
        from utils.sample.build import ensure_sample

        ensure_sample(config.sample)
    plan = build_plan(planned_filters(config))
    splits = resolve_splits(config)
    if not splits:
        raise PipelineError("No splits selected: check --datasets, --schemes, --models and --splits.")
    inputs = [locate_input(config, split) for split in splits]
    for source in inputs:
        check_extra_columns(plan, source, source.extra_columns or ())
    check_corpora(config, plan, splits)
    if "model" in plan.needs:
        for handle in {model_for_split(config.model, split, config.extraction) for split in splits}:
            check_model_available(handle)
    if "semantic_counts" in plan.needs:
        check_semantic(config, splits)
    nl_classifier = classifier_handle(config.code_vs_nl) if "nl_classifier" in plan.needs else None
    return Prepared(plan, inputs, nl_classifier)


def planned_filters(config: Config) -> tuple[str, ...]:
    """config.filters, each replaced by the variant its settings select (Filter.variant), once each, in order."""
    from filters import get_filter

    return tuple(dict.fromkeys(get_filter(name).variant(config) for name in config.filters))


def check_semantic(config: Config, splits) -> None:
    """The embedding model is there, and every split's corpus can be located, before any work."""
    from utils.corpus.semantic import SemanticProvider, embedding_model_id
    from utils.runtime.embedding_models import check_embedding_model

    provider = SemanticProvider(None, config, None, {"semantic_counts"})
    for spec in sorted({provider.corpus_spec(split) for split in splits}):
        provider.corpus_input(spec)
    check_embedding_model(embedding_model_id(config))


def check_extra_columns(plan: Plan, source: SplitInput, extra: tuple[str, ...]) -> None:
    """A local input's own columns must not take the name of a column the run writes."""
    clashes = [name for name in extra if name in plan.output_schema.names]
    if clashes:
        raise ConfigError(
            f"Split {source.split.label}: {source.location} has column(s) {', '.join(clashes)}, which the run also writes "
            f"({'the pipeline' if set(clashes) & set(BASE_SCHEMA.names) else 'its filters'}). Rename them in the input to keep them."
        )


def check_corpora(config: Config, plan: Plan, splits) -> None:
    """Every split that needs corpus statistics has a corpus whose headers are valid (no token is read)."""
    if config.statistics.source != "corpus" or not plan.needs & set(NEEDS):
        return
    provider = StatisticsProvider(None, config, plan.needs)
    for key in sorted({provider.corpus_key(split) for split in splits}):
        open_corpus(config.statistics.corpora[key], f"statistics.corpora.{key}")


def describe(config: Config, prepared: Prepared) -> str:
    """The plan, each split's input and statistics source and model, and the output directory (`--dry-run`)."""
    plan, inputs = prepared.plan, prepared.inputs
    lines = [plan.describe()]
    if prepared.nl_classifier:
        handle = prepared.nl_classifier
        lines.append(f"code_vs_nl classifier: {handle.label}, natural language = class {handle.nl_index} ({handle.nl_label!r})")
    lines.append(f"{len(inputs)} split(s):")
    statistics = StatisticsProvider(None, config, plan.needs)
    for source in inputs:
        extra = []
        if statistics.needs:
            corpus = source.split.scheme if config.statistics.source == "precomputed" else statistics.corpus_key(source.split)
            extra.append(f"statistics: {config.statistics.source} {corpus}")
        if "model" in plan.needs:
            extra.append(f"model: {model_for_split(config.model, source.split, config.extraction).label}")
        if "semantic_counts" in plan.needs:
            from utils.corpus.semantic import SemanticProvider

            spec = SemanticProvider(None, config, None, {"semantic_counts"}).corpus_spec(source.split)
            extra.append(f"semantic corpus: {spec}, model {config.semantic.model}")
        lines.append(f"  {source.split.label}  <- {source.location}" + (f"  ({'; '.join(extra)})" if extra else ""))
    lines.append(f"output: {config.run.output}/{config.run.run_id or '<timestamp>'}")
    return "\n".join(lines)
