"""Personal data in text: emails, phone numbers, IP addresses, payment cards, IBANs, national ids with a checksum.

docs/METRICS.md, 'Sensitive content'. Each kind is a candidate shape (a regex: no library finds these
shapes in free text, except phonenumbers, which is used for phones) confirmed by the validator of a
well-kept library: `phonenumbers` (a valid number for its region, its digit groups exactly as the region
formats them: EXACT_GROUPING), `ipaddress` (a valid address; public = `is_global`), `python-stdnum` (Luhn with a card brand's
prefix and length, IBAN mod 97, the check digit or letter of each national id). The candidate shapes are
what keeps precision on code: a bounded run (no letter, digit or dot glued to it), and no version context
before a dotted quad.
"""

from __future__ import annotations

import ipaddress
import re
from functools import cache

from metrics.text_findings import Finding

# A written phone number: optional +country code, then digit groups with separators (or a parenthesized area code).
# phonenumbers checks each such candidate (and a few characters around it), not the whole text: ~100x faster.
PHONE_CANDIDATE = re.compile(
    r"(?<![\w.+\-/])(?:\+\d{1,3}[ .\-]?)?(?:\(\d{1,5}\)[ .\-]?|\d{1,5}[ .\-/])(?:\d{2,5}[ .\-/]){0,3}\d{2,8}(?![\w\-/]|\.\d)"
)
PHONE_CONTEXT = 2  # characters either side handed to phonenumbers with a candidate
# What every candidate of 7+ digits contains: 7 digits with at most two separator characters between neighbours.
PHONE_GATE = re.compile(r"\d(?:[ .\-/()]{0,2}\d){6,}")
EMAIL = re.compile(
    r"(?<![\w.%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@((?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})(?![\w\-]|\.\w)"
)
# Reserved for documentation (RFC 2606, RFC 6761) or file names that look like domains (icon@2x.png).
NOT_MAIL_DOMAINS = re.compile(r"(?:^|\.)(?:example\.(?:com|org|net)|example|test|invalid|localhost|local)$", re.IGNORECASE)
FILE_EXTENSIONS = {"png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "js", "css", "html", "htm", "json", "py", "ts", "md", "txt", "xml"}
IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?!\w|\.\d)")
IPV6 = re.compile(r"(?<![\w:.])(?=[0-9A-Fa-f:]*\d)(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
IPV6_MIN_GROUPS = 3  # "::1" alone and slices such as x[1::2] (valid addresses to ipaddress) are left out
# A dotted quad that a version names (AssemblyVersion("1.0.0.0"), oldVersion="1.0.0.0-3.0.0.0", v 2.1.0.4) is not an IP.
VERSION_BEFORE = re.compile(r"(?:(?:version|release|build)\w*|\bv(?:er)?\.?)[\s\"'=:(>\-\d.]{0,24}$", re.IGNORECASE)
CARD = re.compile(
    r"(?<![\w.\-])\d{4}(?:([ \-]?)\d{4}){2}(?:\1\d{1,4}){0,2}(?![\w\-]|\.\d)|(?<![\w.\-])\d{4}([ \-]?)\d{6}\2\d{5}(?![\w\-]|\.\d)"
)
CARD_CONTEXT = re.compile(r"card|\bcc\b|cc_?num|credit|debit|visa|master|amex|american express|discover|\bpan\b|payment", re.IGNORECASE)
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
NATIONAL_IDS = (  # (candidate shape, python-stdnum module): ids whose number carries a check digit or letter
    (re.compile(r"(?<![\w.+\-])\d{8}-?[A-Z]\b(?![\-+]\d)"), "stdnum.es.dni"),  # not the mantissa of 1.38435736E+12
    (re.compile(r"(?<![\w.+\-])[XYZ]-?\d{7}-?[A-Z]\b"), "stdnum.es.nie"),
    (re.compile(r"(?<![\w.])[A-Z]{6}\d{2}[A-EHLMPRST]\d{2}[A-Z]\d{3}[A-Z]\b"), "stdnum.it.codicefiscale"),
    (re.compile(r"(?<![\d.])\d{3}\.\d{3}\.\d{3}-\d{2}(?![\d\-])"), "stdnum.br.cpf"),
    (re.compile(r"(?<![\w.+\-])\d{6}[-+A]\d{3}[0-9A-Y]\b"), "stdnum.fi.hetu"),
    (re.compile(r"(?<![\d\-])\d{6}[-+]\d{4}(?![\d\-])"), "stdnum.se.personnummer"),
    (re.compile(r"(?<!\d)(?<!\d )[2-9]\d{3} \d{4} \d{4}(?! ?\d)"), "stdnum.in_.aadhaar"),  # not 3 groups of a card
    (re.compile(r"(?<!\d)\d{17}[\dX](?![\dA-Za-z])"), "stdnum.cn.ric"),
)
# Issuer prefixes and lengths of the major card brands (ISO/IEC 7812 IIN ranges as the brands publish them).
CARD_BRANDS = (
    (re.compile(r"4"), (13, 16, 19)),  # Visa
    (re.compile(r"5[1-5]|2(?:2[2-9][1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)"), (16,)),  # Mastercard
    (re.compile(r"3[47]"), (15,)),  # American Express
    (re.compile(r"6(?:011|5|4[4-9])"), (16, 19)),  # Discover
    (re.compile(r"35(?:2[89]|[3-8])"), (16, 19)),  # JCB
    (re.compile(r"3(?:0[0-5]|[68])"), (14,)),  # Diners Club
)


def emails(text: str) -> list[Finding]:
    """E-mail addresses, except documentation domains (example.com, .test...) and file names (icon@2x.png)."""
    out = []
    for match in EMAIL.finditer(text):
        domain = match.group(1)
        if NOT_MAIL_DOMAINS.search(domain) or domain.rsplit(".", 1)[-1].lower() in FILE_EXTENSIONS:
            continue
        out.append(Finding("email", match.start(), match.end()))
    return out


def phone_numbers(text: str, regions: tuple[str, ...]) -> list[Finding]:
    """Numbers that `phonenumbers` finds valid and grouped as their region formats them (+international in any region).

    Only grouped numbers count: an ungrouped digit run, or "220 3000234" (an NNTP reply code and an article number
    that happen to be valid US digits), is an id, a count or a timestamp far more often than a phone.
    """
    candidates = [m for m in PHONE_CANDIDATE.finditer(text) if 7 <= sum(c.isdigit() for c in m.group()) <= 15]  # E.164: <= 15
    if not candidates:
        return []
    import phonenumbers

    spans = set()
    for candidate in candidates:
        first = max(0, candidate.start() - PHONE_CONTEXT)
        window = text[first : candidate.end() + PHONE_CONTEXT]
        digits = "".join(c for c in candidate.group() if c.isdigit())
        for region in regions:
            if not candidate.group().startswith("+") and not _may_be_valid_in_region(digits, region):
                continue
            for match in phonenumbers.PhoneNumberMatcher(window, region, leniency=phonenumbers.Leniency.EXACT_GROUPING):
                if not match.raw_string.isdigit():
                    spans.add((first + match.start, first + match.end))
    return [Finding("phone_number", start, end) for start, end in sorted(spans)]


def _may_be_valid_in_region(digits: str, region: str) -> bool:
    """False only when phonenumbers cannot find the digits valid in `region`: its validity test starts by matching the
    national number against the region's general pattern (after an international or national prefix). ~1 us where
    the matcher costs 50-400 us; regions whose national prefix is a rule rather than digits are left to phonenumbers."""
    rule = _region_rule(region)
    if rule is None:
        return True
    general, international, prefixes = rule
    if international.match(digits):
        return True
    # parse() may strip the country code and then the national prefix (or either alone) before testing the rest
    once = [digits[len(p) :] for p in prefixes if digits.startswith(p)]
    twice = [rest[len(p) :] for rest in once for p in prefixes if rest.startswith(p)]
    return any(general.fullmatch(national) for national in (digits, *once, *twice))


@cache
def _region_rule(region: str) -> tuple[re.Pattern, re.Pattern, tuple[str, ...]] | None:
    import phonenumbers

    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    parsing = (metadata.national_prefix_for_parsing or "").split("|")
    if not all(part.isdigit() for part in parsing if part) or metadata.international_prefix is None:
        return None
    prefixes = tuple({*(p for p in parsing if p), metadata.national_prefix or "", str(metadata.country_code)} - {""})
    return re.compile(metadata.general_desc.national_number_pattern), re.compile(metadata.international_prefix), prefixes


def ip_addresses(text: str) -> list[Finding]:
    """IPv4 and IPv6 addresses valid for `ipaddress`; kind ip_public (globally routable) or ip_private_or_reserved (the rest)."""
    out = []
    for pattern in (IPV4, IPV6):
        for match in pattern.finditer(text):
            if pattern is IPV4 and VERSION_BEFORE.search(text, max(0, match.start() - 40), match.start()):
                continue
            if pattern is IPV6 and sum(1 for group in match.group().split(":") if group) < IPV6_MIN_GROUPS:
                continue
            try:
                address = ipaddress.ip_address(match.group())
            except ValueError:
                continue
            out.append(Finding("ip_public" if address.is_global else "ip_private_or_reserved", match.start(), match.end()))
    return out


def payment_cards(text: str) -> list[Finding]:
    """Card numbers with a brand's prefix and length that pass Luhn; written without separators, only where the text
    names a card just before (a bare 16-digit run that passes Luhn is a hash or an id one time in ten)."""
    from stdnum import luhn

    out = []
    for match in CARD.finditer(text):
        digits = re.sub(r"[ \-]", "", match.group())
        if len(set(digits)) > 1 and _card_brand_fits(digits) and luhn.is_valid(digits):
            if digits == match.group() and not CARD_CONTEXT.search(text, max(0, match.start() - 40), match.start()):
                continue
            out.append(Finding("payment_card", match.start(), match.end()))
    return out


def _card_brand_fits(digits: str) -> bool:
    return any(prefix.match(digits) and len(digits) in lengths for prefix, lengths in CARD_BRANDS)


def ibans(text: str) -> list[Finding]:
    """IBANs that pass python-stdnum's country format and mod-97 check; a candidate that overran is cut back a group at a time."""
    from stdnum import iban

    out = []
    for match in IBAN.finditer(text):
        candidate = match.group()
        for _ in range(3):
            if iban.is_valid(candidate):
                out.append(Finding("iban", match.start(), match.start() + len(candidate)))
                break
            cut = candidate.rfind(" ")
            if cut < 0:
                break
            candidate = candidate[:cut]
    return out


def national_ids(text: str) -> list[Finding]:
    """Identifiers of the NATIONAL_IDS shapes whose check digit or letter python-stdnum confirms."""
    import importlib

    out = []
    for pattern, module in NATIONAL_IDS:
        validator = None
        for match in pattern.finditer(text):
            validator = validator or importlib.import_module(module)
            if validator.is_valid(match.group()):
                out.append(Finding("national_id", match.start(), match.end()))
    return out


DETECTORS = {  # name -> (the detector, the candidate patterns every finding of it matches: its gate, metrics/regex_gates.py)
    "email": (emails, (EMAIL,)),
    "iban": (ibans, (IBAN,)),
    "payment_card": (payment_cards, (CARD,)),
    "national_id": (national_ids, tuple(pattern for pattern, _ in NATIONAL_IDS)),
    "ip_address": (ip_addresses, (IPV4, IPV6)),
}


def personal_data(text: str, phone_regions: tuple[str, ...], may_match: set[str] | None = None) -> list[Finding]:
    """Every kind of personal data in `text`; a span claimed by a more specific kind is not counted as a phone.

    `may_match`: the detectors (DETECTORS names and "phone_number") whose gate matched; None runs them all.
    """
    found = [f for name, (detect, _) in DETECTORS.items() if may_match is None or name in may_match for f in detect(text)]
    if may_match is None or "phone_number" in may_match:
        found += [phone for phone in phone_numbers(text, phone_regions) if not any(phone.overlaps(other) for other in found)]
    return sorted(found, key=lambda f: (f.start, f.kind))


def candidate_patterns() -> dict[str, tuple[re.Pattern, ...]]:
    """Each detector's candidate patterns, by name (phones included), for the gate set."""
    return {**{name: patterns for name, (_, patterns) in DETECTORS.items()}, "phone_number": (PHONE_GATE,)}
