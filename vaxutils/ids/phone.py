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

from vaxutils.ids import _cells, damage
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


def diagnose(value: object) -> damage.Issue | None:
    """The problem with a phone cell as ``Issue(code, suggestion)``, or None (also when empty)."""
    return damage.diagnose_number(value, "phone", compact, validate, lost_zero_repair)
