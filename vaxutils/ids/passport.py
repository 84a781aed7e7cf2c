"""Vietnamese passport number (hộ chiếu): one uppercase letter and seven digits, e.g. ``B1234567``.

Foreigners were recorded by passport number; they are not checked against the National Population
Database. :func:`compact` upper-cases the letter; :func:`format` is the compact form.

>>> validate(" b1234567 ")
'B1234567'
>>> is_valid("B123456"), is_valid("12345678")
(False, False)
"""

from __future__ import annotations

from vaxutils.ids import _cells
from vaxutils.ids.exceptions import InvalidFormat, InvalidLength, ValidationError

LENGTH = 8
PATTERN = "[A-Z][0-9]{7}"


def compact(number: object) -> str:
    """The number without separators, its letter in upper case."""
    text = _cells.to_text(number) or ""
    return _cells.ascii_upper(_cells.remove_separators(_cells.strip(text)))


def validate(number: object) -> str:
    """The compact number if it is one letter and seven digits, else raise a ValidationError."""
    number = compact(number)
    if len(number) != LENGTH:
        raise InvalidLength()
    if not _cells.fullmatch(PATTERN, number):
        raise InvalidFormat()
    return number


def is_valid(number: object) -> bool:
    """True if :func:`validate` accepts the number; never raises."""
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def format(number: object) -> str:
    """The compact number (passports are printed without grouping)."""
    return compact(number)
