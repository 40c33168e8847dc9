"""The columns every split has before its filters run (utils/data/sources.py) and the two reason columns."""

from __future__ import annotations

import pyarrow as pa

INVALID_REASON = "invalid_reason"
INCOMPLETE_REASON = "incomplete_metrics_reason"
# invalid_reason of rows whose input, rather than their tokens, is bad (docs/BAD_INPUT.md); metrics/tokens.py has the
# token reasons.
UNPARSEABLE_JSON_LINE = "unparseable_json_line"  # a JSON Lines line that is not a JSON object
NULL_SEQUENCE_ID = "null_sequence_id"  # no id: missing, null, or not an integer
INVALID_MEMORIZATION_SCORE = "memorization_score_not_in_0_1"  # NaN, outside [0, 1], or a string that is not a number

# Every split is normalized to these columns before the filters run (utils/data/sources.py).
IDENTITY_SCHEMA = pa.schema(
    [
        ("dataset", pa.string()),
        ("split", pa.string()),
        ("scheme", pa.string()),
        ("model", pa.string()),
        ("checkpoint", pa.int64()),
    ]
)
BASE_SCHEMA = pa.schema(
    [
        ("sequence_id", pa.int64()),
        ("tokens", pa.list_(pa.int32())),
        ("memorization_score", pa.float64()),
        *IDENTITY_SCHEMA,
        (INVALID_REASON, pa.string()),
        (INCOMPLETE_REASON, pa.string()),
    ]
)


def own_columns(columns: list[str]) -> tuple[str, ...]:
    """A split frame's columns beyond BASE_SCHEMA: the input's own (local inputs), passed through to the output."""
    return tuple(name for name in columns if name not in BASE_SCHEMA.names)
