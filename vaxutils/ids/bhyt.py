"""Health insurance card code (mã thẻ BHYT) and social-insurance number (mã số BHXH).

The card code has 15 characters, ``XX N PP DDDDDDDDDD``::

    XX          beneficiary group, two letters (DN, HC, HT, GD …)
    N           benefit level, 1–5
    PP          province of issue, two digits
    DDDDDDDDDD  the person's 10-digit social-insurance number

Cards issued from 1 April 2021 identify the person by the 10 digits alone, which are accepted as
they are. Numbers from provinces 01–09 start with ``0`` and lose it when stored as numbers
(:func:`diagnose` suggests the repair). :func:`format` groups as ``DN 4 01 0123456789``.

>>> validate("dn 4 01 0123456789")
'DN4010123456789'
>>> format("DN4010123456789")
'DN 4 01 0123456789'
>>> is_valid("0123456789"), is_valid("DN9010123456789"), is_valid("DN40101234567")
(True, False, False)
>>> diagnose(123456789)
Issue(code='bhyt_leading_zero_lost', suggestion='0123456789')
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils.ids import _arrow, _cells, numbers
from vaxutils.ids.exceptions import (
    InvalidBenefitLevel,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)

CARD_LENGTH = 15
NUMBER_LENGTH = 10
CARD_PATTERN = "[A-Z]{2}[0-9]{13}"
BENEFIT_LEVELS = "12345"


def compact(number: object) -> str:
    """The code without separators, letters in upper case."""
    text = _cells.to_text(number) or ""
    return _cells.ascii_upper(_cells.remove_separators(_cells.strip(text)))


def validate(number: object) -> str:
    """The compact code if it is a card code or a 10-digit number, else raise a ValidationError."""
    number = compact(number)
    if len(number) not in (CARD_LENGTH, NUMBER_LENGTH):
        raise InvalidLength()
    if len(number) == NUMBER_LENGTH:
        if not _cells.fullmatch(_cells.DIGITS, number):
            raise InvalidFormat()
        return number
    if not _cells.fullmatch(CARD_PATTERN, number):
        raise InvalidFormat()
    if number[2] not in BENEFIT_LEVELS:
        raise InvalidBenefitLevel()
    return number


def is_valid(number: object) -> bool:
    """True if :func:`validate` accepts the code; never raises."""
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def format(number: object) -> str:
    """A card code grouped as ``XX N PP DDDDDDDDDD``; a 10-digit number as it is."""
    number = compact(number)
    if len(number) != CARD_LENGTH:
        return number
    return " ".join((number[:2], number[2], number[3:5], number[5:]))


def lost_zero_repair(number: str) -> str | None:
    """``0`` + a 9-digit social-insurance number, else None."""
    if _cells.fullmatch("[0-9]{9}", number):
        return "0" + number
    return None


def diagnose(value: object) -> numbers.Issue | None:
    """The problem with an insurance cell as ``Issue(code, suggestion)``, or None (also when empty)."""
    return numbers.diagnose_number(value, "bhyt", compact, validate, lost_zero_repair)


# --- the same over a Series (the data path) ------------------------------------------------------


def issues_series(s: pd.Series) -> pd.DataFrame:
    """:func:`diagnose` over a Series, in long form (``row``, ``code``, ``suggestion``).

    >>> issues_series(pd.Series(["DN4010123456789", "dn 4 01 0123456789", 123456789]))
      row                    code       suggestion
    0   1         bhyt_normalized  DN4010123456789
    1   2  bhyt_leading_zero_lost       0123456789
    """
    return numbers.number_issues(s, "bhyt", _compact_array, _failure, _lost_zero_array)


def _compact_array(arr: pa.Array) -> pa.Array:
    return pc.ascii_upper(pc.replace_substring_regex(arr, _cells.SEPARATOR_CLASS, ""))


def _failure(number: pa.Array) -> np.ndarray:
    length = _arrow.as_numpy(pc.utf8_length(number), 0)
    card = length == CARD_LENGTH
    level_ok = _arrow.as_numpy(
        pc.is_in(pc.utf8_slice_codeunits(number, 2, 3), pa.array(list("12345")))
    )
    return _arrow.first_reason(
        [
            ~card & (length != NUMBER_LENGTH),
            ~card & ~_arrow.as_numpy(pc.ascii_is_decimal(number)),
            card & ~_arrow.match(number, CARD_PATTERN),
            card & ~level_ok,
        ],
        [
            InvalidLength.reason,
            InvalidFormat.reason,
            InvalidFormat.reason,
            InvalidBenefitLevel.reason,
        ],
    )


def _lost_zero_array(number: pa.Array) -> pa.Array:
    ok = _arrow.match(number, "[0-9]{9}")
    return pc.if_else(pa.array(ok), pc.utf8_lpad(number, width=10, padding="0"), _arrow.NULL)
