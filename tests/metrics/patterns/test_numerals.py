from metrics.patterns.numerals import hex_digit, number_word_value, roman_value
from tests.metrics.patterns.helpers import codes_of


def word_value(function, word: str) -> int:
    return function(codes_of(word), 0, len(word))


def test_hex_digits_in_either_case():
    assert [hex_digit(ord(c)) for c in "09afAF"] == [0, 9, 10, 15, 10, 15]
    assert [hex_digit(ord(c)) for c in "gG/:@`x é"] == [-1] * 9


def test_roman_numerals_well_formed_in_one_case():
    assert [word_value(roman_value, w) for w in ("i", "iv", "ix", "XXIX", "xl", "MCMXCIV", "MMMCMXCIX")] == [1, 4, 9, 29, 40, 1994, 3999]
    # four in a row, a repeated or subtracted V/L/D, a subtraction beyond ten times, mixed case
    assert [word_value(roman_value, w) for w in ("IIII", "VV", "LL", "VX", "IL", "IC", "Iv", "ab")] == [-1] * 8


def test_number_words_one_to_twenty_in_any_case():
    assert [word_value(number_word_value, w) for w in ("one", "ONE", "Twenty", "seventeen", "eleven")] == [1, 1, 20, 17, 11]
    assert [word_value(number_word_value, w) for w in ("zero", "on", "twentyone", "thirty", "someone", "fiver")] == [0] * 6
