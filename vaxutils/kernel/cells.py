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

import pandas as pd


def column_or_na(frame: pd.DataFrame, name: str) -> pd.Series:
    """``frame[name]`` as it is, or a ``string`` column of ``<NA>`` (same index) when there is none."""
    if name in frame.columns:
        return frame[name]
    return pd.Series(pd.NA, index=frame.index, dtype="string")


def text_column(frame: pd.DataFrame, name: str) -> pd.Series:
    """``frame[name]`` as text (pandas ``string``), or all ``<NA>`` when ``frame`` has no such column.

    >>> text_column(pd.DataFrame({"a": [1, None]}), "b").tolist()
    [<NA>, <NA>]
    """
    return column_or_na(frame, name).astype("string")


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
