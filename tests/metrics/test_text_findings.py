"""A finding's span: end exclusive, so touching spans do not overlap."""

from metrics.text_findings import Finding


def test_spans_that_share_a_character_overlap_and_touching_ones_do_not():
    a = Finding("email", 3, 8)
    assert a.overlaps(Finding("api_token", 7, 12)) and Finding("api_token", 7, 12).overlaps(a)
    assert a.overlaps(Finding("x", 0, 20)) and a.overlaps(Finding("x", 4, 5)) and a.overlaps(a)
    assert not a.overlaps(Finding("x", 8, 9)) and not a.overlaps(Finding("x", 0, 3))
