"""Junk in, no crash: every public function that takes user data (python-stdnum's promise)."""

import decimal
import math

import numpy as np
import pandas as pd
import pytest

from vaxutils.ids import bhyt, cccd, cmnd, damage, exceptions, passport, phone, series


class Unprintable:
    def __str__(self):
        raise RuntimeError("no text")


JUNK = [
    None, float("nan"), math.inf, -math.inf, 0, -1, 10**30, 1.5, 1e20, True, b"0010900\xff12345",
    bytearray(b"123456789"), "", " ", "\x00", "\ud800", "x" * 100_000, "0" * 100_000, "１２３",
    "Ａ1234567", "ß" * 12, "İ", decimal.Decimal("1090012345"), np.int64(1090012345),
    np.float64(1090012345.0), np.nan, pd.NA, pd.NaT, [1, 2], {"a": 1}, object(), Unprintable(),
    "001090012345\n", "abcdefghijkl", "zzz090012345", "-", "E+10", "1e", ".", "+84", "84", "()",
]  # fmt: skip
MODULES = [cccd, cmnd, passport, phone, bhyt]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
@pytest.mark.parametrize("value", JUNK, ids=range(len(JUNK)))
def test_scalar_functions_never_crash_on_junk(module, value):
    assert module.is_valid(value) in (True, False)
    assert isinstance(module.compact(value), str)
    assert isinstance(module.format(value), str)
    try:
        module.validate(value)
    except exceptions.ValidationError:
        pass


@pytest.mark.parametrize("value", JUNK, ids=range(len(JUNK)))
def test_diagnose_and_extractors_never_crash_on_junk(value):
    assert damage.diagnose(value).kind in damage.KINDS
    phone.diagnose(value)
    bhyt.diagnose(value)
    for extractor in (cccd.get_sex, cccd.get_birth_year, cccd.get_province_name):
        try:
            extractor(value)
        except exceptions.ValidationError:
            pass
    assert cccd.as_year(value) is None or isinstance(cccd.as_year(value), int)
    try:
        cccd.check_consistency("001090012345", sex=value, birth_year=value)
    except exceptions.ValidationError:  # pragma: no cover - the number is valid
        raise


def test_series_functions_take_junk_columns():
    s = pd.Series(JUNK, dtype=object)
    table = series.classify_ids(s)
    assert len(table) == len(JUNK)
    for kind in series.KINDS_OF_ISSUES:
        assert set(series.issues_series(s, kind=kind)["row"]) <= set(s.index)
    result = series.cccd_consistency(s, s, s)
    assert len(result) == len(JUNK)


@pytest.mark.parametrize(
    "s",
    [
        pd.Series([1090012345.0, np.nan]),
        pd.Series([1090012345, 123456789]),
        pd.Series([True, False]),
        pd.Series(["001090012345", None], dtype="string[python]"),
        pd.Series(pd.to_datetime(["2022-01-01", None])),
        pd.Series(["001090012345", "x"], dtype="category"),
    ],
)
def test_series_functions_take_any_dtype(s):
    table = series.classify_ids(s)
    expected = [damage.diagnose(v) for v in s.astype(object)]
    assert table["id_code"].fillna("").tolist() == [d.code or "" for d in expected]
