"""The code points the templating kernels name, and their classes: spaces, ASCII letters, digits (docs/METRICS.md, 'Templating')."""

from __future__ import annotations

import numba
import numpy as np

ZERO, NINE = ord("0"), ord("9")
UPPER_A, UPPER_Z = ord("A"), ord("Z")
LOWER_A, LOWER_Z = ord("a"), ord("z")
CASE_BIT = LOWER_A - UPPER_A  # 32: or-ed into an ASCII letter, it gives the lower case one
UNDERSCORE = ord("_")  # part of a word, like letters and digits
LINE_FEED = ord("\n")
FULL_STOP = ord(".")  # decimal point, and the mark after an enumerator ("iv.")
LEFT_PARENTHESIS, RIGHT_PARENTHESIS = ord("("), ord(")")  # around an enumerator: "(iv)"
IDEOGRAPHIC_SPACE = ord("\u3000")  # the highest code point str.isspace accepts

# SPACES[c]: Python's str.isspace for the code point c (what str.strip() removes); none above IDEOGRAPHIC_SPACE
SPACES = np.array([chr(c).isspace() for c in range(IDEOGRAPHIC_SPACE + 1)])


@numba.njit(cache=True, nogil=True)
def is_space(c: int) -> bool:
    """Python's str.isspace for one code point (what str.strip() removes)."""
    return c <= IDEOGRAPHIC_SPACE and SPACES[c]


@numba.njit(cache=True, nogil=True)
def is_digit(c: int) -> bool:
    return ZERO <= c <= NINE


@numba.njit(cache=True, nogil=True)
def is_letter(c: int) -> bool:
    return UPPER_A <= c <= UPPER_Z or LOWER_A <= c <= LOWER_Z


@numba.njit(cache=True, nogil=True)
def is_alnum(c: int) -> bool:
    return is_digit(c) or is_letter(c)


@numba.njit(cache=True, nogil=True)
def is_word_character(c: int) -> bool:
    """An ASCII letter, digit or underscore: a number does not start or end next to one."""
    return is_alnum(c) or c == UNDERSCORE
