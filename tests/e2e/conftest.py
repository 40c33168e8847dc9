"""One local sample run per test session, shared by the end-to-end, cluster and resume tests."""

from __future__ import annotations

import pytest

from calculate_metrics import main
from tests.e2e.sample_runs import sample_args


@pytest.fixture(scope="session")
def sample_run(sample_dir, spark, tmp_path_factory):
    """The run directory of the whole sample pipeline on local[2], two splits at a time (the cluster test's run, one at
    a time, must equal it row for row)."""
    output = tmp_path_factory.mktemp("local-run") / "out"
    assert main(sample_args(sample_dir, output, "e2e", "--concurrent-splits", "2")) == 0
    return output / "e2e"
