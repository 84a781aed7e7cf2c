"""The python-stdnum style modules: cccd, cmnd, passport, phone, bhyt and the exception tree."""

import pytest

from vaxutils.ids import bhyt, cccd, cmnd, exceptions, passport, phone
from vaxutils.ids._provinces import PROVINCES


class TestCccd:
    def test_decodes_province_sex_and_year(self):
        assert cccd.get_province_code("001090012345") == "001"
        assert cccd.get_province_name("052190012345") == "Bình Định"  # 2022 list, not 2025
        assert cccd.get_birth_year("001090012345") == 1990

    @pytest.mark.parametrize(
        ("digit", "sex", "year"),
        [("0", "Nam", 1910), ("1", "Nữ", 1910), ("2", "Nam", 2010), ("3", "Nữ", 2010)],
    )
    def test_even_century_digit_is_male(self, digit, sex, year):
        number = f"079{digit}10123456"
        assert cccd.get_sex(number) == sex
        assert cccd.get_birth_year(number) == year

    def test_all_63_provinces_accepted(self):
        assert len(PROVINCES) == 63
        for code in PROVINCES:
            assert cccd.is_valid(f"{code}095012345")

    @pytest.mark.parametrize(
        ("number", "error"),
        [
            ("00109001234", exceptions.InvalidLength),
            ("0010900123456", exceptions.InvalidLength),
            ("00109001234A", exceptions.InvalidFormat),
            ("", exceptions.InvalidFormat),
            ("003090012345", exceptions.InvalidProvince),
            ("097090012345", exceptions.InvalidProvince),
            ("001490012345", exceptions.InvalidCentury),
            ("001923012345", exceptions.InvalidCentury),
            ("001223012345", exceptions.FutureBirthYear),
        ],
    )
    def test_validate_raises_the_specific_reason(self, number, error):
        with pytest.raises(error):
            cccd.validate(number)
        assert not cccd.is_valid(number)

    def test_born_in_2022_is_valid(self):
        assert cccd.get_birth_year("001322012345") == 2022

    def test_compact_and_format(self):
        assert cccd.compact(" 001-090.012 345 ") == "001090012345"
        assert cccd.format("001090012345") == "001 0 90 012345"
        assert cccd.format("0010") == "001 0"

    def test_check_consistency(self):
        assert cccd.check_consistency("001090012345", sex="Nam", birth_year=1990) == ()
        assert cccd.check_consistency("001090012345", sex="Nữ", birth_year=1989) == (
            "sex",
            "birth_year",
        )
        assert cccd.check_consistency("001090012345", sex="nữ", birth_year=1990.0) == ()
        with pytest.raises(exceptions.ValidationError):
            cccd.check_consistency("123")

    def test_extractors_raise_on_invalid(self):
        with pytest.raises(exceptions.InvalidProvince):
            cccd.get_sex("999090012345")


class TestOtherIdentifiers:
    def test_cmnd(self):
        assert cmnd.validate("123.456.789") == "123456789"
        assert cmnd.format("123456789") == "123 456 789"
        with pytest.raises(exceptions.InvalidLength):
            cmnd.validate("12345678")
        with pytest.raises(exceptions.InvalidFormat):
            cmnd.validate("12345678x")

    def test_passport(self):
        assert passport.validate("c 1234567") == "C1234567"
        assert passport.format(" B1234567") == "B1234567"
        with pytest.raises(exceptions.InvalidLength):
            passport.validate("B123456")
        with pytest.raises(exceptions.InvalidFormat):
            passport.validate("12345678")

    def test_phone(self):
        assert phone.validate("(+84) 912.345.678") == "0912345678"
        assert phone.validate("+84 (0) 912 345 678") == "0912345678"
        assert phone.compact("84912345678") == "0912345678"
        assert phone.compact("84123") == "84123"
        with pytest.raises(exceptions.InvalidPrefix):
            phone.validate("0212345678")
        with pytest.raises(exceptions.InvalidLength):
            phone.validate("091234567")
        with pytest.raises(exceptions.InvalidFormat):
            phone.validate("0912-ABC-678")
        assert not phone.is_valid(None)

    def test_bhyt(self):
        assert bhyt.validate("DN4010123456789") == "DN4010123456789"
        assert bhyt.validate("0123456789") == "0123456789"
        assert bhyt.format("0123456789") == "0123456789"
        with pytest.raises(exceptions.InvalidBenefitLevel):
            bhyt.validate("DN6010123456789")
        with pytest.raises(exceptions.InvalidFormat):
            bhyt.validate("D14010123456789")
        with pytest.raises(exceptions.InvalidFormat):
            bhyt.validate("012345678A")
        with pytest.raises(exceptions.InvalidLength):
            bhyt.validate("DN401012345678")


def test_exception_tree_and_codes():
    assert issubclass(exceptions.InvalidLength, exceptions.InvalidFormat)
    assert issubclass(exceptions.UnrecoverableDamage, exceptions.ValidationError)
    assert issubclass(exceptions.ValidationError, ValueError)
    assert exceptions.InvalidProvince.code("id") == "id_unknown_province"
    assert exceptions.InvalidLength.code("phone") == "phone_invalid_length"
    error = exceptions.InvalidCentury()
    assert str(error).startswith("Chữ số thứ 4")  # Vietnamese first
    assert "/" in str(error)
    assert str(exceptions.ValidationError("riêng")) == "riêng"
