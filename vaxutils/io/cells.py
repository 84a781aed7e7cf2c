"""Render spreadsheet cells as the text a person sees in Excel.

Every reader ends here, so IDs and phones keep their digits and dates read the same whatever the
file format: numbers stored as numbers lose the ``.0`` that floats would print (Excel shows
``1090123456``, not ``1090123456.0``), fractions are shown to at most 9 decimals as Excel's
General format does (``0.1 + 0.2`` reads ``0.3``, ``3.14159265358979`` reads ``3.141592654``),
dates stored as dates become ``YYYY-MM-DD`` (with the time only when there is one), blanks
become ``<NA>``. Text is kept exactly as typed.

>>> import datetime
>>> s = pd.Series(["Nguyễn Văn Nam", 1090123456.0, 0.1 + 0.2, 7, datetime.date(1990, 1, 2),
...                datetime.datetime(2022, 5, 4, 8, 30), "  ", None, float("nan"), True])
>>> cells_to_text(s).tolist()
['Nguyễn Văn Nam', '1090123456', '0.3', '7', '1990-01-02', '2022-05-04 08:30:00', <NA>, <NA>, <NA>, 'True']
"""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils.kernel.cells import (
    text_column,  # noqa: F401 (its former home)
    without_surrogates,
)

TEXT_DTYPE = pd.StringDtype()

# Integral floats up to 2**63 are printed as integers (Excel's 15 significant digits are all kept;
# a 12-digit ID survives exactly). Arrow's own float formatting switches to "4.09501234567e+11".
_INT64_SAFE = 2.0**63


def _floats_to_text(values: np.ndarray) -> pa.Array:
    """Integral floats without ``.0``; fractions to at most 9 decimals; NaN is null.

    Nine decimals, trailing zeros dropped, is what Excel's General format shows in a wide cell and
    what fastexcel renders, so every reader gives the same text for the same cell.
    """
    values = values.astype(float, copy=False)
    finite = np.isfinite(values)
    integral = finite & (np.abs(values) < _INT64_SAFE)
    integral[integral] = np.floor(values[integral]) == values[integral]
    as_int = pa.array(np.where(integral, values, 0).astype(np.int64)).cast(pa.string())
    as_float = pa.array(values).cast(pa.string())  # beyond 2**63 and infinities: rare
    text = pc.if_else(pa.array(integral), as_int, as_float)
    fractions = finite & ~integral & (np.abs(values) < _INT64_SAFE)
    if fractions.any():  # few in an export: the cells of a column are mostly text or integers
        shown = [f"{v:.9f}".rstrip("0").rstrip(".") for v in values[fractions].tolist()]
        text = pc.replace_with_mask(text, pa.array(fractions), pa.array(shown, pa.string()))
    return pc.if_else(pa.array(np.isnan(values)), pa.scalar(None, pa.string()), text)


def _datetimes_to_text(values) -> pa.Array:
    """Datetimes as ``YYYY-MM-DD``, with `` HH:MM:SS`` only when there is a time of day."""
    try:
        stamps = pa.array(values, pa.timestamp("us"), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, ValueError, TypeError):
        return pa.array([v.isoformat(sep=" ") for v in values], pa.string())  # odd objects: rare
    midnight = pc.equal(pc.floor_temporal(stamps, unit="day"), stamps)
    seconds = pc.cast(stamps, pa.timestamp("s"), safe=False)  # Arrow's %S prints microseconds
    return pc.if_else(
        midnight, pc.strftime(seconds, "%Y-%m-%d"), pc.strftime(seconds, "%Y-%m-%d %H:%M:%S")
    )


def _dates_to_text(values: np.ndarray) -> pa.Array:
    return pa.array(values, pa.date32()).cast(pa.string())  # ISO, computed in Arrow


def _as_text(values: np.ndarray) -> pa.Array:
    return pa.array([str(v) for v in values], pa.string())


def _ints_to_text(values: np.ndarray) -> pa.Array:
    return pa.array(values.astype(np.int64)).cast(pa.string())  # OverflowError: see caller


def _kind(cls: type) -> str:
    if issubclass(cls, str):
        return "str"
    if issubclass(cls, bool | np.bool_):
        return "other"
    if issubclass(cls, float | np.floating):
        return "float"
    if issubclass(cls, int | np.integer):
        return "int"
    if issubclass(cls, datetime.datetime | pd.Timestamp | np.datetime64):
        return "datetime"
    if issubclass(cls, datetime.date):
        return "date"
    if cls is type(None) or cls is type(pd.NA) or cls is type(pd.NaT):
        return "missing"
    return "other"


_CONVERT = {
    "float": _floats_to_text,
    "int": _ints_to_text,
    "datetime": _datetimes_to_text,
    "date": _dates_to_text,
    "other": _as_text,
}


def _objects_to_arrow(values: np.ndarray) -> pa.Array:
    try:  # a text column (blanks as None/NaN): Arrow takes it as it is, and refuses anything else
        return pa.array(values, pa.string(), from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid, UnicodeError):
        pass
    # Cells of one column mix types (a title or header above numbers, blanks as ""). Look each
    # cell's type up once (type() is a builtin), convert each type group in one go, and put the
    # groups back in place with one Arrow take: no Python string is made for a number.
    codes, types = pd.factorize(np.fromiter(map(type, values), dtype=object, count=len(values)))
    groups, pieces = [], []
    for code, cls in enumerate(types):  # a handful of types per column
        positions = np.flatnonzero(codes == code)
        kind = _kind(cls)
        if kind == "missing":
            text = pa.nulls(len(positions), pa.string())
        elif kind == "str":
            try:
                text = pa.array(values[positions], pa.string())
            except UnicodeError:  # a lone surrogate (no reader gives one): shown as U+FFFD
                text = pa.array([without_surrogates(v) for v in values[positions]], pa.string())
        else:
            try:
                text = _CONVERT[kind](values[positions])
            except (OverflowError, ValueError, TypeError, pa.ArrowException):
                text = _as_text(values[positions])
        groups.append(positions)
        pieces.append(text.cast(pa.string()))
    where = np.empty(len(values), dtype=np.int64)
    where[np.concatenate(groups)] = np.arange(len(values))
    return pa.concat_arrays(pieces).take(pa.array(where))


def blanks_to_null(text: pa.Array) -> pa.Array:
    """Empty and whitespace-only strings as nulls (every reader's notion of a blank cell)."""
    # "empty or all whitespace" without trimming: no new strings are built (5x faster)
    blank = pc.or_(pc.equal(pc.binary_length(text), 0), pc.utf8_is_space(text))
    if not pc.any(blank).as_py():
        return text
    return pc.if_else(blank, pa.scalar(None, pa.string()), text)


def cells_to_text(values: pd.Series) -> pd.Series:
    """Return ``values`` (raw cells of any Python types) as text, keeping the index.

    Whitespace-only cells count as blank. The input is not modified.
    """
    if values.empty:
        return pd.Series([], index=values.index, dtype=TEXT_DTYPE, name=values.name)
    dtype = values.dtype
    if pd.api.types.is_float_dtype(dtype):
        text = _floats_to_text(values.to_numpy(dtype=float, na_value=np.nan))
    elif pd.api.types.is_datetime64_any_dtype(dtype):
        text = _datetimes_to_text(values.dt.tz_localize(None) if values.dt.tz else values)
    elif pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        try:  # Arrow-backed already (Parquet, pandas "str"): no trip through Python objects
            text = pa.array(values.array).cast(pa.string())
        except (pa.ArrowException, TypeError, ValueError):
            text = pa.array(values.astype(object).to_numpy(), pa.string(), from_pandas=True)
    elif pd.api.types.is_object_dtype(dtype):
        text = _objects_to_arrow(values.to_numpy())
    else:  # integers, booleans, categoricals...
        text = _objects_to_arrow(values.astype(object).to_numpy())
    array = pd.arrays.ArrowStringArray(blanks_to_null(text))
    return pd.Series(array, index=values.index, name=values.name, dtype=TEXT_DTYPE, copy=False)


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
