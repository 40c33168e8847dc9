"""The analysis rows of one split of a run (docs/METRICS.md, 'Predictive model of memorization'): label = memorization
score 1, the features the split has, the taxonomy inputs, nl_score and the detection scores, with a hash of the
sequence id that decides the train/test split. Read by Spark from the run's Parquet (only the needed columns); rows
with a null label, feature or taxonomy input are left out and counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from utils.core.errors import ConfigError, DataSourceError

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
TAXONOMY_INPUTS = ("sequence_duplicates", "is_templating")
NL_SCORE = "nl_score"
HASH = "split_hash"
HASH_BITS = 52  # exact as a double
# The single scores whose power to detect memorization is reported, each with the direction stated beforehand: "lower"
# when a lower value should mean memorized (MIMIR's and Carlini et al. 2022's convention).
DETECTION_SCORES = {
    "loss": "lower",
    "sequence_perplexity": "lower",
    "prompt_perplexity": "lower",
    "generation_perplexity": "lower",
    "zlib_likelihood_ratio": "lower",
    "min_k_prob": "higher",
    "min_k_plus_plus": "higher",
    "continuation_log_prob": "higher",
    "mean_token_entropy": "lower",
    "sequence_duplicates": "higher",
    "0_8_snowclones": "higher",
    "0_8_templates": "higher",
    "templating_coverage": "higher",
    "zlib_ratio": "lower",
    "huffman_coding_length": "lower",
    "nl_score": "lower",
}


@dataclass
class AnalysisRows:
    """One split's analysis rows as a Spark DataFrame (all doubles but the hash), and what was used, left out and why."""

    frame: object  # DataFrame: label, split_hash, and one column per name in `columns`
    features: list[str]
    scores: list[str]  # detection scores present
    missing: dict[str, str] = field(default_factory=dict)  # wanted feature -> why it is not used
    rows: int = 0
    complete_rows: int = 0
    positives: int = 0
    has_taxonomy_inputs: bool = False
    has_nl_score: bool = False

    @property
    def columns(self) -> list[str]:
        return [name for name in self.frame.columns if name not in ("label", HASH)]


def source_columns(schema_names: list[str], wanted: list[str], semantic_thresholds: list[float]):
    """(name -> Spark column expression, missing name -> reason) for the wanted columns the split has."""
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


def load_rows(spark, split_path: str, label: str, wanted: list[str], semantic_thresholds: list[float], seed: int) -> AnalysisRows:
    """The split's complete rows (one Spark job counts rows, complete rows and memorized rows)."""
    from pyspark.sql import functions as F

    spark.sparkContext.setJobDescription(f"analyze {label}: read the schema")
    try:
        raw = spark.read.parquet(split_path)
    except Exception as error:
        raise DataSourceError(f"split {label}: cannot read {split_path}: {str(error).splitlines()[0]}") from None
    names = raw.columns
    if "memorization_score" not in names:
        raise DataSourceError(f"split {label}: {split_path} has no memorization_score column (the label of the analysis)")
    features, missing = source_columns(names, wanted, semantic_thresholds)
    if not features:
        raise ConfigError(f"split {label}: none of the features {', '.join(wanted)} are available ({missing})")
    has_taxonomy = set(TAXONOMY_INPUTS) <= set(names)
    extra, _ = source_columns(names, [*(TAXONOMY_INPUTS if has_taxonomy else ()), NL_SCORE, *DETECTION_SCORES], semantic_thresholds)
    columns = {**features, **{name: expression for name, expression in extra.items() if name not in features}}
    required = [*features, *(TAXONOMY_INPUTS if has_taxonomy else ())]
    complete = F.col("memorization_score").between(0.0, 1.0)  # not null, not NaN, a score (rows outside are flagged bad input)
    for name in required:
        complete = complete & columns[name].isNotNull() & ~F.isnan(columns[name])
    selected = raw.select(
        (F.col("memorization_score") == 1.0).cast("double").alias("label"),
        F.pmod(F.xxhash64(F.col("sequence_id"), F.lit(int(seed))), F.lit(1 << HASH_BITS)).alias(HASH),
        complete.alias("complete"),
        *[expression.alias(name) for name, expression in columns.items()],
    )
    spark.sparkContext.setJobDescription(f"analyze {label}: count rows")
    counts = selected.agg(
        F.count(F.lit(1)).alias("rows"),
        F.sum(F.col("complete").cast("long")).alias("complete"),
        F.sum(F.when(F.col("complete"), F.col("label"))).alias("positives"),
    ).first()
    return AnalysisRows(
        frame=selected.filter(F.col("complete")).drop("complete"),
        features=list(features),
        scores=[name for name in DETECTION_SCORES if name in columns],
        missing=missing,
        rows=int(counts["rows"]),
        complete_rows=int(counts["complete"] or 0),
        positives=int(counts["positives"] or 0),
        has_taxonomy_inputs=has_taxonomy,
        has_nl_score=NL_SCORE in columns,
    )
