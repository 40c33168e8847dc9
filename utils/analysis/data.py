"""The analysis table of one split of a run (docs/METRICS.md, 'Predictive model of memorization'): label = memorization
score 1, the features that the run has, the taxonomy inputs, nl_score; a stratified train/test split; standardization.

Everything is a Spark DataFrame read from the run's Parquet (only the needed columns), so it scales with the cluster.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from utils.pipeline.errors import ConfigError, DataSourceError

FEATURES = (
    "sequence_duplicates",
    "max_frequency",
    "avg_frequency",
    "min_frequency",
    "median_frequency",
    "p25_frequency",
    "p75_frequency",
    "generation_perplexity",
    "prompt_perplexity",
    "sequence_perplexity",
    "0_8_templates",
    "0_8_snowclones",
    "huffman_coding_length",
    "is_templating",
)
BINARY = ("is_templating",)  # entered as 0/1, not standardized
SEMANTIC = {"0_8_snowclones": "semantic_snowclones", "0_8_templates": "semantic_templates"}  # the reference's names
TRAIN_SHARE = 0.8
NL_THRESHOLD, CODE_THRESHOLD = 0.525, 0.4  # the reference's split of nl_scores: natural language above, code below


@dataclass
class AnalysisTable:
    """One split's rows for the analysis (cached), and what was used, left out and why."""

    frame: object  # DataFrame: sequence_id, label, is_train, <features standardized>, sequence_duplicates_raw, is_templating_raw, nl_score
    features: list[str]
    missing: dict[str, str] = field(default_factory=dict)  # wanted feature -> why it is not used
    rows: int = 0
    rows_with_nulls: int = 0  # left out of the analysis: a null label or feature (bad rows)
    means: dict[str, float] = field(default_factory=dict)  # train mean and standard deviation of each continuous feature
    deviations: dict[str, float] = field(default_factory=dict)
    has_taxonomy_inputs: bool = False
    has_nl_score: bool = False


def feature_columns(schema_names: list[str], wanted: list[str], semantic_thresholds: list[float]):
    """(name -> Spark column expression, missing name -> reason) for the wanted features the split has."""
    from pyspark.sql import functions as F

    columns, missing = {}, {}
    for name in wanted:
        if name in SEMANTIC:
            source = SEMANTIC[name]
            if source not in schema_names:
                missing[name] = f"no {source} column (run the semantic_duplicates filter)"
            elif 0.8 not in semantic_thresholds:
                missing[name] = f"semantic.thresholds of the run {semantic_thresholds} have no 0.8"
            else:
                columns[name] = F.element_at(F.col(source), semantic_thresholds.index(0.8) + 1).cast("double")
        elif name not in schema_names:
            missing[name] = "not a column of this split"
        else:
            columns[name] = F.col(f"`{name}`").cast("double")
    return columns, missing


def load_table(spark, split_path: str, wanted: list[str], semantic_thresholds: list[float], seed: int) -> AnalysisTable:
    """The split's analysis rows: label, features (continuous ones standardized with the train part's mean and standard
    deviation), the raw taxonomy inputs and nl_score, and `is_train` (80 % of each label, chosen by a hash of sequence_id
    and the seed, so the same rows are chosen on any cluster)."""
    from pyspark.sql import functions as F

    try:
        raw = spark.read.parquet(split_path)
    except Exception as error:
        raise DataSourceError(f"Cannot read the split output {split_path}: {str(error).splitlines()[0]}") from None
    names = raw.columns
    if "memorization_score" not in names:
        raise DataSourceError(f"{split_path} has no memorization_score column: the label of the analysis.")
    columns, missing = feature_columns(names, wanted, semantic_thresholds)
    if not columns:
        raise ConfigError(f"{split_path}: none of the features {', '.join(wanted)} are available ({missing}).")
    extra = {}
    if {"sequence_duplicates", "is_templating"} <= set(names):
        extra["sequence_duplicates_raw"] = F.col("sequence_duplicates").cast("double")
        extra["is_templating_raw"] = F.col("is_templating").cast("double")
    if "nl_score" in names:
        extra["nl_score"] = F.col("nl_score")
    selected = raw.select(
        F.col("sequence_id"),
        (F.col("memorization_score") == 1.0).cast("double").alias("label"),
        F.col("memorization_score").isNull().alias("label_null"),
        *[expression.alias(name) for name, expression in columns.items()],
        *[expression.alias(name) for name, expression in extra.items()],
    )
    complete = ~F.col("label_null")  # and every feature and taxonomy input present (nl_score may be null: no group)
    for name in [*columns, *[c for c in extra if c != "nl_score"]]:
        complete = complete & F.col(f"`{name}`").isNotNull() & ~F.isnan(F.col(f"`{name}`"))
    counts = selected.agg(F.count(F.lit(1)).alias("rows"), F.sum(complete.cast("long")).alias("complete")).first()
    rows, kept = int(counts["rows"]), int(counts["complete"] or 0)
    frame = selected.filter(complete).drop("label_null")
    # 52 bits: exact as the double that approxQuantile returns
    frame = frame.withColumn("split_hash", F.pmod(F.xxhash64(F.col("sequence_id"), F.lit(int(seed))), F.lit(1 << 52)))
    frame = with_train_flag(frame)
    continuous = [name for name in columns if name not in BINARY]
    means, deviations = standardization(frame, continuous)
    for name in continuous:
        scale = deviations[name] or 1.0  # a constant feature stays 0 and is dropped by the fit
        frame = frame.withColumn(name, (F.col(f"`{name}`") - F.lit(means[name])) / F.lit(scale))
    table = AnalysisTable(
        frame=frame.cache(),
        features=list(columns),
        missing=missing,
        rows=rows,
        rows_with_nulls=rows - kept,
        means=means,
        deviations=deviations,
        has_taxonomy_inputs="sequence_duplicates_raw" in extra,
        has_nl_score="nl_score" in extra,
    )
    return table


def with_train_flag(frame):
    """`is_train`: for each label, the rows whose hash is at or below that label's exact 80th percentile of hashes."""
    from pyspark.sql import functions as F

    cuts = {}
    for label in (0.0, 1.0):
        part = frame.filter(F.col("label") == label)
        quantile = part.approxQuantile("split_hash", [TRAIN_SHARE], 0.0)  # relative error 0: exact
        cuts[label] = quantile[0] if quantile else None
    condition = F.lit(False)
    for label, cut in cuts.items():
        if cut is not None:
            condition = condition | ((F.col("label") == label) & (F.col("split_hash") <= F.lit(cut)))
    return frame.withColumn("is_train", condition)


def standardization(frame, continuous: list[str]) -> tuple[dict[str, float], dict[str, float]]:
    """Mean and sample standard deviation of each continuous feature over the train rows (0.0 for a constant one)."""
    from pyspark.sql import functions as F

    if not continuous:
        return {}, {}
    train = frame.filter(F.col("is_train"))
    aggregates = [F.mean(f"`{name}`").alias(f"mean_{i}") for i, name in enumerate(continuous)]
    aggregates += [F.stddev_samp(f"`{name}`").alias(f"std_{i}") for i, name in enumerate(continuous)]
    row = train.agg(*aggregates).first()
    means = {name: float(row[f"mean_{i}"] or 0.0) for i, name in enumerate(continuous)}
    deviations = {name: float(row[f"std_{i}"] or 0.0) for i, name in enumerate(continuous)}
    return means, deviations


def category_column(threshold: int):
    """The taxonomy of docs/METRICS.md from the raw inputs at `threshold` (the taxonomy filter's rule)."""
    from pyspark.sql import functions as F

    return (
        F.when(F.col("sequence_duplicates_raw") >= threshold, "recitation")
        .when(F.col("is_templating_raw") > 0, "reconstruction")
        .otherwise("recollection")
    )


def nl_group_column():
    """natural_language (nl_score > 0.525), code (< 0.4), or null in between / without a score."""
    from pyspark.sql import functions as F

    return F.when(F.col("nl_score") > NL_THRESHOLD, "natural_language").when(F.col("nl_score") < CODE_THRESHOLD, "code")
