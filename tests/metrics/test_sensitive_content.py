"""Sensitive content: precision and recall per kind on the labelled snippets, hand cases, spans, and gates that never miss."""

import random

import pandas as pd
import pytest

from metrics.sensitive_content import KINDS, kinds_of, sensitive_findings
from tests.conftest import HUMAN_LABELS, require_shared
from tests.metrics.sensitive_cases import agreement, labelled_snippets


@pytest.fixture(scope="module")
def snippets():
    return labelled_snippets()


def test_precision_and_recall_per_kind_on_the_labelled_snippets(snippets):
    scores = agreement(snippets, lambda text: kinds_of(sensitive_findings(text)))
    for kind in KINDS:
        assert scores[kind]["true_positives"] >= 30, kind  # every kind is exercised
        assert scores[kind]["precision"] >= 0.95, (kind, scores[kind])
        assert scores[kind]["recall"] >= 0.85, (kind, scores[kind])


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("Mail me: anna.berg@posteo.de (weekdays)", ["email"]),
        ("Call +1 (415) 555-2671 or 020 7946 0958 now.", ["phone_number"]),
        ("Failed login from 8.8.4.4 and 192.168.1.20", ["ip_public", "ip_private_or_reserved"]),
        ("listen [2001:4860:4860::8888]:53 and fe80::1ff:fe23:4567:890a", ["ip_public", "ip_private_or_reserved"]),
        ("Visa 4111-1111-1111-1111, Amex 3782 822463 10005", ["payment_card"]),
        ("IBAN: GB82 WEST 1234 5698 7654 32.", ["iban"]),
        ("DNI 12345678Z; CPF 111.444.777-35", ["national_id"]),
        ("Aadhaar: 2341 2341 2346", ["national_id"]),
        ("mysql://root:S3cretPw99@10.1.2.3/db", ["ip_private_or_reserved", "url_credentials"]),
        ("-----BEGIN EC PRIVATE KEY-----", ["private_key"]),
        ('aws_access_key_id = "AKIAIOSFODNN7EXAMPL3"', ["api_token"]),
        ('db_password = "wX9!kq27Lmv"', ["secret_assignment"]),
        ('NONCE = "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"', ["high_entropy_string"]),
    ],
)
def test_each_kind_by_hand(text, kinds):
    assert kinds_of(sensitive_findings(text)) == kinds


@pytest.mark.parametrize(
    "text",
    [
        '[assembly: AssemblyVersion("1.0.0.0")]',  # a version, not an IP
        "version 2.4.1.3 of the driver; OID 1.3.6.1.4.1.311",
        '<AssemblyVersion>2.0.0.0</AssemblyVersion> <bindingRedirect oldVersion="1.0.0.0-3.0.0.0" newVersion="3.0.0.0"/>',
        '<assemblyIdentity name="System.Web.WebPages" publicKeyToken="31bf3856ad364e35"/>',  # a public key's token
        "Order 4111111111111112 was shipped",  # fails Luhn
        "ids: 1234567890123456, 9999999999999995",  # no card brand starts with 1 or 9 (the second even passes Luhn)
        "timestamp=1514764800123 duration_ms=4076",  # an ungrouped digit run is not a phone
        'sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"',  # a named digest
        'id = "123e4567-e89b-12d3-a456-426614174000"',  # a UUID
        "password = os.environ['DB_PASSWORD']",  # an indirect reference
        "std::vector<int> v; a::b::c();",
        "Contact admin@example.com; icon@2x.png",  # documentation domains, file names
        "In 1998, 2001 and 2004 the committee met at 10:30:45.",
        "IBAN DE89 3704 0044 0532 0130 01",  # mod-97 fails
    ],
)
def test_what_code_and_prose_are_full_of_does_not_fire(text):
    assert kinds_of(sensitive_findings(text)) == []


def test_spans_cover_the_value_and_never_carry_it():
    text = "x\nuser jane.doe@fastmail.fm; key AKIAIOSFODNN7EXAMPL3 end"
    findings = sensitive_findings(text)
    assert [(f.kind, text[f.start : f.end]) for f in findings] == [("email", "jane.doe@fastmail.fm"), ("api_token", "AKIAIOSFODNN7EXAMPL3")]
    assert all(set(vars(f)) == {"kind", "start", "end"} for f in findings)


def test_a_token_is_counted_once_as_its_most_specific_kind():
    findings = sensitive_findings('token = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"')
    assert [f.kind for f in findings] == ["api_token"]  # not also a high-entropy string or a keyword secret


def gated_equals_ungated(texts):
    for text in texts:
        assert sensitive_findings(text) == sensitive_findings(text, gated=False), text


def test_gates_never_change_a_finding_on_the_labelled_snippets(snippets):
    gated_equals_ungated([text for text, _ in snippets])


def test_gates_never_change_a_finding_on_real_pythia_text():
    texts = pd.read_csv(require_shared(HUMAN_LABELS))["shortened_text"].astype(str).tolist()
    gated_equals_ungated(texts)


def test_gates_never_change_a_finding_on_random_text():
    rng = random.Random(4)
    alphabet = "0123456789abcdefABCDEF .-:/@+()\"'=_\n\u0663\u00e9\u4e2d" + "AKIA" + "ghp_"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(5, 200))) for _ in range(400)]
    gated_equals_ungated(texts)


def test_empty_text():
    assert sensitive_findings("") == [] and sensitive_findings("", gated=False) == [] and kinds_of([]) == []
