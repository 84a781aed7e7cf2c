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
  seven or more digits is masked the same way, and so is a number of 9 to 12 digits written in
  groups with one separator (``0912 345 678``, ``004.095.012.345``, ``+84-912-345-678``); the
  rest of the text stays, so record codes (``DT000001``), dates (``2022-05-15 10:00``) and names
  remain readable. A name, a village or a note holding a typed ID or phone is masked this way.

A digit is any character Unicode reads as one (full-width ``０１２``, other scripts' digits,
superscripts and circled digits that NFKC turns into ASCII): a spreadsheet or a phone keyboard
produce them, and a person reads them as the number.

Scalar and vectorised functions give the same answers (a property test proves it); missing
values stay missing; inputs are never mutated.

>>> mask_id("004095012345"), mask_phone("0912345678"), mask_id(None) is None
('004*******45', '091*****78', True)
>>> mask_text("R00012 gọi 0912345678 ngày 01/06/2022")
'R00012 gọi 091*****78 ngày 01/06/2022'
>>> mask_text("Lê Thị Hoa 0912 345 678"), mask_id("００４０９５０１２３４５")
('Lê Thị Hoa 091* *** *78', '００４*******４５')
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

KEEP_START = 3
KEEP_END = 2
SHORTEST_PARTLY_SHOWN = KEEP_START + KEEP_END + 1
#: A digit run this long in free text is taken for an identifier or a phone number.
SHORTEST_NUMBER_IN_TEXT = 7

# Unicode decimal digits (\d: full-width, Arabic-Indic...) and the superscript, subscript and
# circled digits NFKC maps to one ASCII digit. Python's regex engine on both paths (Arrow's RE2
# reads \d as ASCII only).
_D = r"[\d\u00b2\u00b3\u00b9\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468\u24ea\u2780-\u2788]"
_DIGIT = re.compile(_D)
# A digit inside a run of >= 7 digits with >= 3 digits before it and >= 2 after it. Written
# with look-arounds so that one regex substitution does the work, for a scalar and a Series alike.
_RUN_MIDDLE = re.compile(rf"(?<={_D}{{3}})(?:(?<={_D}{{4}})|(?={_D}{{4}})){_D}(?={_D}{{2}})")
# Digits in groups of 2-4 with one separator, the same all along (a date-time mixes '-', ' ' and
# ':'), not glued to more digits: a phone or an ID typed for reading (0912 345 678,
# 004.095.012.345). A record code such as 01366-000071 (groups of 5 and 6) is not one.
_GROUPED = re.compile(
    rf"(?<!{_D})(?<!{_D}[ .\-])\+?{_D}{{2,4}}([ .\-]){_D}{{2,4}}(?:\1{_D}{{2,4}}){{1,4}}"
    rf"(?!{_D})(?!\1{_D})"
)
GROUPED_DIGITS = (9, 12)  # how many digits a grouped number has to be taken for an ID or phone


def _mask_grouped(match: re.Match) -> str:
    text = match.group(0)
    n = len(_DIGIT.findall(text))
    if not GROUPED_DIGITS[0] <= n <= GROUPED_DIGITS[1]:
        return text
    out, seen = [], 0
    for char in text:
        if _DIGIT.fullmatch(char):
            seen += 1
            out.append(char if seen <= KEEP_START or seen > n - KEEP_END else "*")
        else:
            out.append(char)
    return "".join(out)


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
        or (isinstance(value, decimal.Decimal) and value.is_nan())
    )


def _as_text(value: object) -> str:
    # bytes are decoded the same way on both paths
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
    s = _tame(s)
    # string[python]: Python's regex engine knows Unicode digits, and lone surrogates survive
    text = _texts(s)
    has_digit = text.str.contains(_DIGIT, regex=True).fillna(False).astype(bool)
    long_enough = (text.str.len() >= SHORTEST_PARTLY_SHOWN).fillna(False).astype(bool)
    middle = text.str.slice(KEEP_START, -KEEP_END).str.replace(r"(?s).", "*", regex=True)
    partly = text.str.slice(0, KEEP_START) + middle + text.str.slice(-KEEP_END)
    fully = text.str.replace(_DIGIT, "*", regex=True)
    masked = text.where(~has_digit, fully.where(~long_enough, partly))
    return masked.astype(object).where(s.notna(), s)


def mask_text(value: object) -> object:
    """Mask every run of seven or more digits inside free text; missing stays missing.

    >>> mask_text("Số 004095012345 trùng"), mask_text("DT000001"), mask_text(None) is None
    ('Số 004*******45 trùng', 'DT000001', True)
    """
    if _is_missing(value):
        return value
    return _RUN_MIDDLE.sub("*", _GROUPED.sub(_mask_grouped, _as_text(value)))


def mask_text_series(s: pd.Series) -> pd.Series:
    """:func:`mask_text` over a Series; index and missing values kept, input not mutated.

    >>> mask_text_series(pd.Series(["gọi 0912345678", None])).tolist()
    ['gọi 091*****78', nan]
    """
    if len(s) == 0:
        return s.copy()
    s = _tame(s)
    # each distinct text once (a report's messages, villages and notes repeat on every row),
    # then spread back by position
    codes, uniques = pd.factorize(_texts(s))
    # Python's regex engine (string[python]): Arrow's RE2 has no look-arounds
    distinct = (
        pd.Series(uniques, dtype="string[python]")
        .str.replace(_GROUPED, _mask_grouped, regex=True)
        .str.replace(_RUN_MIDDLE, "*", regex=True)
        .to_numpy(dtype=object)
    )
    masked = np.empty(len(s), dtype=object)
    found = codes >= 0
    masked[found] = distinct[codes[found]]
    return pd.Series(masked, index=s.index, dtype=object).where(s.notna(), s)


def _tame(s: pd.Series) -> pd.Series:
    """``s`` with the cells pandas cannot handle made plain: bytes decoded leniently (astype would
    raise on bad bytes), a Decimal NaN made None (a signalling NaN raises in ``isna``)."""
    if s.dtype != object:
        return s
    kinds = s.map(type)  # type() is a builtin: no Python call of ours per row
    odd = kinds.eq(bytes) | kinds.eq(decimal.Decimal)
    if not odd.any():  # the usual case: nothing copied
        return s
    s = s.copy()
    s[odd] = [None if _is_missing(v) else _as_text(v) for v in s[odd]]
    return s


def _texts(s: pd.Series) -> pd.Series:
    """``s`` (already :func:`_tame`) as Python strings."""
    return s.astype("string[python]")


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
