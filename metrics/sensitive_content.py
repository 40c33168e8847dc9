"""Which kinds of personal data and secrets a text holds, and how many (docs/METRICS.md, 'Sensitive content').

Personal data: metrics/sensitive_personal.py; secrets: metrics/sensitive_secrets.py (detect-secrets). A span
is counted once, as its most specific kind (an API token is not also a high-entropy string). The matched
strings are never returned: the output must not become a new copy of the secrets.
"""

from __future__ import annotations

from functools import cache

from metrics.regex_gates import GateSet
from metrics.sensitive_personal import candidate_patterns, personal_data
from metrics.sensitive_secrets import secret_scanner
from metrics.text_findings import Finding

KINDS = (
    "email",
    "phone_number",
    "ip_public",
    "ip_private_or_reserved",
    "payment_card",
    "iban",
    "national_id",
    "url_credentials",
    "private_key",
    "api_token",
    "secret_assignment",
    "high_entropy_string",
)
KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}


@cache
def detector_gates() -> GateSet:
    """One RE2 set over every detector's candidate patterns (personal:<detector>, secret:<plugin>), built once per process."""
    personal = {f"personal:{name}": patterns for name, patterns in candidate_patterns().items()}
    secrets = {f"secret:{name}": patterns for name, patterns in secret_scanner().patterns.items()}
    return GateSet({**personal, **secrets})


def sensitive_findings(text: str, phone_regions: tuple[str, ...] = ("US",), gated: bool = True) -> list[Finding]:
    """Every finding in `text`, in text order; a secret span that is also personal data (a URL's password, an
    e-mail inside a token) counts as the secret only. Detectors whose gate does not match the text are skipped;
    `gated=False` runs them all (the reference the gates are tested against)."""
    if gated:
        hit = detector_gates().matching(text)
        if not hit:
            return []
        personal_hit = {name.split(":", 1)[1] for name in hit if name.startswith("personal:")}
        secret_hit = {name.split(":", 1)[1] for name in hit if name.startswith("secret:")}
        secrets = secret_scanner().scan(text, secret_hit, gates_of=_secret_gates_matching) if secret_hit else []
        personal = personal_data(text, phone_regions, personal_hit) if personal_hit else []
    else:
        secrets = secret_scanner().scan(text, gated=False)
        personal = personal_data(text, phone_regions)
    personal = [p for p in personal if not any(p.overlaps(s) for s in secrets)]
    return sorted([*personal, *secrets], key=lambda f: (f.start, KIND_ORDER[f.kind]))


def _secret_gates_matching(line: str) -> set[str]:
    """The secret plugins whose gate matches `line`, from the one combined set (not the scanner's own copy)."""
    return {name[len("secret:") :] for name in detector_gates().matching(line) if name.startswith("secret:")}


def kinds_of(findings: list[Finding]) -> list[str]:
    """The distinct kinds, in KINDS order."""
    return sorted({f.kind for f in findings}, key=KIND_ORDER.__getitem__)
