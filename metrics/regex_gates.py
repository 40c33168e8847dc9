"""One linear-time pass that tells which of many Python regexes can match a text: an RE2 set of their supersets.

Python's backtracking `re` costs 2-50 us per pattern on a 200-character text, so forty detectors cost
~1 ms a row; RE2 (google-re2) matches a set of patterns in one pass. RE2 has no lookarounds, anchors of
Python's flavour or backreferences, so each pattern enters the set as a *superset* of itself: zero-width
assertions (lookarounds, \\b, \\B, ^, $, \\A, \\Z) dropped, a backreference widened to any text, Python's
Unicode \\d, \\w, \\s written as RE2 Unicode classes, VERBOSE whitespace and comments removed, and a counted
repetition's upper bound dropped ({m,n} -> {m,} unless n <= 3; lower bounds above RE2's 1,000 capped). A pattern that still
does not compile is reported as always matching, so a gate can make a text skip a detector only when that
detector cannot match it.

Why the upper bounds go: RE2 matches a set with one lazily built DFA whose states are combinations of every
pattern's positions, and each {m,n} unrolls into n copies. With sixty detector patterns and bounds such as
{0,63} in one set, varied text kept reaching states not built yet, and building them is what costs (a larger
memory budget did not help): 40-80 us per 250-character chunk of CPython's standard library, against ~3 us on
the few distinct texts that a benchmark cycles. Without upper bounds, and with the patterns split over sets of
at most SET_SIZE, it is 6-9 us, and the gates let about as many texts through (benchmarks/sensitive_content.py).
"""

from __future__ import annotations

import re

# Python's Unicode classes, as RE2 Unicode classes that contain them (inside and outside brackets).
_IN_CLASS = {"d": r"\p{Nd}", "w": r"\p{L}\p{N}\p{Mn}\p{Mc}_", "s": r"\s\p{Z}\x0b\x1c-\x1f\x85"}
_ZERO_WIDTH_ESCAPES = set("bBAZ")
_MAX_REPEAT = 1000  # RE2's limit on {m,n}
SMALL_BOUND = 3  # {m,n} with n <= this keeps its bound: few DFA states, and e.g. a phone's 0-2 separators stay a narrow gate
SET_SIZE = 32  # patterns per RE2 set: fewer sets cost more calls, bigger ones more DFA states (module docstring)
_FLAG_LETTERS = ((re.IGNORECASE, "i"), (re.DOTALL, "s"), (re.MULTILINE, "m"))


def superset_pattern(pattern: str, flags: int = 0) -> str:
    """An RE2 pattern that matches wherever the Python `pattern` (with `flags`) matches (RE2 may refuse it: see GateSet)."""
    verbose = bool(flags & re.VERBOSE)
    out, i, n = [], 0, len(pattern)
    while i < n:
        char = pattern[i]
        if verbose and char in " \t\n\r\f\v":
            i += 1
        elif verbose and char == "#":
            end = pattern.find("\n", i)
            i = n if end < 0 else end + 1
        elif char == "\\":
            escape = pattern[i + 1 : i + 2]
            if escape in _ZERO_WIDTH_ESCAPES:
                pass
            elif escape.isdigit():  # a backreference: the group's text is some text
                out.append(r"(?s:.*)")
            elif escape in _IN_CLASS:
                out.append(f"[{_IN_CLASS[escape]}]")
            else:
                out.append(pattern[i : i + 2])
            i += 2
        elif char == "[":
            end = _class_end(pattern, i)
            out.append(_widened_class(pattern[i : end + 1]))
            i = end + 1
        elif pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            i = _group_end(pattern, i) + 1  # lookarounds only narrow a match
        elif char in "^$":
            i += 1
        elif char == "{":
            end = pattern.find("}", i)
            out.append(_capped_repeat(pattern[i : end + 1]) if end > 0 else char)
            i = end + 1 if end > 0 else i + 1
        else:
            out.append(char)
            i += 1
    prefix = "".join(letter for flag, letter in _FLAG_LETTERS if flags & flag)
    body = "".join(out)
    return f"(?{prefix}){body}" if prefix else body


def _class_end(pattern: str, start: int) -> int:
    i = start + 1
    if pattern[i : i + 1] == "^":
        i += 1
    if pattern[i : i + 1] == "]":  # a leading ] is a literal
        i += 1
    while pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return i


def _widened_class(text: str) -> str:
    """A bracket class with \\d, \\w, \\s widened to Unicode; a negated one keeps its escapes (RE2's are ASCII, so wider)."""
    if text.startswith("[^"):
        return text
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and text[i + 1] in _IN_CLASS:
            out.append(_IN_CLASS[text[i + 1]])
            i += 2
        elif text[i] == "\\":
            out.append(text[i : i + 2])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _group_end(pattern: str, start: int) -> int:
    depth, i = 0, start
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i = _class_end(pattern, i) + 1
            continue
        depth += char == "("
        depth -= char == ")"
        if depth == 0:
            return i
        i += 1
    raise ValueError(f"unbalanced group in {pattern!r}")


def _capped_repeat(text: str) -> str:
    """{m} kept (up to RE2's limit), {m,n} kept for n <= SMALL_BOUND; other {m,n}, {m,} and Python's {,n} become
    {min(m, limit),}; not a repeat: unchanged."""
    match = re.fullmatch(r"\{(\d*)(,?)(\d*)\}", text)
    if not match or not (match.group(1) or match.group(3)):
        return text  # "{}" or "{,}": Python reads a literal
    low, comma, high = match.groups()
    if high and int(high) <= SMALL_BOUND:
        return f"{{{low or 0},{high}}}"
    low = min(int(low or 0), _MAX_REPEAT)
    return f"{{{low},}}" if comma else f"{{{low}}}"


class GateSet:
    """Named Python regexes; `matching(text)` names those that may match it (never leaves out one that does)."""

    def __init__(self, patterns: dict[str, list[re.Pattern]]):
        import re2

        accepted: list[tuple[str, str]] = []  # (name, superset pattern)
        always: set[str] = set()  # names with a pattern RE2 cannot take: they run on every text
        for name, compiled in patterns.items():
            for regex in compiled:
                superset = superset_pattern(regex.pattern, regex.flags)
                if _re2_accepts(superset):
                    accepted.append((name, superset))
                else:
                    always.add(name)
        self._sets: list[tuple[object, list[str]]] = []  # (RE2 set, the name of each of its patterns)
        for start in range(0, len(accepted), SET_SIZE):
            chunk = accepted[start : start + SET_SIZE]
            compiled_set = re2.Set.SearchSet(_options())
            for _, superset in chunk:
                compiled_set.Add(superset)
            compiled_set.Compile()
            self._sets.append((compiled_set, [name for name, _ in chunk]))
        self.always = frozenset(always)

    def matching(self, text: str) -> frozenset[str] | set[str]:
        data = text.encode("utf-8")  # once, not once per set
        found = {names[index] for compiled_set, names in self._sets for index in compiled_set.Match(data) or ()}
        return found | self.always if found else self.always


def _options():
    import re2

    options = re2.Options()
    options.max_mem = 64 << 20
    options.log_errors = False  # a refused pattern is handled (it runs always), not printed by RE2's C++ logger
    return options


def _re2_accepts(pattern: str) -> bool:
    import re2

    try:
        re2.compile(pattern, _options())
    except re2.error:
        return False
    return True
