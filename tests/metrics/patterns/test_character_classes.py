from metrics.patterns.character_classes import is_space, is_word_character


def test_strip_is_pythons():
    assert [c for c in range(0x110000) if is_space(c)] == [c for c in range(0x110000) if chr(c).isspace()]


def test_word_characters_are_ascii_letters_digits_and_underscore():
    expected = [c for c in range(0x3000) if c < 128 and (chr(c).isalnum() or chr(c) == "_")]
    assert [c for c in range(0x3000) if is_word_character(c)] == expected
