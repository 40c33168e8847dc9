"""The command line: one flag, two spellings (`--run-id` documented, `--run_id` accepted), values untouched."""

from calculate_metrics import overrides_from_args, parse_args


def test_dash_and_underscore_spellings_are_one_flag():
    dashed = parse_args(["--run-id", "a_b", "--bad-records", "raise", "--sample-size=5", "--local-inputs", "x_y.parquet", "--dry-run"])
    underscored = parse_args(["--run_id", "a_b", "--bad_records", "raise", "--sample_size=5", "--local_inputs", "x_y.parquet", "--dry_run"])
    assert vars(dashed) == vars(underscored)
    assert overrides_from_args(dashed) == {
        "run": {"run_id": "a_b", "dry_run": True},
        "data": {"local_inputs": "x_y.parquet", "sample_size": 5, "bad_records": "raise"},
    }


def test_help_lists_the_subcommands_and_flags_still_run_the_main_job(capsys):
    import pytest

    with pytest.raises(SystemExit):
        parse_args(["--help"])
    assert "report" in capsys.readouterr().out
    assert parse_args(["report", "outputs/x"]).run_dir == "outputs/x"
    assert parse_args(["--sample", "--quiet"]).command is None
