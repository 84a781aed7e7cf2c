"""CCCD / số định danh cá nhân (Vietnamese 12-digit personal identification number).

Every citizen gets the number at birth registration (Decree 137/2015/NĐ-CP Art. 13); the layout is
Circular 07/2016/TT-BCA Art. 7, kept by Circular 59/2021/TT-BCA. 12-digit CMNDs issued 2013–2015 keep
their number on the chip card, so they share this format::

    PPP G YY RRRRRR
    PPP  province of birth registration: one of the 63 codes of 2022 (001 Hà Nội … 096 Cà Mau)
    G    century and sex: 1900s male 0 / female 1, 2000s 2 / 3, 2100s 4 / 5 … (even = male)
    YY   last two digits of the birth year: year = 1900 + 100 * (G // 2) + YY
    R    six random digits; there is NO check digit

For 2022 vaccination data the century digit must be 0–3 (births 1900–2099) and the birth year no
later than 2022. Codes are decoded with the 2022 province list even after the 2025 merger (prefix 052
is Bình Định, whatever 52 means today). :func:`format` groups the digits as ``PPP G YY RRRRRR``.

>>> validate("001 090 012345")
'001090012345'
>>> format("001090012345")
'001 0 90 012345'
>>> get_province_name("001090012345"), get_sex("001090012345"), get_birth_year("001090012345")
('Hà Nội', 'Nam', 1990)
>>> get_sex("079305000123"), get_birth_year("079305000123")
('Nữ', 2005)
>>> check_consistency("079305000123", sex="Nam", birth_year=2005)
('sex',)
>>> validate("999090012345")
Traceback (most recent call last):
    ...
vaxutils.ids.exceptions.InvalidProvince: Mã tỉnh (3 chữ số đầu) không có trong danh mục 63 tỉnh năm 2022. / ...
>>> is_valid("001490012345"), is_valid(None), is_valid(1090012345)
(False, False, False)
"""

from __future__ import annotations

import math
import numbers
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils.ids import _arrow, _cells
from vaxutils.ids._provinces import PROVINCES
from vaxutils.ids.exceptions import (
    FutureBirthYear,
    InvalidCentury,
    InvalidFormat,
    InvalidLength,
    InvalidProvince,
    ValidationError,
)

DATA_YEAR = 2022  # the cleaning campaign's data: nobody in it is born later
LENGTH = 12
SEXES = ("Nam", "Nữ")  # even century digit = male


def compact(number: object) -> str:
    """The number without surrounding whitespace, spaces, dots or dashes.

    >>> compact(" 001.090.012-345 ")
    '001090012345'
    """
    return _cells.remove_separators(_cells.strip(_cells.to_text(number) or ""))


def birth_year(century_digit: int, year_digits: int) -> int:
    """The birth year encoded by digit 4 (century and sex) and digits 5–6.

    >>> birth_year(0, 90), birth_year(3, 5)
    (1990, 2005)
    """
    return 1900 + 100 * (century_digit // 2) + year_digits


def validate(number: object) -> str:
    """The compact number if it is a well-formed 2022-era CCCD number, else raise a ValidationError."""
    number = compact(number)
    if not _cells.fullmatch(_cells.DIGITS, number):
        raise InvalidFormat()
    if len(number) != LENGTH:
        raise InvalidLength()
    if number[:3] not in PROVINCES:
        raise InvalidProvince()
    if number[3] not in "0123":
        raise InvalidCentury()
    if birth_year(int(number[3]), int(number[4:6])) > DATA_YEAR:
        raise FutureBirthYear()
    return number


def is_valid(number: object) -> bool:
    """True if :func:`validate` accepts the number; never raises."""
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def format(number: object) -> str:
    """The number grouped as ``PPP G YY RRRRRR`` (province, century/sex, year, random)."""
    number = compact(number)
    return " ".join((number[:3], number[3:4], number[4:6], number[6:])).strip()


def get_province_code(number: object) -> str:
    """The three-digit 2022 province code of birth registration."""
    return validate(number)[:3]


def get_province_name(number: object) -> str:
    """The name of the 2022 province of birth registration."""
    return PROVINCES[get_province_code(number)]


def get_sex(number: object) -> str:
    """The sex from the century digit: "Nam" when even, "Nữ" when odd."""
    return SEXES[int(validate(number)[3]) % 2]


def get_birth_year(number: object) -> int:
    """The birth year encoded in digits 4–6."""
    number = validate(number)
    return birth_year(int(number[3]), int(number[4:6]))


def check_consistency(
    number: object, sex: object = None, birth_year: object = None
) -> tuple[str, ...]:
    """Which of ``("sex", "birth_year")`` disagree with the number's digits.

    ``sex`` is compared only when it is "Nam" or "Nữ" (pass the output of ``vaxutils.sex``);
    ``birth_year`` only when it is a whole number. Raises ValidationError for an invalid number.

    >>> check_consistency("001090012345", sex="Nam", birth_year=1991)
    ('birth_year',)
    >>> check_consistency("001090012345", sex="?", birth_year=None)
    ()
    """
    disagree = []
    if isinstance(sex, str) and sex in SEXES and sex != get_sex(number):
        disagree.append("sex")
    year = as_year(birth_year)
    if year is not None and year != get_birth_year(number):
        disagree.append("birth_year")
    if not disagree:
        validate(number)
    return tuple(disagree)


def as_year(value: object) -> int | None:
    """A birth year given as a whole number (int, or float like 1990.0), else None.

    >>> as_year(1990), as_year(1990.0), as_year("1990"), as_year(float("nan")), as_year(True)
    (1990, 1990, None, None, None)
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    as_float = float(value)
    if not math.isfinite(as_float) or as_float != int(as_float):
        return None
    return int(as_float)


# --- the same over a Series (the data path) ------------------------------------------------------

#: Why a 12-digit value is not a CCCD, in the order checked (:attr:`Digits.failure` indexes it).
REASONS = (InvalidFormat, InvalidProvince, InvalidCentury, FutureBirthYear)
# Indexed by the three leading bytes read as digits; junk bytes (≤ 255 each) index past 999.
_PROVINCE_OK = np.zeros(255 * 111 + 1, dtype=bool)
_PROVINCE_OK[[int(code) for code in PROVINCES]] = True


class Digits(NamedTuple):
    """What :func:`decode` reads from 12-character values."""

    failure: np.ndarray  # index into REASONS, -1 for a valid CCCD
    province: np.ndarray  # int16 PPP (meaningful for valid rows only, as are the next two)
    century: np.ndarray  # uint8 G
    yy: np.ndarray  # uint8 YY


def decode(twelve: pa.Array) -> Digits:
    """:func:`validate` over values 12 bytes long, read as digits straight from the Arrow buffer.

    >>> decode(pa.array(["001090012345", "999090012345", "00109001234x"], pa.large_string())).failure
    array([-1,  1,  0])
    """
    all_digits = _arrow.as_numpy(pc.ascii_is_decimal(twelve))
    # Rows that are not all digits hold junk here (uint8 arithmetic wraps) and fail first.
    d = _arrow.digit_matrix(twelve, LENGTH)
    province = d[:, 0].astype(np.int16) * 100 + d[:, 1] * 10 + d[:, 2]
    century, yy = d[:, 3], d[:, 4] * 10 + d[:, 5]
    year = birth_year(century.astype(np.int16), yy)
    failures = [~all_digits, ~_PROVINCE_OK[province], century > 3, year > DATA_YEAR]
    return Digits(np.select(failures, list(range(len(REASONS))), -1), province, century, yy)


def consistency_series(
    id_compact: pd.Series, sex: pd.Series, birth_year: pd.Series
) -> pd.DataFrame:
    """Whether sex ("Nam"/"Nữ") and birth year agree with the CCCD digits, as nullable booleans.

    NA where the ID is not a valid CCCD, the sex is not exactly "Nam"/"Nữ" (normalise with
    ``vaxutils.sex`` first) or the year is not a whole number; equal to :func:`check_consistency`
    (the ID is compacted the same way). ``sex`` and ``birth_year`` are aligned by index.

    >>> ids = pd.Series(["001090012345", "001090012345", "012345678"])
    >>> consistency_series(ids, pd.Series(["Nữ", "Nam", "Nam"]), pd.Series([1990, 1991, 1990]))
       sex_ok  year_ok
    0   False     True
    1    True    False
    2    <NA>     <NA>
    """
    id_compact = _arrow.series_of(id_compact)
    index, n = id_compact.index, len(id_compact)
    if n == 0:
        empty = pd.array([], dtype="boolean")
        return pd.DataFrame({"sex_ok": empty, "year_ok": empty}, index=index)
    numbers = _arrow.text_array(id_compact)
    valid, century, year = _read(numbers)
    # Values that are not valid as they stand may be valid once compacted, as compact() does.
    rest = np.flatnonzero(~valid & _arrow.as_numpy(pc.is_valid(numbers)))
    if len(rest):
        valid[rest], century[rest], year[rest] = _read(
            _arrow.remove_separators(_arrow.take(numbers, rest))
        )
    given_sex = _arrow.as_numpy(
        pc.index_in(_arrow.text_array(_aligned(sex, index)), value_set=pa.array(SEXES)), -1
    )
    given_year = _years(_aligned(birth_year, index))
    return pd.DataFrame(
        {
            "sex_ok": pd.arrays.BooleanArray(century % 2 == given_sex, ~valid | (given_sex < 0)),
            "year_ok": pd.arrays.BooleanArray(year == given_year, ~valid | np.isnan(given_year)),
        },
        index=index,
    )


def _read(numbers: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Whether each value is a valid CCCD as it stands, its century digit and its birth year."""
    n = len(numbers)
    twelve = np.flatnonzero(_arrow.as_numpy(pc.binary_length(numbers), -1) == LENGTH)
    digits = decode(_arrow.take(numbers, twelve))
    valid, century = np.zeros(n, dtype=bool), np.zeros(n, dtype=np.uint8)
    year = np.zeros(n, dtype=np.int64)
    valid[twelve], century[twelve] = digits.failure < 0, digits.century
    year[twelve] = birth_year(digits.century.astype(np.int16), digits.yy)
    return valid, century, year


def _aligned(values: object, index: pd.Index) -> pd.Series:
    if isinstance(values, pd.Series):
        return values if values.index.equals(index) else values.reindex(index)
    return pd.Series(values, index=index)


def _years(values: pd.Series) -> np.ndarray:
    """Whole-number birth years as floats, NaN where unknown (``as_year`` over a Series)."""
    if pd.api.types.is_bool_dtype(values.dtype) or not pd.api.types.is_numeric_dtype(values.dtype):
        # Non-numeric columns only occur as junk; convert each value like the scalar path does.
        years = np.frompyfunc(as_year, 1, 1)(values.to_numpy(dtype=object))
        return np.array([np.nan if y is None else y for y in years], dtype=np.float64)
    years = values.to_numpy(dtype=np.float64, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(years) & (years == np.floor(years)), years, np.nan)
