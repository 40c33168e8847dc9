"""Split names: {scheme}.{size}[.{step}], and a clear error listing the valid ones."""

import pytest

from utils.core.errors import ConfigError
from utils.data.splits import parse_split_name


def test_unknown_split_lists_valid_ones():
    with pytest.raises(ConfigError, match="duped.12b.23000"):
        parse_split_name("memories", "duped.13b")
    split = parse_split_name("memories", "deduped.12b.123000")
    assert (split.scheme, split.model, split.step, split.name) == ("deduped", "12b", 123000, "deduped.12b.123000")
    assert parse_split_name("memories", "duped.1.4b").model == "1.4b"
