"""A labelled set of realistic snippets (code, logs, configs, licences, prose, tables) with and without sensitive content.

Every value is fake and generated here from a seeded RNG, with valid checksums where the kind has one (Luhn
card numbers with a brand prefix, IBAN mod 97, the check letter or digits of national ids), so no real
person's data or real secret is ever in the repository. Hard negatives are what code is full of: version
numbers that look like IPs, hashes and UUIDs that look like keys, digit runs that look like phones or cards.
Used by tests/metrics/test_sensitive_content.py and benchmarks/sensitive_content.py.
"""

from __future__ import annotations

import ipaddress
import random
import string

from stdnum import iban, luhn, verhoeff
from stdnum.br import cpf
from stdnum.cn import ric
from stdnum.es import dni

FIRST = ["jane", "omar", "li", "maria", "kwame", "sven", "aiko", "pablo", "nadia", "tom"]
LAST = ["doe", "haddad", "wei", "rossi", "mensah", "larsen", "sato", "ortega", "petrova", "baker"]
DOMAINS = ["fastmail.fm", "uni-bonn.de", "mit.edu", "acme-corp.co.uk", "gmx.net", "posteo.de", "cs.toronto.ca", "yahoo.co.jp"]
AREA_CODES = ["212", "312", "415", "617", "646", "713", "206", "303", "512", "919"]
B64 = string.ascii_letters + string.digits + "+/"


def _email(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)}{rng.choice(['.', '_', ''])}{rng.choice(LAST)}{rng.randint(1, 99)}@{rng.choice(DOMAINS)}"


def _phone(rng: random.Random) -> str:
    area, exchange, line = rng.choice(AREA_CODES), rng.randint(201, 989), rng.randint(1000, 9999)
    return rng.choice(
        [
            f"({area}) {exchange}-{line}",
            f"{area}-{exchange}-{line}",
            f"+1 {area} {exchange} {line}",
            f"+44 20 7{rng.randint(100, 999)} {rng.randint(1000, 9999)}",
            f"+49 30 {rng.randint(2000000, 8999999)}",
        ]
    )


def _public_ip(rng: random.Random) -> str:
    while True:
        address = ipaddress.IPv4Address(rng.randint(0x0B000000, 0xDF000000))
        if address.is_global:
            return str(address)


def _private_ip(rng: random.Random) -> str:
    return rng.choice(
        [
            f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            "127.0.0.1",
        ]
    )


def _card(rng: random.Random) -> str:
    prefix, length = rng.choice([("4", 16), ("51", 16), ("55", 16), ("37", 15), ("6011", 16)])
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    number = body + luhn.calc_check_digit(body)
    separator = rng.choice([" ", "-", ""])
    groups = [number[:4], number[4:10], number[10:]] if length == 15 else [number[i : i + 4] for i in range(0, 16, 4)]
    return separator.join(groups)


def _iban(rng: random.Random) -> str:
    country, bban = rng.choice(
        [
            ("DE", "".join(rng.choice(string.digits) for _ in range(18))),
            ("GB", "NWBK" + "".join(rng.choice(string.digits) for _ in range(14))),
            ("NL", "ABNA" + "".join(rng.choice(string.digits) for _ in range(10))),
        ]
    )
    number = country + iban.calc_check_digits(country + "00" + bban) + bban
    assert iban.is_valid(number), number
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4)) if rng.random() < 0.6 else number


def _national_id(rng: random.Random) -> str:
    kind = rng.choice(["dni", "cpf", "ric", "aadhaar"])
    if kind == "aadhaar":
        digits = str(rng.randint(2, 9)) + "".join(rng.choice(string.digits) for _ in range(10))
        full = digits + verhoeff.calc_check_digit(digits)
        return f"{full[:4]} {full[4:8]} {full[8:]}"
    if kind == "dni":
        digits = "".join(rng.choice(string.digits) for _ in range(8))
        return digits + dni.calc_check_digit(digits)
    if kind == "cpf":
        digits = "".join(rng.choice(string.digits) for _ in range(9))
        full = digits + cpf._calc_check_digits(digits)  # stdnum keeps it private; the public is_valid checks it
        return f"{full[:3]}.{full[3:6]}.{full[6:9]}-{full[9:]}"
    while True:  # a county code must exist at the birth date (python-stdnum checks it): draw again until it does
        birth = f"{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        body = f"{rng.choice(['110105', '310101', '440305'])}{birth}{rng.randint(0, 999):03d}"
        number = body + ric.calc_check_digit(body + "0")  # stdnum takes the whole number and ignores its last character
        if ric.is_valid(number):
            return number


def _token(rng: random.Random, alphabet: str, length: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


def _api_token(rng: random.Random) -> str:
    return rng.choice(
        [
            "AKIA" + _token(rng, string.ascii_uppercase + string.digits, 16),
            "ghp_" + _token(rng, string.ascii_letters + string.digits, 36),
            "xoxb-"
            + str(rng.randint(10**10, 10**11))
            + "-"
            + str(rng.randint(10**10, 10**11))
            + "-"
            + _token(rng, string.ascii_lowercase + string.digits, 24),
            "sk_live_" + _token(rng, string.ascii_letters + string.digits, 24),
            "SG." + _token(rng, string.ascii_letters + string.digits, 22) + "." + _token(rng, string.ascii_letters + string.digits, 43),
        ]
    )


POSITIVES = {  # kind -> templates of realistic contexts; {v} is the value
    "email": [
        "Copyright (c) 2014 {name} <{v}>\n\nPermission is hereby granted, free of charge, to any person",
        "# Author: {name} ({v})\n# Maintainer: see AUTHORS\nimport os\n",
        "If you have questions, please email me at {v} and I will get back to you within a week.",
        "From: {v}\nTo: list@lists.debian.org\nSubject: Re: [PATCH] fix build on arm64\n",
        "| {name} | {v} | Engineering |\n| ---- | ---- | ---- |",
    ],
    "phone_number": [
        "For reservations call {v} or visit our office on Main Street.",
        "Contact: {name}, Tel. {v}, Fax on request",
        "<td>Phone</td><td>{v}</td>\n<td>Hours</td><td>9-5</td>",
        "Customer support is available at {v} Monday through Friday.",
    ],
    "ip_public": [
        "Jun 12 03:14:07 web01 sshd[2231]: Failed password for root from {v} port 52144 ssh2",
        "upstream backend {{\n    server {v}:8080;\n}}",
        '{v} - - [10/Oct/2000:13:55:36 -0700] "GET /index.html HTTP/1.0" 200 2326',
        "nameserver {v}\nsearch localdomain",
    ],
    "ip_private_or_reserved": [
        "DATABASE_HOST={v}\nDATABASE_PORT=5432",
        "ping {v} -c 4\nPING {v} 56(84) bytes of data.",
        'config.bind_address = "{v}"',
    ],
    "payment_card": [
        "Card number: {v}\nExpiry: 04/27\nCVV: ***",
        "Order #48213 paid with card {v} on 2019-03-02.",
        "cc_number,exp,name\n{v},11/25,{name}",
    ],
    "iban": [
        "Please transfer the fee to IBAN {v} (BIC COBADEFFXXX) before the deadline.",
        "Kontoinhaber: {name}\nIBAN: {v}\nVerwendungszweck: Rechnung 2019-17",
        '"iban": "{v}",\n"currency": "EUR"',
    ],
    "national_id": [
        "Nombre: {name}\nDNI/NIF: {v}\nDomicilio: Calle Mayor 1, Madrid",
        "CPF: {v} - cadastro ativo",
        "身份证号码: {v}",
        "Applicant id number {v} was verified by the registry.",
    ],
    "url_credentials": [
        'DATABASE_URL = "postgres://{user}:{secret}@db.internal:5432/app"',
        "git clone https://{user}:{secret}@gitlab.company.net/team/repo.git",
        "amqp://{user}:{secret}@rabbitmq:5672/vhost",
    ],
    "private_key": [
        "-----BEGIN RSA PRIVATE KEY-----\n{b64}\n{b64}\n-----END RSA PRIVATE KEY-----",
        "-----BEGIN OPENSSH PRIVATE KEY-----\n{b64}\n",
        "-----BEGIN PRIVATE KEY-----\n{b64}",
    ],
    "api_token": [
        'AWS_ACCESS_KEY_ID = "{token}"\nregion = "us-east-1"',
        "export GITHUB_TOKEN={token}\n./deploy.sh",
        'const client = new Client({{ apiKey: "{token}" }});',
        "curl -H 'Authorization: Bearer {token}' https://api.example.com/v1/items",
    ],
    "secret_assignment": [
        'DB_PASSWORD = "{secret}"\nDB_USER = "app"',
        'password: "{secret}"\nusername: admin',
        '$config["db_pass"] = "{secret}";',
    ],
    "high_entropy_string": [
        'SIGNING_SALT = "{b64}"',
        'ENCRYPTION_NONCE: "{b64}"',
        "COOKIE_SEAL = '{b64}'",
    ],
}

NEGATIVES = [  # realistic text that holds none of the kinds; {n}, {h}, {u}: random numbers, hex hashes, UUIDs
    'setup(name="pkg", version="1.{n1}.{n2}.{n3}", install_requires=["numpy>=1.{n1}"])',
    '[assembly: AssemblyVersion("{n1}.0.{n2}.0")]\n[assembly: AssemblyFileVersion("{n1}.0.{n2}.0")]',
    "commit {h}\nAuthor: build-bot\nDate:   Mon Jan 7 2019\n\n    Bump version to {n1}.{n2}.{n3}",
    '"resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz",\n"integrity": "sha1-{h}"',
    'id = "{u}"\nname = "session"',
    "SNMP OID 1.3.6.1.4.1.{n1}.{n2} reports ifInOctets",
    "Table 3: results\n| year | 2015 | 2016 | 2017 | 2018 |\n| n | {n4} | {n5} | {n6} | {n7} |",
    "for (int i = 0; i < {n4}; i++) {{ buf[i] = (uint8_t)(i * 2654435761u); }}",
    "x = np.array([{n1}, {n2}, {n3}, {n4}, {n5}, {n6}, {n7}])",
    "The population grew from {n4},{n5:03d} in 1990 to {n6},{n7:03d} in 2010 (a rise of {n1}.{n2} per cent).",
    "ISBN 978-3-16-148410-0. Printed in 2004. All rights reserved.",
    'timestamp=1514764800{n1} level=INFO msg="request served" duration_ms={n4}',
    "color: #{h6}; background: #{h6b};\nmargin: 0 {n1}px;",
    "const MAGIC = 0x{h8}; // file signature\nconst SEED = {n4}{n5};",
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
    "Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files",
    "Call the function with retries=3 and timeout=30 to avoid flaky tests on CI.",
    'password = os.environ["DB_PASSWORD"]\nsecret = get_secret(name)',
    'password: ${{DB_PASSWORD}}\napi_key: "{{{{ vault_api_key }}}}"',
    "import icon from './assets/icon@2x.png';\nimport logo from './logo@3x.png';",
    "Send mail to user@example.com or admin@localhost for the test setup.",
    "Coordinates: 40.{n4}, -74.{n5}; elevation 10 m.",
    "Invoice 2019-{n4}-{n5} total 1,{n6:03d}.{n1:02d} USD due 2019-05-21",
    "at org.apache.catalina.core.StandardWrapperValve.invoke(StandardWrapperValve.java:{n4})\n\tat java.lang.Thread.run(Thread.java:748)",
    "pip install torch==2.{n1}.{n2} torchvision==0.{n3}.{n1}",
    "Server: Apache/2.4.{n1} (Ubuntu) OpenSSL/1.1.1{n2}",
    "order_id,amount\n{n4}{n5}{n6}{n7},12.50\n{n5}{n6}{n7}{n4},7.99",
    'sha256 = "{h}{h}"[:64]\nchecksum = "{h}"',
    "std::vector<int> v; std::map<std::string, int> m; a::b::c();",
    "evens = x[::2]; odds = x[1::2]; back = x[-2::-1]",
    '_SK_START = b"-----BEGIN OPENSSH PRIVATE KEY-----"\n_SK_END = b"-----END OPENSSH PRIVATE KEY-----"',
    "def load(private_key: ec.EllipticCurvePrivateKey, password: bytes) -> None:",
    "seq = 'AAACCATCTCTACCGGTTCGCTTTCACTGGATATCGCGCTTGGGGCA'",
    ">>> Decimal('1.38435736E+12')",
    "In 1998, 2001 and 2004 the committee met at 10:30:45 on Tuesdays.",
]


def labelled_snippets(count_per_kind: int = 40, negatives: int = 600, seed: int = 17) -> list[tuple[str, frozenset[str]]]:
    """(text, kinds it holds) pairs: `count_per_kind` positives of each kind and `negatives` hard negatives."""
    rng = random.Random(seed)
    values = {
        "email": _email,
        "phone_number": _phone,
        "ip_public": _public_ip,
        "ip_private_or_reserved": _private_ip,
        "payment_card": _card,
        "iban": _iban,
        "national_id": _national_id,
        "api_token": _api_token,
    }
    out = []
    for kind, templates in POSITIVES.items():
        for i in range(count_per_kind):
            template = templates[i % len(templates)]
            value = values[kind](rng) if kind in values else ""
            text = template.format(
                v=value,
                token=value,
                name=f"{rng.choice(FIRST).title()} {rng.choice(LAST).title()}",
                user=rng.choice(FIRST),
                secret=_token(rng, string.ascii_letters + string.digits, rng.randint(12, 20)),
                b64=_token(rng, B64, 44),
            )
            out.append((text, frozenset({kind})))
    for i in range(negatives):
        template = NEGATIVES[i % len(NEGATIVES)]
        text = template.format(
            n1=rng.randint(0, 30),
            n2=rng.randint(0, 99),
            n3=rng.randint(0, 999),
            n4=rng.randint(100, 9999),
            n5=rng.randint(100, 999),
            n6=rng.randint(100, 999),
            n7=rng.randint(100, 999),
            h="".join(rng.choice("0123456789abcdef") for _ in range(40)),
            h6="".join(rng.choice("0123456789abcdef") for _ in range(6)),
            h6b="".join(rng.choice("0123456789abcdef") for _ in range(6)),
            h8="".join(rng.choice("0123456789ABCDEF") for _ in range(8)),
            u="-".join("".join(rng.choice("0123456789abcdef") for _ in range(n)) for n in (8, 4, 4, 4, 12)),
        )
        out.append((text, frozenset()))
    return out


def agreement(snippets: list[tuple[str, frozenset[str]]], detect) -> dict[str, dict[str, float]]:
    """Per kind: true/false positives, misses, precision and recall of `detect(text) -> kinds` at the snippet level."""
    from metrics.sensitive_content import KINDS

    out = {}
    found = [set(detect(text)) for text, _ in snippets]
    for kind in KINDS:
        tp = sum(kind in f and kind in truth for f, (_, truth) in zip(found, snippets))
        fp = sum(kind in f and kind not in truth for f, (_, truth) in zip(found, snippets))
        fn = sum(kind not in f and kind in truth for f, (_, truth) in zip(found, snippets))
        out[kind] = {
            "true_positives": tp,
            "false_positives": fp,
            "misses": fn,
            "precision": tp / (tp + fp) if tp + fp else float("nan"),
            "recall": tp / (tp + fn) if tp + fn else float("nan"),
        }
    return out
