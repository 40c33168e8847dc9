"""code_vs_nl through the CLI: a classifier that cannot be found is one error before any work."""

from calculate_metrics import main
from tests.e2e.sample_runs import sample_args


def test_missing_classifier_is_one_error_before_any_work(sample_dir, tmp_path, capsys):
    missing = tmp_path / "no-such-classifier"
    missing.mkdir()  # a directory without config.json or weights
    args = sample_args(sample_dir, tmp_path / "out", "missing", "--dry-run", config=f"code_vs_nl:\n  model: {missing}\n")
    assert main([*args, "--filters", "detokenize,code_vs_nl"]) == 2
    error = capsys.readouterr().err
    assert "no-such-classifier" in error and "safetensors" in error
    assert not (tmp_path / "out").exists()


def test_dry_run_names_the_classifier_and_its_natural_language_class(sample_dir, tmp_path, capsys):
    args = sample_args(sample_dir, tmp_path / "out", "dry", "--dry-run", quiet=False)
    assert main([*args, "--filters", "detokenize,code_vs_nl"]) == 0
    assert "code_vs_nl classifier: " in (out := capsys.readouterr().out) and "class 1 ('natural_language')" in out
