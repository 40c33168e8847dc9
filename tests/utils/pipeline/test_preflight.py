"""The checks before any work: the plan, the splits and their inputs, each provider's own checks, and --dry-run's plan."""

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from utils.core.errors import ConfigError, PipelineError
from utils.pipeline.config import build_config
from utils.pipeline.preflight import describe, prepare


def sample_config(sample_dir, **raw):
    return build_config({"sample": {"enabled": True, "directory": str(sample_dir)}, **raw})


def test_prepare_resolves_plan_inputs_and_checked_providers_once(sample_dir):
    config = sample_config(
        sample_dir, filters=["detokenize", "duplication", "likelihood"], data={"schemes": ["deduped"], "models": ["70m", "160m"]}
    )
    prepared = prepare(config)
    assert [cls.name for cls in prepared.plan.filters] == ["detokenize", "duplication", "likelihood"]
    assert [source.split.label for source in prepared.inputs] == ["memories/deduped.70m", "memories/deduped.160m"]
    kinds = sorted(type(provider).__name__ for provider in prepared.resources.providers)
    assert kinds == ["ModelProvider", "StatisticsProvider", "TokenizerProvider"]
    text = describe(config, prepared)
    assert "3 filter(s) in one fused pass: detokenize + duplication + likelihood" in text
    assert "memories/deduped.160m  <- " in text and "statistics: corpus default" in text and "model: " in text


def test_nothing_selected_is_an_error():
    with pytest.raises(PipelineError, match="No splits selected"):
        prepare(build_config({"data": {"datasets": []}, "filters": []}))


def test_a_local_column_named_like_an_output_column_is_refused(tmp_path, sample_dir):
    path = tmp_path / "mine.parquet"
    pq.write_table(pa.table({"sequence_id": [1], "tokens": [[1, 2]], "text": ["clash"]}), path)
    config = sample_config(sample_dir, data={"datasets": ["local"], "local_inputs": [str(path)]}, filters=["detokenize"])
    with pytest.raises(
        ConfigError, match=r"Split local/mine: .*mine.parquet has column\(s\) text, which the run also writes \(its filters\)"
    ):
        prepare(config)
