"""The RE2 gate set: each pattern's superset never misses a text the Python pattern matches."""

import random
import re

import pytest

from metrics.regex_gates import GateSet, superset_pattern

PATTERNS = {
    "lookbehind": re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?!\w|\.\d)"),
    "word_boundary": re.compile(r"\b\d{8}-?[A-Z]\b"),
    "backreference": re.compile(r"""(['"])[a-z0-9]{4,}\1"""),
    "anchors": re.compile(r"(?:\s|=|^)AK[A-Z0-9]{4,}(?:\s|$)"),
    "ignorecase": re.compile(r"pass(?:word)?\s*=", re.IGNORECASE),
    "unicode_digits": re.compile(r"\d{3}-\d{2}"),
    "unicode_word": re.compile(r"\w+@\w+"),
    "class_escapes": re.compile(r"[\w\-]{5}:[\s\d]{2}"),
    "negated_class": re.compile(r"[^\s:]{3}:[^\d]{2}"),
    "verbose": re.compile(
        r"""
        (?<![\w.])   # no word before
        \d{2} \. \d{2}   # two and two
    """,
        re.VERBOSE,
    ),
    "big_repeat": re.compile(r"x[a-c]{2,1500}y"),
    "literal_brace": re.compile(r"a{b}|\{\d+\}"),
    "bounded": re.compile(r"[ab]{2,3}c"),
    "python_open_low": re.compile(r"x{,2}y"),
    "wide_bound": re.compile(r"[ab]{1,6}c"),
}


def test_superset_drops_only_what_narrows():
    assert superset_pattern(r"(?<![\w.])\d{2}(?!\d)") == r"[\p{Nd}]{2}"
    assert superset_pattern(r"\bfoo\b$") == "foo"
    assert superset_pattern(r"(a)\1") == r"(a)(?s:.*)"
    assert superset_pattern(r"[\w-]{3}", re.IGNORECASE) == r"(?i)[\p{L}\p{N}\p{Mn}\p{Mc}_-]{3}"
    assert superset_pattern(r"[^\d]x{1,5000}") == r"[^\d]x{1,}"
    # upper bounds only narrow, and unroll into DFA states: dropped; an exact count stays
    assert superset_pattern(r"[a-z]{0,63}@x{2,5}?y{,4}z{4}") == r"[a-z]{0,}@x{2,}?y{0,}z{4}"
    assert superset_pattern(r"[ .]{0,2}\d{1,3}y{,3}") == r"[ .]{0,2}[\p{Nd}]{1,3}y{0,3}"  # small bounds stay


def test_patterns_spread_over_several_sets_are_all_found():
    from metrics.regex_gates import SET_SIZE

    words = [f"w{i:03d}x" for i in range(2 * SET_SIZE + 5)]
    gates = GateSet({word: [re.compile(re.escape(word))] for word in words})
    assert len(gates._sets) == 3
    assert gates.matching(" ".join(words[::7])) == set(words[::7])
    assert gates.matching("nothing here") == set()


def test_gate_never_misses_a_python_match():
    gates = GateSet({name: [pattern] for name, pattern in PATTERNS.items()})
    assert not gates.always  # every pattern above has an RE2 superset
    rng = random.Random(7)
    alphabet = list("0123456789aAbckKxyz.-_:=@'\" \t\n{}") + ["\u0663", "\u00e9", "\u4e2d", "\u2003", "AK", "pass", "PASSWORD"]
    misses = []
    hits = 0
    for _ in range(4000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        matching = gates.matching(text)
        for name, pattern in PATTERNS.items():
            if pattern.search(text):
                hits += 1
                if name not in matching:
                    misses.append((name, text))
    assert hits > 500 and not misses, misses[:5]


def test_a_pattern_re2_cannot_take_runs_always():
    gates = GateSet({"conditional": [re.compile(r"(a)?(?(1)b|c)")], "plain": [re.compile("abc")]})
    assert gates.always == {"conditional"}
    assert gates.matching("zzz") == {"conditional"} and gates.matching("xabc") == {"conditional", "plain"}


@pytest.mark.parametrize("text", ["", "\n", "\u4e2d" * 100])
def test_no_match_is_an_empty_set(text):
    assert GateSet({"digits": [re.compile(r"\d{3}")]}).matching(text) == set()
