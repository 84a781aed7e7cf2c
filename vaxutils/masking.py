"""Masking of ID and phone numbers in anything shared (DESIGN §7).

HTML reports and contract summaries travel by phone and e-mail, so they show identifiers only as
``004*******45``: the first three and last two characters stay (enough for a health worker to
recognise the record next to its name), everything between becomes ``*``. One star pattern,
two situations:

* a cell that *is* an identifier or a phone number (:func:`mask_id`, :func:`mask_phone`,
  :func:`mask_series`, :func:`mask_frame`): the whole value is masked. Values shorter than six
  characters are too short to keep any of: every digit is starred. Text without digits
  ("Không có", "-") identifies nobody and stays as is.
* free text that may *contain* one (:func:`mask_text`, :func:`mask_text_series`): every run of
  seven or more digits is masked the same way and the rest of the text stays, so record codes
  (``DT000001``), dates and names remain readable. Numbers split by spaces or dots are not
  recognised inside free text; cells known to hold identifiers go through :func:`mask_id`.

Scalar and vectorised functions give the same answers (a property test proves it); missing
values stay missing; inputs are never mutated.

>>> mask_id("004095012345"), mask_phone("0912345678"), mask_id(None) is None
('004*******45', '091*****78', True)
>>> mask_text("R00012 gọi 0912345678 ngày 01/06/2022")
'R00012 gọi 091*****78 ngày 01/06/2022'
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

KEEP_START = 3
KEEP_END = 2
SHORTEST_PARTLY_SHOWN = KEEP_START + KEEP_END + 1
#: A digit run this long in free text is taken for an identifier or a phone number.
SHORTEST_NUMBER_IN_TEXT = 7

_DIGIT = re.compile(r"[0-9]")  # ASCII digits only, like the Arrow regex of the vectorised path
# A digit inside a run of >= 7 digits with >= 3 digits before it and >= 2 after it. Written
# with look-arounds so that one regex substitution does the work, for a scalar and a Series alike.
_RUN_MIDDLE = re.compile(r"(?<=[0-9]{3})(?:(?<=[0-9]{4})|(?=[0-9]{4}))[0-9](?=[0-9]{2})")

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


def _is_missing(value: object) -> bool:
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and value != value)
    )


def _as_text(value: object) -> str:
    # bytes are decoded like pandas' astype("string") decodes them, so both paths agree
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def mask_id(value: object) -> object:
    """Mask one ID number (CCCD, CMND, passport, insurance); missing stays missing.

    >>> mask_id("012345678"), mask_id(4095012345), mask_id("Không có"), mask_id("123")
    ('012****78', '409*****45', 'Không có', '***')
    """
    if _is_missing(value):
        return value
    text = _as_text(value)
    if not _DIGIT.search(text):
        return text
    if len(text) >= SHORTEST_PARTLY_SHOWN:
        return text[:KEEP_START] + "*" * (len(text) - KEEP_START - KEEP_END) + text[-KEEP_END:]
    return _DIGIT.sub("*", text)


def mask_phone(value: object) -> object:
    """Mask one phone number the same way as an ID.

    >>> mask_phone("+84912345678")
    '+84*******78'
    """
    return mask_id(value)


def mask_series(s: pd.Series) -> pd.Series:
    """:func:`mask_id` over a Series; index and missing values kept, input not mutated.

    >>> mask_series(pd.Series(["004095012345", None, "Không có", "12"])).tolist()
    ['004*******45', nan, 'Không có', '**']
    """
    if len(s) == 0:
        return s.copy()
    text = s.astype("string[pyarrow]")
    has_digit = text.str.contains(r"[0-9]", regex=True).fillna(False).astype(bool)
    long_enough = (text.str.len() >= SHORTEST_PARTLY_SHOWN).fillna(False).astype(bool)
    middle = text.str.slice(KEEP_START, -KEEP_END).str.replace(r"(?s).", "*", regex=True)
    partly = text.str.slice(0, KEEP_START) + middle + text.str.slice(-KEEP_END)
    fully = text.str.replace(r"[0-9]", "*", regex=True)
    masked = text.where(~has_digit, fully.where(~long_enough, partly))
    return masked.astype(object).where(s.notna(), s)


def mask_text(value: object) -> object:
    """Mask every run of seven or more digits inside free text; missing stays missing.

    >>> mask_text("Số 004095012345 trùng"), mask_text("DT000001"), mask_text(None) is None
    ('Số 004*******45 trùng', 'DT000001', True)
    """
    if _is_missing(value):
        return value
    return _RUN_MIDDLE.sub("*", _as_text(value))


def mask_text_series(s: pd.Series) -> pd.Series:
    """:func:`mask_text` over a Series; index and missing values kept, input not mutated.

    >>> mask_text_series(pd.Series(["gọi 0912345678", None])).tolist()
    ['gọi 091*****78', nan]
    """
    if len(s) == 0:
        return s.copy()
    # Python's regex engine (string[python]): Arrow's RE2 has no look-arounds
    masked = s.astype("string[python]").str.replace(_RUN_MIDDLE, "*", regex=True)
    return masked.astype(object).where(s.notna(), s)


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
