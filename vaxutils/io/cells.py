"""Render spreadsheet cells as the text a person sees in Excel.

Every reader ends here, so IDs and phones keep their digits and dates read the same whatever the
file format: numbers stored as numbers lose the ``.0`` that floats would print (Excel shows
``1090123456``, not ``1090123456.0``), dates stored as dates become ``YYYY-MM-DD`` (with the time
only when there is one), blanks become ``<NA>``. Text is kept exactly as typed.

>>> import datetime
>>> s = pd.Series(["Nguyễn Văn Nam", 1090123456.0, 1.5, 7, datetime.date(1990, 1, 2),
...                datetime.datetime(2022, 5, 4, 8, 30), "  ", None, float("nan"), True])
>>> cells_to_text(s).tolist()
['Nguyễn Văn Nam', '1090123456', '1.5', '7', '1990-01-02', '2022-05-04 08:30:00', <NA>, <NA>, <NA>, 'True']
"""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd

TEXT_DTYPE = pd.StringDtype()

# Floats beyond 2**53 no longer hold every integer; Excel itself keeps only 15 significant digits,
# so such a value is rendered with all its (already rounded) digits, as Excel's Number format does.
_INT64_SAFE = 2.0**63


def _floats_to_text(values: np.ndarray) -> np.ndarray:
    """Integral floats without ``.0``; others in Python's shortest round-trip form."""
    out = np.empty(len(values), dtype=object)
    finite = np.isfinite(values)
    integral = finite & (np.mod(values, 1, where=finite, out=np.ones_like(values)) == 0)
    integral &= np.abs(values) < _INT64_SAFE
    out[integral] = values[integral].astype(np.int64).astype(str)
    other = finite & ~integral
    out[other] = values[other].astype(str)
    out[np.isnan(values)] = None
    inf = np.isinf(values)
    out[inf] = np.where(values[inf] > 0, "inf", "-inf")
    return out


def _datetimes_to_text(values: pd.Series) -> pd.Series:
    try:
        stamps = pd.to_datetime(values)
    except (
        ValueError,
        OverflowError,
        TypeError,
    ):  # years outside pandas' range: rare, do them one by one
        return values.map(lambda v: v.isoformat(sep=" "))
    midnight = stamps == stamps.dt.normalize()
    return stamps.dt.strftime("%Y-%m-%d").where(midnight, stamps.dt.strftime("%Y-%m-%d %H:%M:%S"))


def _kind(cls: type) -> str:
    if issubclass(cls, str):
        return "str"
    if issubclass(cls, bool | np.bool_):
        return "other"
    if issubclass(cls, float | np.floating):
        return "float"
    if issubclass(cls, int | np.integer):
        return "int"
    if issubclass(cls, datetime.datetime | pd.Timestamp):
        return "datetime"
    if issubclass(cls, datetime.date):
        return "date"
    if cls is type(None) or cls is type(pd.NA) or cls is type(pd.NaT):
        return "missing"
    return "other"


def cells_to_text(values: pd.Series) -> pd.Series:
    """Return ``values`` (raw cells of any Python types) as text, keeping the index.

    Whitespace-only cells count as blank. The input is not modified.
    """
    if values.empty:
        return pd.Series([], index=values.index, dtype=TEXT_DTYPE, name=values.name)
    if pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
        text = values.astype(TEXT_DTYPE)
    elif pd.api.types.is_float_dtype(values.dtype):
        text = pd.Series(
            _floats_to_text(values.to_numpy(dtype=float, na_value=np.nan)), index=values.index
        )
    elif pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_integer_dtype(values.dtype):
        text = values.astype(TEXT_DTYPE)
    elif pd.api.types.is_datetime64_any_dtype(values.dtype):
        text = _datetimes_to_text(values)
    else:
        text = _object_cells_to_text(values)
    text = pd.Series(text, index=values.index, name=values.name).astype(TEXT_DTYPE)
    return text.mask(text.str.strip() == "")


def _object_cells_to_text(values: pd.Series) -> pd.Series:
    # Cells of one column mix types (text and numbers, dates and text). Look each cell's type up
    # once (a builtin, not a Python function per row), then convert each type group in one go.
    kinds = values.map(type).map(_kind) if values.dtype == object else None
    if kinds is None:
        return values.astype(str)
    out = pd.Series(pd.NA, index=values.index, dtype=object)
    for kind in kinds.unique():  # at most a handful of kinds
        mask = (kinds == kind).to_numpy()
        part = values[mask]
        if kind == "str":
            out[mask] = part
        elif kind == "float":
            out[mask] = _floats_to_text(part.to_numpy(dtype=float))
        elif kind == "int":
            out[mask] = part.astype(str)
        elif kind == "datetime":
            out[mask] = _datetimes_to_text(part)
        elif kind == "date":
            out[mask] = part.astype(str)  # date.__str__ is ISO
        elif kind == "other":
            out[mask] = part.astype(str)
    return out


def frame_to_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column of ``frame`` through :func:`cells_to_text` (a new frame, same index/columns).

    >>> frame_to_text(pd.DataFrame({"a": [1.0, None], "b": ["x", ""]}))
          a     b
    0     1     x
    1  <NA>  <NA>
    """
    return pd.DataFrame(
        {i: cells_to_text(frame.iloc[:, i]) for i in range(frame.shape[1])}, index=frame.index
    ).set_axis(frame.columns, axis=1)
