"""Spreadsheet damage to identifiers: detected, and repaired only as a *suggestion*.

What Excel and hurried typing do to an ID cell, and the reason code reported for it:

====================  ==========================================  ===============================
code                  damage                                      suggestion
====================  ==========================================  ===============================
id_leading_zero_lost  stored as a number: 12 digits keep 11 (10    ``"0"`` (``"00"``) + value, only
                      for provinces 001–009); a CMND keeps 8       if that is a valid number
id_letter_for_digit   O/o typed for 0, I/l for 1                   the digits
id_float_suffix       read as a float: ``1090123456.0``            without ``.0``
id_fullwidth_digits   ``００１…`` from an East Asian input method    ASCII digits
id_separators         ``004 095 012 345``, ``004.095.012.345``     without separators
id_scientific_notation ``4.09501E+10``: digits are lost            none (unrecoverable)
====================  ==========================================  ===============================

A value with several kinds of damage gets one code, the most actionable (the order above), and
the combined repair as suggestion. A value whose repair is still not a valid number gets the code
of what is wrong with the repair (``id_invalid_length``, ``id_unknown_province`` …) and no
suggestion. Surrounding whitespace alone is ``id_whitespace``, a normalisation (info), not an error.
Cells meaning "no ID" ("0", "-", "x", "Không có", "000000000000") are ``id_placeholder``.

>>> diagnose(" 001090012345")
Diagnosis(kind='cccd', compact='001090012345', code='id_whitespace', suggestion=None)
>>> diagnose(1090012345.0)
Diagnosis(kind='invalid', compact=None, code='id_leading_zero_lost', suggestion='001090012345')
>>> diagnose("4.09501E+10").code, diagnose("OO1O9OO12345").suggestion, diagnose("Không có").kind
('id_scientific_notation', '001090012345', 'missing')
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from vaxutils.ids import _cells, cccd, cmnd, passport
from vaxutils.ids.exceptions import (
    InvalidFormat,
    InvalidLength,
    UnrecoverableDamage,
    ValidationError,
)

KINDS = ("cccd", "cmnd", "passport", "missing", "invalid")
# Repairable damage, most actionable first: the first one present is the reported code.
DAMAGE_CODES = (
    "id_leading_zero_lost",
    "id_letter_for_digit",
    "id_float_suffix",
    "id_fullwidth_digits",
    "id_separators",
)
ID_CODES = (
    "id_missing",
    "id_placeholder",
    "id_whitespace",
    *DAMAGE_CODES,
    "id_scientific_notation",
    "id_invalid_length",
    "id_invalid_characters",
    "id_unknown_province",
    "id_invalid_century",
    "id_future_birth_year",
)
# 8 digits are a CMND that lost its 0 only if the restored prefix is one that starts with 0.
CMND_SHRUNK = "(?:[12357]|95)[0-9]*"


class Diagnosis(NamedTuple):
    """What a personal-ID cell holds (the columns of ``series.classify_ids``)."""

    kind: str  # one of KINDS
    compact: str | None  # the valid value after stripping whitespace, else None
    code: str | None  # reason code, None when valid and unchanged
    suggestion: str | None  # repaired value when derivable


class Issue(NamedTuple):
    """One problem with a cell: reason code and suggested value (None when none)."""

    code: str
    suggestion: str | None


def structure(text: str) -> tuple[str, str | None]:
    """The kind of an exact text (no repair), and the reason code when it is not valid.

    >>> structure("001090012345"), structure("001490012345"), structure("B1234567")
    (('cccd', None), ('invalid', 'id_invalid_century'), ('passport', None))
    """
    if _cells.fullmatch(passport.PATTERN, text):
        return "passport", None
    if not _cells.fullmatch(_cells.DIGITS, text):
        return "invalid", InvalidFormat.code("id")
    if len(text) == cmnd.LENGTH:
        return "cmnd", None
    try:
        cccd.validate(text)
    except ValidationError as exc:
        return "invalid", exc.code("id")
    return "cccd", None


def lost_zero_repair(digits: str) -> str | None:
    """The number with its lost leading zeros restored, if that makes a valid CCCD or CMND.

    >>> lost_zero_repair("1090012345"), lost_zero_repair("79090012345"), lost_zero_repair("40123456")
    ('001090012345', '079090012345', None)
    """
    if len(digits) in (cccd.LENGTH - 1, cccd.LENGTH - 2):
        padded = digits.rjust(cccd.LENGTH, "0")
        return padded if cccd.is_valid(padded) else None
    if len(digits) == cmnd.LENGTH - 1 and _cells.fullmatch(CMND_SHRUNK, digits):
        return "0" + digits
    return None


def diagnose(value: object) -> Diagnosis:
    """Classify a personal-ID cell (CCCD, CMND, passport, missing, invalid) and explain damage."""
    text = _cells.to_text(value)
    stripped = _cells.strip(text) if text is not None else ""
    if not stripped:
        return Diagnosis("missing", None, "id_missing", None)
    if _cells.is_placeholder(stripped):
        return Diagnosis("missing", None, "id_placeholder", None)
    kind, failure = structure(stripped)
    if failure is None:
        return Diagnosis(kind, stripped, None if stripped == text else "id_whitespace", None)

    repaired = _cells.fullwidth_to_ascii(stripped)
    if _cells.fullmatch(_cells.SCIENTIFIC, repaired):
        return Diagnosis("invalid", None, UnrecoverableDamage.code("id"), None)
    damage = {"id_fullwidth_digits": repaired != stripped}
    damage["id_float_suffix"] = _cells.fullmatch(_cells.FLOAT_SUFFIX, repaired)
    if damage["id_float_suffix"]:
        repaired = repaired[: repaired.index(".")]
    without_separators = _cells.remove_separators(repaired)
    damage["id_separators"] = without_separators != repaired
    repaired = without_separators
    damage["id_letter_for_digit"] = not _cells.fullmatch(
        _cells.DIGITS, repaired
    ) and _cells.fullmatch(_cells.LETTER_DIGITS, repaired)
    if damage["id_letter_for_digit"]:
        repaired = _cells.letters_to_digits(repaired)

    kind, failure = structure(repaired)
    if failure == InvalidLength.code("id"):
        restored = lost_zero_repair(repaired)
        damage["id_leading_zero_lost"] = restored is not None
        repaired, failure = (restored, None) if restored else (repaired, failure)
    if failure is None:
        code = next(code for code in DAMAGE_CODES if damage.get(code))
        return Diagnosis("invalid", None, code, repaired)
    if damage["id_letter_for_digit"]:
        failure = InvalidFormat.code("id")
    return Diagnosis("invalid", None, failure, None)


def diagnose_number(
    value: object,
    prefix: str,
    compact: Callable[[str], str],
    validate: Callable[[str], str],
    lost_zero_repair: Callable[[str], str | None],
) -> Issue | None:
    """The shared diagnosis of a contact number (phone, insurance); None when fine or empty.

    Empty cells and placeholders are not problems here: a phone or insurance number is optional.
    Codes: ``<prefix>_normalized`` (valid after removing separators etc.; suggestion = compact),
    ``<prefix>_leading_zero_lost``, ``<prefix>_scientific_notation`` and the validator's reasons.
    """
    text = _cells.to_text(value)
    stripped = _cells.strip(text) if text is not None else ""
    if not stripped or _cells.is_placeholder(stripped):
        return None
    if _cells.fullmatch(_cells.SCIENTIFIC, stripped):
        return Issue(UnrecoverableDamage.code(prefix), None)
    if _cells.fullmatch(_cells.FLOAT_SUFFIX, stripped):
        stripped = stripped[: stripped.index(".")]
    number = compact(stripped)
    try:
        validate(number)
    except ValidationError as exc:
        restored = lost_zero_repair(number)
        if restored is not None:
            return Issue(f"{prefix}_leading_zero_lost", restored)
        return Issue(exc.code(prefix), None)
    return None if number == text else Issue(f"{prefix}_normalized", number)
