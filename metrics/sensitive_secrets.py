"""Secrets in text with detect-secrets' plugins: private keys, URL credentials, API tokens, secret assignments, high entropy.

docs/METRICS.md, 'Sensitive content'. The plugins are Yelp's detect-secrets (the same regexes and entropy limits
its `scan` uses, 4.5 bits per base64 character and 3.0 per hex character, with its heuristic filters for
templated values, UUIDs, sequences and ids). All plugins cost ~200 us per line, so each runs only on the lines
where its gate matches (metrics/regex_gates.py): its own patterns, detect-secrets' keyword list for the keyword
plugin, and for the entropy plugins a quoted run long enough to reach their entropy limits (ENTROPY_GATES).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, cached_property

from metrics.text_findings import Finding

KIND_OF_PLUGIN = {  # detect-secrets plugin class -> our kind
    "PrivateKeyDetector": "private_key",
    "BasicAuthDetector": "url_credentials",
    "KeywordDetector": "secret_assignment",
    "Base64HighEntropyString": "high_entropy_string",
    "HexHighEntropyString": "high_entropy_string",
}
# Every other plugin detects one provider's token shape (AWS, GitHub, GitLab, Slack, Stripe, JWT, ...): api_token.
# IPPublicDetector is left out: IP addresses are found and told public from private in metrics/sensitive_personal.py.
LEFT_OUT = {"IPPublicDetector"}
# A text has no file type: with no extension the keyword plugin applies its type-neutral rules, which want the value
# quoted. Its YAML and INI rules (unquoted `password: x`) were tried and dropped: on real code they fire on type
# annotations (`password: bytes`) and attribute paths (`"secretName": self.secret_name`).
FILENAME = "text"
MIN_SECRET_LENGTH = 6  # a keyword's value shorter than this is a flag, a placeholder or a test stub, not a credential
NOT_SECRET_VALUES = {"true", "false", "yes", "no", "none", "null", "required", "optional", "changeme", "password"}
DNA = re.compile(r"[ACGTN]+")  # a run of nucleotides that happens to start like an AWS key id (ACCA...)
# A key block's header followed by its base64 body (after optional `Name: value` header lines), or the header at the
# end of the text (the 64-token window cut it there); a header inside a string constant of code that parses keys is not.
PRIVATE_KEY_BODY = re.compile(r"[^\n]*\n[ \t]*(?:[\w-]+:[^\n]*\n[ \t]*)*[A-Za-z0-9+/=]{16,}|[\s-]*$")
# A high-entropy value that its line names as a digest or a public identifier is no secret.
NOT_SECRET_CONTEXT = re.compile(r"sha\d*|md5|hash|checksum|digest|integrity|commit|etag|fingerprint|public_?key|guid|uuid", re.IGNORECASE)
ENTROPY_LIMITS = {"Base64HighEntropyString": 4.5, "HexHighEntropyString": 3.0}  # detect-secrets' defaults
# The entropy plugins only look inside quotes, and n characters carry at most log2(n) bits each: a quoted run of
# 23+ base64 characters (2^4.5 = 22.6) or 8+ hex digits (2^3) is what can reach the limits.
ENTROPY_GATES = {
    "Base64HighEntropyString": r"""['"][A-Za-z0-9+/\\\-_=]{23,}['"]""",
    "HexHighEntropyString": r"""['"][0-9a-fA-F]{8,}['"]""",
}


class SecretScanner:
    """detect-secrets' plugins, each behind its gate; `scan(text)` lists the secrets found, with character spans."""

    def __init__(self):
        from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
        from detect_secrets.plugins.keyword import DENYLIST

        self.plugins: dict[str, tuple[object, str]] = {}  # plugin name -> (plugin, kind)
        self.patterns: dict[str, tuple[re.Pattern, ...]] = {}  # plugin name -> its gate's patterns
        for cls in get_mapping_from_secret_type_to_class().values():
            name = cls.__name__
            if name in LEFT_OUT:
                continue
            plugin = cls(limit=ENTROPY_LIMITS[name]) if name in ENTROPY_LIMITS else cls()
            self.plugins[name] = (plugin, KIND_OF_PLUGIN.get(name, "api_token"))
            if name in ENTROPY_LIMITS:
                self.patterns[name] = (re.compile(ENTROPY_GATES[name]),)
            elif name == "KeywordDetector":
                self.patterns[name] = (re.compile("|".join(DENYLIST), re.IGNORECASE),)  # every keyword rule contains one
            else:
                self.patterns[name] = tuple(plugin.denylist)

    @cached_property
    def gates(self):
        """The plugins' own gate set (metrics/regex_gates.GateSet), compiled on first use: a caller that already
        holds a set over these patterns (metrics/sensitive_content.detector_gates) passes `gates_of` instead."""
        from metrics.regex_gates import GateSet

        return GateSet(self.patterns)

    def scan(
        self,
        text: str,
        may_match: set[str] | None = None,
        gated: bool = True,
        gates_of: Callable[[str], set[str]] | None = None,
    ) -> list[Finding]:
        """`may_match`: plugin names whose gate matched the whole text (None: test here); `gates_of(line)`: the plugin
        names whose gate matches a line (default: this scanner's gate set). `gated=False` runs every plugin on every
        line: the reference that the gates are tested against (tests/metrics/test_sensitive_content.py)."""
        if not gated:
            candidates = set(self.plugins)
        else:
            gates_of = gates_of or self.gates.matching
            candidates = gates_of(text) & self.plugins.keys() if may_match is None else may_match & self.plugins.keys()
        if not candidates:
            return []
        found: list[Finding] = []
        offset = 0
        for line in text.split("\n"):
            on_line = gates_of(line) & candidates if gated and "\n" in text else candidates
            if on_line:
                found.extend(self._scan_line(line, offset, on_line))
            offset += len(line) + 1
        found = [f for f in found if f.kind != "private_key" or PRIVATE_KEY_BODY.match(text, f.end)]
        return _deduplicated(found)

    def _scan_line(self, line: str, offset: int, names: set[str]) -> list[Finding]:
        from detect_secrets.filters import heuristic

        out = []
        for name in sorted(names):
            plugin, kind = self.plugins[name]
            for secret in plugin.analyze_line(filename=FILENAME, line=line, line_number=1):
                value = secret.secret_value or ""
                if kind in ("secret_assignment", "high_entropy_string") and _filtered(heuristic, value, line, plugin):
                    continue
                if kind == "high_entropy_string" and NOT_SECRET_CONTEXT.search(line):
                    continue  # sha256 = "...", "integrity": ..., publicKeyToken="..."
                if kind == "api_token" and DNA.fullmatch(value):
                    continue
                if kind == "secret_assignment" and (len(value) < MIN_SECRET_LENGTH or value.lower() in NOT_SECRET_VALUES):
                    continue  # a flag or a stub: MODULE_PWD_STATE = "yes", passwd = "xxx"
                start, end = _value_span(plugin, value, line)
                out.append(Finding(kind, offset + start, offset + end))
        return out


def _value_span(plugin, value: str, line: str) -> tuple[int, int]:
    """Where the secret is in its line. A regex plugin reports its first capture group as the value; where that
    group is only the token's type prefix (GitHubTokenDetector's `(ghp|gho|...)_[A-Za-z0-9_]{36}` reports `ghp`),
    the whole match is the token."""
    for pattern in getattr(plugin, "denylist", ()):
        for match in pattern.finditer(line):
            if match.groups() and match.group(1) == value and match.start(1) == match.start() and match.end(1) < match.end():
                if line[match.end(1)] == "_":
                    return match.span()
    start = line.find(value) if value else -1
    start = max(start, 0)
    return start, start + (len(value) if value else len(line))


def _filtered(heuristic, value: str, line: str, plugin) -> bool:
    """detect-secrets' own false-positive heuristics for keyword and entropy findings (what its `scan` applies)."""
    return (
        heuristic.is_sequential_string(value)
        or heuristic.is_potential_uuid(value)
        or heuristic.is_likely_id_string(value, line, plugin)
        or heuristic.is_templated_secret(value)
        or heuristic.is_prefixed_with_dollar_sign(value)
        or heuristic.is_indirect_reference(line)
        or heuristic.is_not_alphanumeric_string(value)
    )


def _deduplicated(findings: list[Finding]) -> list[Finding]:
    """One finding per span: a token that is also a high-entropy string counts once, as the more specific kind."""
    order = {"private_key": 0, "url_credentials": 1, "api_token": 2, "secret_assignment": 3, "high_entropy_string": 4}
    kept: dict[tuple[int, int], Finding] = {}
    for finding in sorted(findings, key=lambda f: order[f.kind]):
        if not any(finding.overlaps(other) for other in kept.values()):
            kept[(finding.start, finding.end)] = finding
    return sorted(kept.values(), key=lambda f: f.start)


@cache
def secret_scanner() -> SecretScanner:
    """One scanner per process (compiling the gate and the plugins takes ~50 ms)."""
    return SecretScanner()
