"""Values of the numerals the lexer reads: hex digits, roman numerals, English number words (docs/METRICS.md, 'Templating')."""

from __future__ import annotations

import numba
import numpy as np

from metrics.patterns.character_classes import CASE_BIT, LOWER_A, LOWER_Z, UPPER_A, ZERO, is_digit

DECIMAL_DIGITS = 10
HEX_LETTERS = 6  # a..f (A..F), the hex digits after the decimal ones

ROMAN_DIGITS = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
ROMAN_FIVES = (5, 50, 500)  # V, L, D: never repeated, never subtracted
MAX_ROMAN_REPEAT = 3  # "III", never "IIII"
# _ROMAN_DIGIT_VALUES[c]: the value of the lower case roman digit c, 0 for any other code point up to 'z'
_ROMAN_DIGIT_VALUES = np.zeros(LOWER_Z + 1, dtype=np.int64)
for _letter, _value in ROMAN_DIGITS.items():
    _ROMAN_DIGIT_VALUES[ord(_letter)] = _value

NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty"
).split()
SHORTEST_WORD, LONGEST_WORD = min(map(len, NUMBER_WORDS)), max(map(len, NUMBER_WORDS))  # "one", "seventeen"
WORD_BASE = 27  # a word's key has one base-27 digit per letter: a = 1 .. z = 26
# each word's key, the one number_word_value computes for a word of the text
_NUMBER_WORD_KEYS = np.array(
    [sum((ord(letter) - LOWER_A + 1) * WORD_BASE**k for k, letter in enumerate(reversed(word))) for word in NUMBER_WORDS], dtype=np.int64
)


@numba.njit(cache=True, nogil=True)
def hex_digit(c: int) -> int:
    """The value 0..15 of a hex digit in either letter case, -1 for any other code point."""
    if is_digit(c):
        return c - ZERO
    if LOWER_A <= c < LOWER_A + HEX_LETTERS:
        return c - LOWER_A + DECIMAL_DIGITS
    if UPPER_A <= c < UPPER_A + HEX_LETTERS:
        return c - UPPER_A + DECIMAL_DIGITS
    return -1


@numba.njit(cache=True, nogil=True)
def number_word_value(codes: np.ndarray, i: int, j: int) -> int:
    """1..20 when codes[i:j] spells an English number word in any letter case, else 0."""
    if j - i < SHORTEST_WORD or j - i > LONGEST_WORD:
        return 0
    key = 0
    for k in range(i, j):
        key = key * WORD_BASE + ((codes[k] | CASE_BIT) - LOWER_A + 1)
    for v in range(_NUMBER_WORD_KEYS.size):
        if _NUMBER_WORD_KEYS[v] == key:
            return v + 1
    return 0


@numba.njit(cache=True, nogil=True)
def roman_value(codes: np.ndarray, i: int, j: int) -> int:
    """Value of codes[i:j] as a roman numeral in one letter case, -1 when it is not a well-formed one."""
    upper = codes[i] < LOWER_A  # an ASCII letter below 'a' is upper case
    total = 0
    repeat = 0
    for k in range(i, j):
        digit = _roman_digit(codes[k])
        if digit == 0 or (codes[k] < LOWER_A) != upper:
            return -1
        repeat = repeat + 1 if k > i and codes[k] == codes[k - 1] else 1
        if repeat > MAX_ROMAN_REPEAT or (repeat > 1 and digit in ROMAN_FIVES):
            return -1
        following = _roman_digit(codes[k + 1]) if k + 1 < j else 0
        if following > digit:
            if following not in (5 * digit, 10 * digit) or digit in ROMAN_FIVES:
                return -1
            total -= digit
        else:
            total += digit
    return total


@numba.njit(cache=True, nogil=True)
def _roman_digit(c: int) -> int:
    """The value of a roman digit in either letter case, 0 for any other code point."""
    c |= CASE_BIT
    return _ROMAN_DIGIT_VALUES[c] if c < _ROMAN_DIGIT_VALUES.size else 0
