"""A text's skeleton: each number (decimal, 0x-hex, enumerator, roman numeral, number word) one symbol (docs/METRICS.md, 'Templating')."""

from __future__ import annotations

import numba
import numpy as np

from metrics.patterns.character_classes import (
    CASE_BIT,
    FULL_STOP,
    LEFT_PARENTHESIS,
    LOWER_A,
    NINE,
    RIGHT_PARENTHESIS,
    ZERO,
    is_alnum,
    is_digit,
    is_letter,
    is_word_character,
)
from metrics.patterns.numerals import hex_digit, number_word_value, roman_value

NUMBER = -1  # skeleton symbol standing for any number (every other symbol is a code point, >= 0)
HEX_MARK = ord("x")  # "0x" starts a hex number, in either letter case


@numba.njit(cache=True, nogil=True)
def skeleton(codes: np.ndarray):
    """Symbols of the text with each number replaced by NUMBER; per symbol its value (NaN when not a number or when
    cut by the text's edge), an alternate value (a lone roman letter's numeral value), and its character span."""
    n = codes.size
    symbols = np.empty(n, dtype=np.int64)
    values = np.empty(n, dtype=np.float64)
    alternates = np.empty(n, dtype=np.float64)
    char_start = np.empty(n, dtype=np.int64)
    char_end = np.empty(n, dtype=np.int64)
    m = 0
    i = 0
    while i < n:
        c = codes[i]
        if not is_alnum(c) or (c > NINE and i > 0 and is_word_character(codes[i - 1])):
            # most characters: not a digit, nor a letter that starts a word, so no number starts here
            symbols[m], values[m], alternates[m], char_start[m], char_end[m] = c, np.nan, np.nan, i, i + 1
            m += 1
            i += 1
            continue
        end, value, alternate = number_at(codes, i)
        if end > i:
            if i == 0 or end == n:
                value = alternate = np.nan
            symbols[m] = NUMBER
        else:
            end = i + 1
            symbols[m] = codes[i]
        values[m], alternates[m], char_start[m], char_end[m] = value, alternate, i, end
        m += 1
        i = end
    return symbols[:m], values[:m], alternates[:m], char_start[:m], char_end[:m]


@numba.njit(cache=True, nogil=True)
def number_at(codes: np.ndarray, i: int):
    """(end, value, alternate value) of a number starting at codes[i]; end == i when none starts there."""
    n = codes.size
    c = codes[i]
    if not is_alnum(c):  # most characters: no number starts here
        return i, np.nan, np.nan
    word_start = i == 0 or not is_word_character(codes[i - 1])
    if c == ZERO and word_start and i + 2 < n and (codes[i + 1] | CASE_BIT) == HEX_MARK and hex_digit(codes[i + 2]) >= 0:
        j, value = i + 2, 0.0
        while j < n and hex_digit(codes[j]) >= 0:
            value = value * 16.0 + hex_digit(codes[j])
            j += 1
        return j, value, value
    if is_digit(c):
        j, value = i, 0.0
        while j < n and is_digit(codes[j]):
            value = value * 10.0 + (codes[j] - ZERO)
            j += 1
        if j + 1 < n and codes[j] == FULL_STOP and is_digit(codes[j + 1]):
            scale = 0.1
            j += 1
            while j < n and is_digit(codes[j]):
                value += (codes[j] - ZERO) * scale
                scale /= 10.0
                j += 1
        return j, value, value
    if is_letter(c) and word_start:
        j = i
        while j < n and is_letter(codes[j]):
            j += 1
        if j < n and is_word_character(codes[j]):
            return i, np.nan, np.nan
        word = number_word_value(codes, i, j)
        if word > 0:
            return j, float(word), float(word)
        roman = roman_value(codes, i, j)
        if j - i == 1:  # "(b)", "a.", "x_{c}": a letter enumerator (a = 1), or a roman one-letter numeral "(i)"
            letter = float(c | CASE_BIT) - (LOWER_A - 1)
            return j, letter, float(roman) if roman > 0 else letter
        # roman numerals: upper case ("Chapter XXIX"), or lower case set off like "(iv)" / "iv." (not "li", "div")
        upper = c < LOWER_A  # an ASCII letter below 'a' is upper case
        if roman > 0 and (
            upper or (i > 0 and codes[i - 1] == LEFT_PARENTHESIS) or (j < n and (codes[j] == RIGHT_PARENTHESIS or codes[j] == FULL_STOP))
        ):
            return j, float(roman), float(roman)
    return i, np.nan, np.nan
