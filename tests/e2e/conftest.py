"""One local sample run per test session, shared by the end-to-end, cluster and resume tests."""

from __future__ import annotations

import json
import urllib.request

import pytest

from calculate_metrics import main
from tests.e2e.sample_runs import sample_args


@pytest.fixture(scope="session")
def sample_run(sample_dir, spark, tmp_path_factory):
    """The run directory of the whole sample pipeline on local[2], two splits at a time (the cluster test's run, one at
    a time, must equal it row for row)."""
    output = tmp_path_factory.mktemp("local-run") / "out"
    first_job = max((job["jobId"] for job in spark_jobs(spark)), default=-1) + 1
    assert main(sample_args(sample_dir, output, "e2e", "--concurrent-splits", "2")) == 0
    jobs = [job for job in spark_jobs(spark) if job["jobId"] >= first_job]
    (output.parent / "spark_jobs.json").write_text(json.dumps(jobs))  # for the job-description test
    return output / "e2e"


def spark_jobs(spark) -> list[dict]:
    """Every job of the session as the Spark UI's REST API lists it (id, description, name), oldest first."""
    context = spark.sparkContext
    with urllib.request.urlopen(f"{context.uiWebUrl}/api/v1/applications/{context.applicationId}/jobs") as response:
        return sorted(json.load(response), key=lambda job: job["jobId"])
