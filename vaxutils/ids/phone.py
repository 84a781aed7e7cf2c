"""Vietnamese mobile phone number (số điện thoại di động).

Ten digits: ``0`` + one of 3/5/7/8/9 + eight digits (prefixes after the 2018 re-numbering). The
international form ``+84 912 345 678`` (or ``84912345678``) compacts to ``0912345678``. A number
stored as a number in Excel loses its ``0`` and keeps nine digits; :func:`diagnose` suggests the repair.
:func:`format` groups as ``0912 345 678``.

>>> compact("+84 912-345-678"), compact("84912345678")
('0912345678', '0912345678')
>>> format("0912345678")
'0912 345 678'
>>> is_valid("0212345678"), is_valid("091234567")
(False, False)
>>> diagnose(912345678), diagnose("0912 345 678"), diagnose("0912345678")
(Issue(code='phone_leading_zero_lost', suggestion='0912345678'), Issue(code='phone_normalized', suggestion='0912345678'), None)
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils.ids import _arrow, _cells, numbers
from vaxutils.ids.exceptions import InvalidFormat, InvalidLength, InvalidPrefix, ValidationError

LENGTH = 10
PREFIX = "0[35789]"
SEPARATOR_CLASS = _cells.SEPARATOR_CLASS[:-1] + "()]"
INTERNATIONAL = "^\\+840?"  # "+84 (0) 912…" also occurs
INTERNATIONAL_NO_PLUS = "^84([35789][0-9]{8})$"


def compact(number: object) -> str:
    """The number without separators or brackets, in the national ``0…`` form."""
    text = _cells.strip(_cells.to_text(number) or "")
    number = re.sub(SEPARATOR_CLASS, "", text)
    number = re.sub(INTERNATIONAL, "0", number)
    return re.sub(INTERNATIONAL_NO_PLUS, "0\\1", number)


def validate(number: object) -> str:
    """The compact number if it is a 10-digit mobile number, else raise a ValidationError."""
    number = compact(number)
    if not _cells.fullmatch(_cells.DIGITS, number):
        raise InvalidFormat()
    if len(number) != LENGTH:
        raise InvalidLength()
    if not _cells.fullmatch(PREFIX + "[0-9]*", number):
        raise InvalidPrefix()
    return number


def is_valid(number: object) -> bool:
    """True if :func:`validate` accepts the number; never raises."""
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def format(number: object) -> str:
    """The number grouped as ``0912 345 678``."""
    number = compact(number)
    return " ".join((number[:4], number[4:7], number[7:])).strip()


def lost_zero_repair(number: str) -> str | None:
    """``0`` + a 9-digit compact number that starts like a mobile number, else None."""
    if _cells.fullmatch("[35789][0-9]{8}", number):
        return "0" + number
    return None


def diagnose(value: object) -> numbers.Issue | None:
    """The problem with a phone cell as ``Issue(code, suggestion)``, or None (also when empty)."""
    return numbers.diagnose_number(value, "phone", compact, validate, lost_zero_repair)


# --- the same over a Series (the data path) ------------------------------------------------------


def issues_series(s: pd.Series) -> pd.DataFrame:
    """:func:`diagnose` over a Series, in long form (``row``, ``code``, ``suggestion``).

    >>> issues_series(pd.Series(["0912 345 678", "12345", None]))
       row                  code  suggestion
    0    0      phone_normalized  0912345678
    1    1  phone_invalid_length        <NA>
    """
    return numbers.number_issues(s, "phone", _compact_array, _failure, _lost_zero_array)


def valid_series(s: pd.Series) -> pd.Series:
    """The valid mobile numbers of ``s`` in compact form (``0xxxxxxxxx``), NA where not valid.

    >>> valid_series(pd.Series(["+84 912 345 678", "0912.345.678", "12345", None])).tolist()
    ['0912345678', '0912345678', <NA>, <NA>]
    """
    s = _arrow.series_of(s)
    if s.empty:
        return pd.Series(pd.array([], dtype=_arrow.STRING), index=s.index, name=s.name)
    number = _compact_array(_arrow.strip(_arrow.text_array(s)))
    valid = pc.if_else(pa.array(_failure(number) == ""), number, _arrow.NULL)
    return pd.Series(pd.array(valid, dtype=_arrow.STRING), index=s.index, name=s.name)


def _compact_array(arr: pa.Array) -> pa.Array:
    number = pc.replace_substring_regex(arr, SEPARATOR_CLASS, "")
    number = pc.replace_substring_regex(number, INTERNATIONAL, "0")
    return pc.replace_substring_regex(number, INTERNATIONAL_NO_PLUS, "0\\1")


def _failure(number: pa.Array) -> np.ndarray:
    length = _arrow.as_numpy(pc.utf8_length(number), 0)
    digits = _arrow.as_numpy(pc.ascii_is_decimal(number))
    prefix_ok = _arrow.match(number, PREFIX + "[0-9]*")
    return _arrow.first_reason(
        [~digits, length != LENGTH, ~prefix_ok],
        [InvalidFormat.reason, InvalidLength.reason, InvalidPrefix.reason],
    )


def _lost_zero_array(number: pa.Array) -> pa.Array:
    ok = _arrow.match(number, "[35789][0-9]{8}")
    return pc.if_else(pa.array(ok), pc.utf8_lpad(number, width=10, padding="0"), _arrow.NULL)
