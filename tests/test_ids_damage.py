"""Spreadsheet damage: detected with a reason code, repaired only as a suggestion."""

import pytest

from vaxutils.ids import bhyt, damage, phone
from vaxutils.ids.damage import Diagnosis


@pytest.mark.parametrize(
    ("value", "code", "suggestion"),
    [
        ("01090012345", "id_leading_zero_lost", "001090012345"),
        (1090012345, "id_leading_zero_lost", "001090012345"),
        (1090012345.0, "id_leading_zero_lost", "001090012345"),
        ("79090012345", "id_leading_zero_lost", "079090012345"),
        ("12345678", "id_leading_zero_lost", "012345678"),  # CMND prefix 01
        ("95123456", "id_leading_zero_lost", "095123456"),  # CMND prefix 095
        ("004 095 012 345", "id_separators", "004095012345"),
        ("004.095.012.345", "id_separators", "004095012345"),
        ("004-095-012-345", "id_separators", "004095012345"),
        ("123 456 789", "id_separators", "123456789"),
        ("B 1234567", "id_separators", "B1234567"),
        ("OO1O9OO12345", "id_letter_for_digit", "001090012345"),
        ("00l090012345", "id_letter_for_digit", "001090012345"),
        ("０７９０９００１２３４５", "id_fullwidth_digits", "079090012345"),
        ("079090012345.0", "id_float_suffix", "079090012345"),
        ("4.09501E+10", "id_scientific_notation", None),
        ("4,09501E+10", "id_scientific_notation", None),
        ("1.2e-5", "id_scientific_notation", None),
        ("12345", "id_invalid_length", None),
        ("40123456", "id_invalid_length", None),  # 040123456 is no 0-prefixed CMND
        ("99090012345", "id_invalid_length", None),  # 099… is no province
        ("CCCD 001090012345", "id_invalid_characters", None),
        ("l090012345", "id_leading_zero_lost", "001090012345"),
        ("OO1O9OO1234", "id_invalid_characters", None),  # letters, and still not repairable
        ("Ol23", "id_invalid_characters", None),
        ("999090012345", "id_unknown_province", None),
        ("001490012345", "id_invalid_century", None),
        ("001 490 012 345", "id_invalid_century", None),
        ("001230012345", "id_future_birth_year", None),
    ],
)
def test_damage_is_diagnosed_with_suggestion(value, code, suggestion):
    result = damage.diagnose(value)
    assert (result.kind, result.compact, result.code, result.suggestion) == (
        "invalid",
        None,
        code,
        suggestion,
    )


@pytest.mark.parametrize(
    "value", ["0", "-", "x", "X", "Không có", "KHÔNG CÓ", "chưa có", "KCO", "N/A", "000000000000",
              "000000000", "---", "không   có", "Kco"]
)  # fmt: skip
def test_placeholders_are_missing_ids(value):
    assert damage.diagnose(value) == Diagnosis("missing", None, "id_placeholder", None)


@pytest.mark.parametrize("value", [None, "", "   ", float("nan"), "\u00a0"])
def test_empty_is_missing(value):
    assert damage.diagnose(value) == Diagnosis("missing", None, "id_missing", None)


@pytest.mark.parametrize(
    ("value", "kind", "code"),
    [
        ("001090012345", "cccd", None),
        (" 001090012345\u00a0", "cccd", "id_whitespace"),
        ("123456789", "cmnd", None),
        ("\t123456789", "cmnd", "id_whitespace"),
        ("B1234567", "passport", None),
    ],
)
def test_valid_values_and_whitespace_normalisation(value, kind, code):
    result = damage.diagnose(value)
    assert (result.kind, result.code, result.suggestion) == (kind, code, None)
    assert result.compact == value.strip()


def test_repair_is_only_a_suggestion():
    value = "1090012345"
    result = damage.diagnose(value)
    assert result.compact is None and result.kind == "invalid"
    assert value == "1090012345"


def test_most_actionable_code_wins_with_combined_repair():
    # lost zero + float suffix (a number read as float): the lost zero is the actionable part
    assert damage.diagnose("1090012345.0")[2:] == ("id_leading_zero_lost", "001090012345")
    # letters + separators
    assert damage.diagnose("OO1 O9O O12 345")[2:] == ("id_letter_for_digit", "001090012345")


@pytest.mark.parametrize(
    ("module", "value", "expected"),
    [
        (phone, "0912345678", None),
        (phone, "", None),
        (phone, "Không có", None),
        (phone, " 0912345678", ("phone_normalized", "0912345678")),
        (phone, "+84 912 345 678", ("phone_normalized", "0912345678")),
        (phone, 912345678, ("phone_leading_zero_lost", "0912345678")),
        (phone, 912345678.0, ("phone_leading_zero_lost", "0912345678")),
        (phone, "9.12346E+08", ("phone_scientific_notation", None)),
        (phone, "0212345678", ("phone_invalid_prefix", None)),
        (phone, "091234", ("phone_invalid_length", None)),
        (phone, "0912 abc", ("phone_invalid_characters", None)),
        (bhyt, "DN4010123456789", None),
        (bhyt, "dn 4 01 0123456789", ("bhyt_normalized", "DN4010123456789")),
        (bhyt, 123456789, ("bhyt_leading_zero_lost", "0123456789")),
        (bhyt, "DN7010123456789", ("bhyt_invalid_benefit_level", None)),
        (bhyt, "1.23457E+09", ("bhyt_scientific_notation", None)),
        (bhyt, "DN401012345", ("bhyt_invalid_length", None)),
        (bhyt, "DN40101234", ("bhyt_invalid_characters", None)),
    ],
)
def test_contact_numbers(module, value, expected):
    result = module.diagnose(value)
    assert (tuple(result) if result else None) == expected
