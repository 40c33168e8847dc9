"""Every check that needs no Spark, run before any work and by `--dry-run`: filters, splits, inputs and each
provider's own checks (corpora, models, classifiers), each resolved once and handed to the run."""

from __future__ import annotations

from dataclasses import dataclass

from utils.core.errors import ConfigError, PipelineError
from utils.core.schema import BASE_SCHEMA
from utils.data.sources import SplitInput, locate_input, resolve_splits
from utils.pipeline.config import Config
from utils.pipeline.plan import Plan, plan_for
from utils.pipeline.resources import RunResources


@dataclass(frozen=True)
class Prepared:
    """What the checks before any work resolved, handed to the run so that nothing is resolved twice."""

    plan: Plan
    inputs: list[SplitInput]
    resources: RunResources  # the providers of the plan's needs, checked


def prepare(config: Config) -> Prepared:
    """The plan, the located inputs and the checked providers; raises a PipelineError naming what is wrong."""
    if config.sample.enabled:
        from utils.sample.build import ensure_sample

        ensure_sample(config.sample)
    plan = plan_for(config)
    splits = resolve_splits(config)
    if not splits:
        raise PipelineError("No splits selected: check --datasets, --schemes, --models and --splits.")
    inputs = [locate_input(config, split) for split in splits]
    for source in inputs:
        check_extra_columns(plan, source, source.extra_columns or ())
    resources = RunResources(config, plan)
    resources.check(splits)
    return Prepared(plan, inputs, resources)


def check_extra_columns(plan: Plan, source: SplitInput, extra: tuple[str, ...]) -> None:
    """A local input's own columns must not take the name of a column the run writes."""
    clashes = [name for name in extra if name in plan.output_schema.names]
    if clashes:
        raise ConfigError(
            f"Split {source.split.label}: {source.location} has column(s) {', '.join(clashes)}, which the run also writes "
            f"({'the pipeline' if set(clashes) & set(BASE_SCHEMA.names) else 'its filters'}). Rename them in the input to keep them."
        )


def describe(config: Config, prepared: Prepared) -> str:
    """The plan, each split's input and what each provider gives it, and the output directory (`--dry-run`)."""
    plan, inputs = prepared.plan, prepared.inputs
    lines = [plan.describe(), f"{len(inputs)} split(s):"]
    for source in inputs:
        notes = prepared.resources.describe(source.split)
        lines.append(f"  {source.split.label}  <- {source.location}" + (f"  ({'; '.join(notes)})" if notes else ""))
    lines.append(f"output: {config.run.output}/{config.run.run_id or '<timestamp>'}")
    return "\n".join(lines)
