"""Personal data detectors one by one: what each confirms and what it leaves out (documentation domains, versions,
bare digit runs without a card word, failed checksums), spans, and the phone prefilter that never skips a valid number."""

import random

import pytest

from metrics.sensitive_personal import (
    candidate_patterns,
    emails,
    ibans,
    ip_addresses,
    national_ids,
    payment_cards,
    personal_data,
    phone_numbers,
)


def spans(findings, text):
    return [(f.kind, text[f.start : f.end]) for f in findings]


def test_emails_leave_out_documentation_domains_and_file_names():
    text = "mail jane@example.com, icon@2x.png, ok: omar.h@uni-bonn.de."
    assert spans(emails(text), text) == [("email", "omar.h@uni-bonn.de")]


def test_ips_are_public_or_not_and_a_version_before_a_dotted_quad_hides_it():
    text = "v 1.2.3.4 and version: 10.0.0.1; host 8.8.8.8 and ::1 and 2001:db8::1"
    assert spans(ip_addresses(text), text) == [("ip_public", "8.8.8.8"), ("ip_private_or_reserved", "2001:db8::1")]
    text = "release 1.2.3.4 then 1.2.3.4"  # the second is not right after the version word
    assert [f.start for f in ip_addresses(text)] == [text.rindex("1.2.3.4")]


def test_cards_pass_luhn_with_a_brand_and_bare_digits_need_a_card_word_before_them():
    text = "4111 1111 1111 1111 | 4111111111111111 | card: 4111111111111111"
    assert [(f.start, f.end) for f in payment_cards(text)] == [(0, 19), (47, 63)]
    assert payment_cards("4111 1111 1111 1112, 0000 0000 0000 0000") == []  # Luhn fails; one digit repeated


def test_an_iban_that_ran_into_the_next_group_is_cut_back_to_its_valid_length():
    text = "pay to BE71 0961 2345 6769 ABCD 12"
    assert spans(ibans(text), text) == [("iban", "BE71 0961 2345 6769")]
    assert ibans("BE71 0961 2345 6768") == []  # mod 97 fails


def test_national_ids_need_their_check_letter():
    text = "DNI 12345678Z and 12345678A; NIE X1234567L"
    assert spans(national_ids(text), text) == [("national_id", "12345678Z"), ("national_id", "X1234567L")]


def test_phones_must_be_grouped_and_valid_in_a_listed_region():
    text = "call (415) 555-2671 or 4155552671"
    assert spans(phone_numbers(text, ("US",)), text) == [("phone_number", "(415) 555-2671")]
    assert phone_numbers("Ruf an: 030 12345678", ("US",)) == [] and len(phone_numbers("Ruf an: 030 12345678", ("DE",))) == 1


def test_all_detectors_in_text_order_and_only_those_whose_gate_matched():
    text = "card 4111 1111 1111 1111 call (415) 555-2671, mail li.wei@mit.edu"
    assert [f.kind for f in personal_data(text, ("US",))] == ["payment_card", "phone_number", "email"]
    assert [f.kind for f in personal_data(text, ("US",), {"email"})] == ["email"]
    assert set(candidate_patterns()) == {"email", "iban", "payment_card", "national_id", "ip_address", "phone_number"}


@pytest.mark.parametrize("region", ["US", "GB", "DE", "FR", "IN", "JP"])
def test_the_phone_prefilter_never_skips_a_number_phonenumbers_finds_valid(region):
    """_may_be_valid_in_region is only a shortcut: every number phonenumbers finds valid in the region passes it."""
    import phonenumbers

    from metrics.sensitive_personal import _may_be_valid_in_region

    rng = random.Random(region)
    valid = []
    for number_type in (
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.TOLL_FREE,
    ):
        example = phonenumbers.example_number_for_type(region, number_type)
        if example is None:
            continue
        for style in (phonenumbers.PhoneNumberFormat.NATIONAL, phonenumbers.PhoneNumberFormat.INTERNATIONAL):
            valid.append(phonenumbers.format_number(example, style))
    for _ in range(6000):  # random digit strings that phonenumbers happens to find valid
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(7, 13)))
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(digits, region)):
                valid.append(digits)
        except phonenumbers.NumberParseException:
            pass
    assert len(valid) > 20
    for number in valid:
        digits = "".join(c for c in number if c.isdigit())
        assert number.startswith("+") or _may_be_valid_in_region(digits, region), (region, number)
    assert not _may_be_valid_in_region("0000000000", "US") and not _may_be_valid_in_region("2019101012", "FR")
