"""Deterministic synthetic documents of the kinds memorized sequences are made of.

Categories: boilerplate that the corpus duplicates many times (licence headers), incrementing and
repeating templates, ordinary prose, and code. Each generator takes a numpy Generator.
"""

from __future__ import annotations

import numpy as np

WORDS = (
    "the of and to in is that for it as was with be by on not he this are or his from at which but have an they "
    "you were her she there been one all we their has would when if so more no out up into do any time some could "
    "them other than then now only its over also after new two first these may way people between many year state "
    "government school river city council water report study model data results system market history music "
    "village station church family research method season film album league energy network theory"
).split()
NAMES = "alpha beta gamma delta value index count total result buffer offset item node parent child key size".split()
_WORDS = np.array(WORDS)  # indexed by random integers: much faster than rng.choice on a tuple

LICENCES = (
    "Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated "
    'documentation files (the "Software"), to deal in the Software without restriction, including without '
    "limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies.",
    'Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file except in '
    "compliance with the License. You may obtain a copy of the License at http://www.apache.org/licenses/LICENSE-2.0",
    "This program is free software: you can redistribute it and/or modify it under the terms of the GNU General "
    "Public License as published by the Free Software Foundation, either version 3 of the License, or (at your option)",
    "Redistribution and use in source and binary forms, with or without modification, are permitted provided that "
    "the following conditions are met: Redistributions of source code must retain the above copyright notice.",
)


def prose(rng: np.random.Generator) -> str:
    lengths = rng.integers(8, 18, size=int(rng.integers(4, 9))).tolist()
    picks = rng.integers(len(WORDS), size=sum(lengths)).tolist()
    sentences, position = [], 0
    for length in lengths:
        sentences.append(" ".join([WORDS[i] for i in picks[position : position + length]]).capitalize() + ".")
        position += length
    return " ".join(sentences)


def code(rng: np.random.Generator) -> str:
    if rng.integers(4) == 0:  # a LaTeX preamble: lines that share a prefix, which people label code, not templating
        packages = rng.permutation(["amsmath", "wasysym", "amsfonts", "amssymb", "amsbsy", "mathrsfs", "upgreek"])
        return "\\documentclass[12pt]{minimal}\n" + "".join(f"\\usepackage{{{p}}}\n" for p in packages) + "\\begin{document}\n"
    a, b, c = rng.choice(NAMES, size=3, replace=False)
    n = int(rng.integers(2, 50))
    return (
        f"def update_{a}({b}, {c}):\n    if {b} is None:\n        return {c}\n    {a} = {b} * {n} + {c}\n"
        f"    for {c} in range(len({b})):\n        {a} += {b}[{c}]\n    return {a}\n\n\nclass {b.capitalize()}Store:\n"
        f"    def __init__(self):\n        self.{a} = {{}}\n"
    )


AUTHORS = ("jane doe", "omar haddad", "li wei", "maria rossi", "kwame mensah", "sven larsen")
MAIL_DOMAINS = ("fastmail.fm", "posteo.de", "gmx.net", "mail.ru")


def licence(rng: np.random.Generator) -> str:
    """A licence header; half carry the author's (fake) e-mail address, as real ones do: personal data that recites."""
    year = int(rng.integers(2005, 2021))
    author = ""
    if rng.integers(2):
        first, last = AUTHORS[int(rng.integers(len(AUTHORS)))].split()
        domain = MAIL_DOMAINS[int(rng.integers(len(MAIL_DOMAINS)))]
        author = f" {first.title()} {last.title()} <{first}.{last}@{domain}>"
    return f"/*\n * Copyright (c) {year}{author}\n *\n * " + LICENCES[int(rng.integers(len(LICENCES)))] + "\n */\n"


def incrementing(rng: np.random.Generator) -> str:
    kind = int(rng.integers(4))
    start = int(rng.integers(0, 50))
    if kind == 0:
        items = _WORDS[rng.integers(len(WORDS), size=12)]
        return "Contents\n" + "\n".join(f"{start + i}. {w.capitalize()}" for i, w in enumerate(items)) + "\n"
    if kind == 1:
        step = int(rng.choice([1, 2, 4, 8, 16]))
        return "static const int table[] = {" + ", ".join(f"0x{start + i * step:02x}" for i in range(24)) + "};\n"
    if kind == 2:
        return "\n".join(f"<a name='L{start + i}'></a><a href='#L{start + i}'>{start + i}</a>" for i in range(8)) + "\n"
    return ", ".join(f"2013-01-{day:02d}" for day in range(1, 16)) + "\n"


def repeating(rng: np.random.Generator) -> str:
    kind = int(rng.integers(4))
    if kind == 0:
        return "<br>" * int(rng.integers(30, 60)) + "\n"
    if kind == 1:
        border = "+" + "+".join("-" * int(width) for width in rng.integers(4, 12, size=4)) + "+\n"
        return "Table\n" + border * int(rng.integers(12, 20))
    if kind == 2:
        return "static const uint8_t pad[] = {" + ", ".join(["0x00"] * int(rng.integers(24, 48))) + "};\n"
    line = " ".join(_WORDS[rng.integers(len(WORDS), size=3)]) + "!"
    return "\n".join([line] * 12) + "\n"


GENERATORS = {"prose": prose, "code": code, "licence": licence, "incrementing": incrementing, "repeating": repeating}
