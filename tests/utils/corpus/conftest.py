"""Fixtures of the corpus-statistics tests."""

import pytest

from tests.utils.corpus.planted import planted_records


@pytest.fixture(scope="module")
def corpus_records():
    return planted_records()
