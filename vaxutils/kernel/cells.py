"""A column of a frame as text, or missing: what every step does to the cells it reads.

Frames reach a step from a reader (text), from Parquet (text, dates, numbers) or from a caller
(anything, including junk in a text column). These functions give one answer for all of them and
never fail on a missing column: it reads as a column of ``<NA>``.

>>> frame = pd.DataFrame({"name": [" Lan ", "", 3, None]})
>>> text_column(frame, "name").tolist(), text_column(frame, "phone").tolist()
([' Lan ', '', '3', <NA>], [<NA>, <NA>, <NA>, <NA>])
>>> stripped_text(text_column(frame, "name")).tolist()
['Lan', <NA>, '3', <NA>]
>>> as_text(column_or_na(frame, "name")).tolist()
[' Lan ', <NA>, <NA>, <NA>]
"""

from __future__ import annotations

import datetime
import decimal
import math
import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa


def column_or_na(frame: pd.DataFrame, name: str) -> pd.Series:
    """``frame[name]`` as it is, or a ``string`` column of ``<NA>`` (same index) when there is none."""
    if name in frame.columns:
        return frame[name]
    return pd.Series(pd.NA, index=frame.index, dtype="string")


_SURROGATE = re.compile("[\ud800-\udfff]")


def without_surrogates(text: str) -> str:
    """``text`` with each lone surrogate (not text: it cannot be written as UTF-8, and Arrow
    refuses it) replaced by U+FFFD, which the checkers report as an invalid character.

    >>> without_surrogates("Nguy\\udcffn") == "Nguy\\ufffdn"
    True
    """
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def cell_text(value: Any) -> str | None:
    """Return the text a person sees in the cell, or None when the cell is missing.

    Never raises: any object is rendered with ``str()`` as a last resort.

    >>> cell_text(1), cell_text(1.5), cell_text(None), cell_text(pd.Timestamp("2022-01-01"))
    ('1', '1.5', None, '2022-01-01')
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return without_surrogates(value)
    if isinstance(value, decimal.Decimal):  # a signalling NaN raises on any comparison
        return None if value.is_nan() else str(value)
    if isinstance(value, bytes | bytearray):
        # Bytes reach us from odd readers; UTF-8 is the only sane guess, bad bytes become U+FFFD
        # so that the name checker reports them as invalid characters instead of crashing.
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return str(float(value))
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            return None
        value = pd.Timestamp(value)
    if isinstance(value, datetime.datetime):
        midnight = (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0)
        return value.date().isoformat() if midnight else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    try:
        return str(value)
    except Exception:  # an object whose __str__ fails is still a cell we must report, not crash on
        return repr(type(value))


def text_column(frame: pd.DataFrame, name: str) -> pd.Series:
    """``frame[name]`` as text (pandas ``string``), or all ``<NA>`` when ``frame`` has no such column.

    >>> text_column(pd.DataFrame({"a": [1, None]}), "b").tolist()
    [<NA>, <NA>]
    """
    column = column_or_na(frame, name)
    try:
        return column.astype("string")
    except (UnicodeError, TypeError, ValueError, ArithmeticError, pa.ArrowException):
        # junk no reader gives (bytes, lone surrogates, odd objects): each cell as a person sees it
        return column.map(cell_text).astype("string")


def stripped_text(values: pd.Series) -> pd.Series:
    """Text with surrounding spaces removed; a blank cell is ``<NA>``."""
    return _blank_as_missing(values.astype("string").str.strip())


def as_text(values: pd.Series) -> pd.Series:
    """Nullable text of the same index: strings kept, empty strings and anything else (numbers,
    bytes, objects — junk in a text column) missing.

    >>> as_text(pd.Series(["Lan", "", 3, b"x", None])).tolist()
    ['Lan', <NA>, <NA>, <NA>, <NA>]
    """
    if isinstance(values.dtype, pd.StringDtype) or values.dtype == "str":
        text = values.astype("string")
    else:
        text = values.where(values.map(type).eq(str), None).astype("string")
    return _blank_as_missing(text)


def _blank_as_missing(text: pd.Series) -> pd.Series:
    """``text`` with its empty cells made ``<NA>`` (a mask rewrites every cell: only when needed)."""
    empty = text.eq("").fillna(False)
    return text.mask(empty) if empty.any() else text


def as_dates(values: pd.Series) -> pd.Series:
    """Datetimes of the same index: datetime columns as they are; ISO text and date objects parsed;
    anything else (numbers, bytes, junk) missing.

    >>> as_dates(pd.Series(["1980-01-02", 5, None])).dt.year.tolist()
    [1980.0, nan, nan]
    """
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values
    usable = values.map(type).isin([str, pd.Timestamp, datetime.datetime, datetime.date])
    return pd.to_datetime(values.where(usable, None), errors="coerce", format="ISO8601")
