"""taxonomy: recitation > reconstruction > recollection, the threshold, nulls, and its plan checks."""

import pyarrow as pa
import pytest

from filters import get_filter
from filters.taxonomy import TaxonomySettings
from utils.core.errors import ConfigError
from utils.core.resources import Resources
from utils.pipeline.plan import build_plan


def categories(duplicates, templating, threshold=6):
    batch = pa.RecordBatch.from_pydict(
        {"sequence_duplicates": pa.array(duplicates, pa.int64()), "is_templating": pa.array(templating, pa.bool_())}
    )
    return get_filter("taxonomy")(Resources([TaxonomySettings(threshold)])).compute(batch)["taxonomy"].to_pylist()


def test_categories_and_threshold():
    assert categories([6, 5, 5, 1000, None, 3], [False, True, False, True, True, None]) == [
        "recitation",
        "reconstruction",
        "recollection",
        "recitation",
        None,
        None,
    ]
    assert categories([5, 2], [False, False], threshold=2) == ["recitation", "recitation"]


def test_needs_duplication_and_patterns_before_it():
    with pytest.raises(ConfigError, match="reads sequence_duplicates, is_templating, which no earlier step provides"):
        build_plan(("taxonomy",))
    with pytest.raises(ConfigError, match="Put duplication before it"):
        build_plan(("detokenize", "patterns", "taxonomy", "duplication"))
    assert build_plan(("detokenize", "patterns", "duplication", "taxonomy")).output_schema.field("taxonomy").type == pa.string()


def test_the_threshold_must_be_at_least_one():
    with pytest.raises(ConfigError, match="taxonomy.recitation_threshold must be >= 1, got 0"):
        TaxonomySettings(0).check()
    TaxonomySettings(1).check()
