"""The columns every split has before its filters run."""

from utils.core.schema import BASE_SCHEMA, IDENTITY_SCHEMA, INCOMPLETE_REASON, INVALID_REASON, own_columns


def test_base_schema_holds_the_row_its_identity_and_both_reasons():
    assert BASE_SCHEMA.names[:3] == ["sequence_id", "tokens", "memorization_score"]
    assert set(IDENTITY_SCHEMA.names) < set(BASE_SCHEMA.names) and BASE_SCHEMA.names[-2:] == [INVALID_REASON, INCOMPLETE_REASON]


def test_own_columns_are_those_beyond_the_base_in_order():
    assert own_columns(["sequence_id", "label", "tokens", "source", "split"]) == ("label", "source")
    assert own_columns(BASE_SCHEMA.names) == ()
