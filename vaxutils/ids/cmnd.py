"""CMND (chứng minh nhân dân, the old 9-digit identity card number).

The prefix names the issuing provincial police, not the birthplace; prefixes are shared between
provinces and numbers are not unique (a known 50,000-number collision), so only the shape
``^[0-9]{9}$`` can be checked. Numbers from police offices with prefixes 01/02/03/05/07/095 start
with ``0`` and shrink to 8 digits when a spreadsheet stores them as numbers (see ``damage``).
CMNDs were valid in 2022. 12-digit CMNDs (2013–2015) are CCCD numbers: see ``cccd``.

>>> validate("123 456 789")
'123456789'
>>> format("012345678")
'012 345 678'
>>> is_valid("12345678"), is_valid(None)
(False, False)
"""

from __future__ import annotations

from vaxutils.ids import _cells
from vaxutils.ids.exceptions import InvalidFormat, InvalidLength, ValidationError

LENGTH = 9
# Prefixes that start with 0 (Excel drops that zero): 01, 02, 03, 05, 07 and 095.
ZERO_PREFIXES = ("01", "02", "03", "05", "07", "095")


def compact(number: object) -> str:
    """The number without surrounding whitespace, spaces, dots or dashes."""
    return _cells.remove_separators(_cells.strip(_cells.to_text(number) or ""))


def validate(number: object) -> str:
    """The compact number if it has exactly 9 digits, else raise a ValidationError."""
    number = compact(number)
    if not _cells.fullmatch(_cells.DIGITS, number):
        raise InvalidFormat()
    if len(number) != LENGTH:
        raise InvalidLength()
    return number


def is_valid(number: object) -> bool:
    """True if :func:`validate` accepts the number; never raises."""
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def format(number: object) -> str:
    """The number in groups of three digits."""
    number = compact(number)
    return " ".join(number[i : i + 3] for i in range(0, len(number), 3))
