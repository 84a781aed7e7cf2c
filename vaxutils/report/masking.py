"""Masking of ID and phone numbers in anything shared (DESIGN §7).

HTML reports are passed around by phone and e-mail, so they show identifiers only as
``004*******45``: the first three and last two characters stay (enough for a health worker to
recognise the record next to its name), everything between becomes ``*``. Values shorter than six
characters are too short to keep any of: every digit is starred. Text without digits
("Không có", "-") identifies nobody and stays as is. Full values belong only in the workbooks the
procedure requires.

>>> mask_id("004095012345")
'004*******45'
>>> mask_phone("0912345678")
'091*****78'
>>> mask_id(None) is None
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

KEEP_START = 3
KEEP_END = 2
_SHORTEST_PARTLY_SHOWN = KEEP_START + KEEP_END + 1
_DIGIT = re.compile(r"[0-9]")  # ASCII digits, as in the Arrow regex below

#: Columns of the screen outputs that hold an identifier or a phone number.
SENSITIVE_COLUMNS: tuple[str, ...] = (
    "id_number",
    "id_raw",
    "id_compact",
    "id_suggestion",
    "phone",
    "insurance_no",
)
#: Findings about these fields carry the sensitive value in ``value`` and ``suggestion``.
SENSITIVE_FIELDS: tuple[str, ...] = ("id_number", "phone", "insurance_no")


def mask_series(s: pd.Series) -> pd.Series:
    """Mask every value of a Series; index and missing values kept, input not mutated.

    >>> mask_series(pd.Series(["004095012345", None, "Không có", "12"])).tolist()
    ['004*******45', nan, 'Không có', '**']
    """
    if len(s) == 0:
        return s.copy()
    text = s.astype("string[pyarrow]")
    has_digit = text.str.contains(r"[0-9]", regex=True).fillna(False).astype(bool)
    long_enough = (text.str.len() >= _SHORTEST_PARTLY_SHOWN).fillna(False).astype(bool)
    middle = text.str.slice(KEEP_START, -KEEP_END).str.replace(r"(?s).", "*", regex=True)
    partly = text.str.slice(0, KEEP_START) + middle + text.str.slice(-KEEP_END)
    fully = text.str.replace(r"[0-9]", "*", regex=True)
    masked = text.where(~has_digit, fully.where(~long_enough, partly))
    out = masked.astype(object).where(s.notna(), s)
    return out


def _mask_scalar(value: object) -> object:
    """The scalar twin of :func:`mask_series` (a property test proves them equal)."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return value
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    if not _DIGIT.search(text):
        return text
    if len(text) >= _SHORTEST_PARTLY_SHOWN:
        return text[:KEEP_START] + "*" * (len(text) - KEEP_START - KEEP_END) + text[-KEEP_END:]
    return _DIGIT.sub("*", text)


def mask_id(value: object) -> object:
    """Mask one ID number (CCCD, CMND, passport, insurance); missing stays missing.

    >>> mask_id("012345678")
    '012****78'
    >>> mask_id(4095012345)
    '409*****45'
    """
    return _mask_scalar(value)


def mask_phone(value: object) -> object:
    """Mask one phone number the same way as an ID.

    >>> mask_phone("+84912345678")
    '+84*******78'
    """
    return _mask_scalar(value)


def mask_frame(
    df: pd.DataFrame,
    columns: Iterable[str] = SENSITIVE_COLUMNS,
    *,
    field_column: str = "field",
    value_columns: Iterable[str] = ("value", "suggestion"),
) -> pd.DataFrame:
    """Return a copy of ``df`` with identifiers and phone numbers masked.

    Masks the named sensitive columns that exist, and, for findings-shaped frames, ``value`` and
    ``suggestion`` on rows whose ``field`` is an identifier or a phone.

    >>> f = pd.DataFrame({"field": ["id_number", "full_name"], "value": ["004095012345", "Lê A"]})
    >>> mask_frame(f)["value"].tolist()
    ['004*******45', 'Lê A']
    """
    out = df.copy()
    for column in columns:
        if column in out.columns:
            out[column] = mask_series(out[column])
    if field_column in out.columns:
        sensitive = out[field_column].isin(SENSITIVE_FIELDS)
        for column in value_columns:
            if column in out.columns and sensitive.any():
                out[column] = out[column].astype(object)
                out.loc[sensitive, column] = mask_series(out.loc[sensitive, column])
    return out
