"""detect-secrets behind gates: each kind's span, the filters that keep code's look-alikes out (stubs, digests, DNA,
a key header without a key), one finding per span as its most specific kind, and the scanner's own gate set."""

import pytest

from metrics.sensitive_secrets import _deduplicated, secret_scanner
from metrics.text_findings import Finding
from tests.metrics.sensitive_cases import labelled_snippets


@pytest.fixture(scope="module")
def snippets():
    return labelled_snippets()


def test_the_secret_scanner_alone_uses_its_own_gates(snippets):
    from metrics.sensitive_secrets import SecretScanner

    scanner = SecretScanner()  # not the process's shared one: its own gate set is compiled here, on first use
    found = 0
    for text, _ in snippets:
        gated = scanner.scan(text)
        assert gated == scanner.scan(text, gated=False), text
        found += len(gated)
    assert found >= 200  # the secret kinds' snippets


def spans(text, **options):
    return [(f.kind, text[f.start : f.end]) for f in secret_scanner().scan(text, **options)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ('aws = "AKIAIOSFODNN7EXAMPL3"', [("api_token", "AKIAIOSFODNN7EXAMPL3")]),
        ('url = "https://admin:hunter2secret@db.internal/x"', [("url_credentials", "hunter2secret")]),
        ('db_password = "wX9!kq27Lmv"', [("secret_assignment", "wX9!kq27Lmv")]),
        ('NONCE = "Zm9vYmFyYmF6cXV4cXV1eHF1dXpjb3JnZ3JhdWx0"', [("high_entropy_string", "Zm9vYmFyYmF6cXV4cXV1eHF1dXpjb3JnZ3JhdWx0")]),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq98qX1c2\n-----END", [("private_key", "BEGIN RSA PRIVATE KEY")]),
        ("-----BEGIN RSA PRIVATE KEY-----", [("private_key", "BEGIN RSA PRIVATE KEY")]),  # the window cut after the header
    ],
)
def test_each_kind_and_the_span_it_covers(text, found):
    assert spans(text) == found


@pytest.mark.parametrize(
    "text",
    [
        'key = "-----BEGIN RSA PRIVATE KEY-----" in parser',  # a header inside code that parses keys: no key follows
        'passwd = "xxx"',  # shorter than MIN_SECRET_LENGTH
        'db_password = "changeme"',  # a placeholder
        'sha256 = "Zm9vYmFyYmF6cXV4cXV1eHF1dXpjb3JnZ3JhdWx0"',  # its line names a digest
        'seq = "ACCAGTACGTACGTACGTAC"',  # nucleotides shaped like an AWS key id
    ],
)
def test_what_only_looks_like_a_secret(text):
    assert spans(text) == []


def test_offsets_count_from_the_start_of_the_text_on_later_lines():
    text = 'a\nNONCE = "Zm9vYmFyYmF6cXV4cXV1eHF1dXpjb3JnZ3JhdWx0"\nb'
    assert spans(text) == spans(text, gated=False) == [("high_entropy_string", "Zm9vYmFyYmF6cXV4cXV1eHF1dXpjb3JnZ3JhdWx0")]


def test_only_the_plugins_the_caller_says_may_match_run():
    assert spans('db_password = "wX9!kq27Lmv"', may_match={"AWSKeyDetector"}) == []
    assert spans('db_password = "wX9!kq27Lmv"', may_match={"KeywordDetector"}) == [("secret_assignment", "wX9!kq27Lmv")]


def test_a_github_token_span_covers_the_whole_token():
    """GitHubTokenDetector reports its capture group ('ghp') as the secret; the span is still the whole token."""
    token = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"
    assert spans(f'token = "{token}"') == [("api_token", token)]


def test_one_finding_per_overlapping_span_the_most_specific_kind_first():
    found = [Finding("high_entropy_string", 0, 10), Finding("api_token", 2, 8), Finding("secret_assignment", 20, 30)]
    assert _deduplicated(found) == [Finding("api_token", 2, 8), Finding("secret_assignment", 20, 30)]
    assert _deduplicated([Finding("url_credentials", 5, 9), Finding("private_key", 8, 12)]) == [Finding("private_key", 8, 12)]
    assert _deduplicated([]) == []


def test_the_ip_plugin_is_left_to_the_personal_data_detector_and_every_plugin_has_a_gate():
    scanner = secret_scanner()
    assert "IPPublicDetector" not in scanner.plugins and set(scanner.patterns) == set(scanner.plugins)
    assert scanner.plugins["AWSKeyDetector"][1] == "api_token" and scanner.plugins["KeywordDetector"][1] == "secret_assignment"
