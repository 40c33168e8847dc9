import numpy as np

from metrics.patterns.number_lexer import NUMBER, number_at, skeleton
from tests.metrics.patterns.helpers import codes_of


def number(text: str, i: int) -> tuple:
    end, value, alternate = number_at(codes_of(text), i)
    return end, float(value), float(alternate)


def test_numbers_read_whole():
    assert number("0x1F,", 0) == (4, 31.0, 31.0)  # hex in either case
    assert number("12.5 ", 0) == (4, 12.5, 12.5)  # a decimal fraction is one number
    assert number("1.x", 0) == (1, 1.0, 1.0)  # a full stop without digits after it ends the number
    assert number("(iv)", 1) == (3, 4.0, 4.0)  # a lower case roman numeral set off by parentheses
    assert number("XXIX ", 0) == (4, 29.0, 29.0)  # upper case ones stand alone
    assert number("(b)", 1) == (2, 2.0, 2.0)  # a letter enumerator, a = 1
    assert number("(i)", 1) == (2, 9.0, 1.0)  # "i": the ninth letter, or the roman one
    assert number("Two,", 0) == (3, 2.0, 2.0)  # a number word in any case
    assert number("mask12 ", 4) == (6, 12.0, 12.0)  # digits count inside a word ("x1", "mask0")
    assert number("ab0x1 ", 2) == (3, 0.0, 0.0)  # but "0x" starts hex only at a word's start


def test_no_number_inside_a_word():
    for text, i in (("li", 0), ("div", 0), ("a1", 0), ("x_1", 0), ("one_", 0), ("Ix", 0)):
        assert number_at(codes_of(text), i)[0] == i, text


def test_skeleton_puts_one_symbol_per_number_and_distrusts_the_edges():
    symbols, values, alternates, char_start, char_end = skeleton(codes_of("7 a12 b3"))
    assert symbols.tolist() == [NUMBER, ord(" "), ord("a"), NUMBER, ord(" "), ord("b"), NUMBER]
    # a number touching the text's edge may be cut (the 64-token window), so its value is unknown
    assert np.isnan(values[[0, 6]]).all() and values[3] == alternates[3] == 12.0
    assert char_start.tolist() == [0, 1, 2, 3, 5, 6, 7] and char_end.tolist() == [1, 2, 3, 5, 6, 7, 8]
