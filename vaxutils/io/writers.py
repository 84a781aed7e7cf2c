"""Write stage outputs (CSV, Parquet, JSON) atomically; Excel workbooks are in :mod:`.xlsx`.

CSV is written UTF-8 *with* BOM: without it Excel on Windows opens the file as Windows-1258 and
Vietnamese names turn into mojibake. Text that Excel would run as a formula (``=HYPERLINK(...)``,
``+cmd|...``, ``@SUM(...)``) is prefixed with an apostrophe so it shows as text; plain numbers
written with a sign (``+84912345678``, ``-``) are left alone.

>>> formula_like(pd.Series(["=1+1", "+84912345678", "-", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "An"])).tolist()
[True, False, False, True, True, False]
"""

from __future__ import annotations

import datetime
import json
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd

from vaxutils.io.files import write_atomic

# = + - @ start formulas in Excel, LibreOffice and Google Sheets; tab and CR hide a leading formula.
_FORMULA_START = r"^[=+\-@\t\r]"
_SIGNED_NUMBER = r"^[+\-][\d\s.,]*$"


def formula_like(values: pd.Series) -> pd.Series:
    """Boolean mask of text cells a spreadsheet would read as a formula (NA and non-text: False)."""
    if values.empty:
        return pd.Series(False, index=values.index, dtype=bool)
    text = values.astype("string") if values.dtype == object else values
    if not pd.api.types.is_string_dtype(text.dtype):
        return pd.Series(False, index=values.index, dtype=bool)
    # Object columns may mix numbers and text; only text can be a formula (type() is a builtin).
    is_text = values.map(type).eq(str) if values.dtype == object else values.notna()
    risky = text.str.contains(_FORMULA_START, regex=True) & ~text.str.fullmatch(_SIGNED_NUMBER)
    return (risky.fillna(False) & is_text).astype(bool)


def escape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with formula-like text cells prefixed by an apostrophe.

    >>> escape_formulas(pd.DataFrame({"v": ["=1+1", "An", "+84912345678"]}))["v"].tolist()
    ["'=1+1", 'An', '+84912345678']
    """
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            mask = formula_like(column)
            if mask.any():
                out[name] = column.where(~mask, "'" + column.astype("string"))
    return out


def write_csv(path: str | os.PathLike, df: pd.DataFrame, *, escape: bool = True) -> Path:
    """Write ``df`` as CSV in UTF-8 with BOM (Excel opens Vietnamese correctly), no index."""
    data = escape_formulas(df) if escape else df
    return write_atomic(path, lambda tmp: data.to_csv(tmp, index=False, encoding="utf-8-sig"))


def write_parquet(path: str | os.PathLike, df: pd.DataFrame) -> Path:
    """Write ``df`` as Parquet (pyarrow), no index."""
    return write_atomic(path, lambda tmp: df.to_parquet(tmp, index=False, engine="pyarrow"))


def _plain(obj):
    """Make ``obj`` JSON-ready: numpy/pandas scalars, dates, paths, sets; NaN/NA become null."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [
            _plain(v) for v in (sorted(obj, key=str) if isinstance(obj, set | frozenset) else obj)
        ]
    if isinstance(obj, pd.DataFrame):
        return _plain(obj.to_dict("records"))
    if isinstance(obj, pd.Series | np.ndarray):
        return _plain(obj.tolist())
    if obj is None or obj is pd.NA or obj is pd.NaT:
        return None
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, datetime.date | datetime.datetime | pd.Timestamp):
        return obj.isoformat()
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    if isinstance(obj, bool | int | float | str):
        return obj
    return str(obj)


def write_json(path: str | os.PathLike, obj) -> Path:
    """Write ``obj`` as pretty UTF-8 JSON (Vietnamese kept readable, not ``\\u`` escaped).

    >>> import tempfile, pathlib
    >>> p = write_json(pathlib.Path(tempfile.mkdtemp()) / "s.json", {"xã": "Thượng Thôn", "n": np.int64(3)})
    >>> json.loads(p.read_text(encoding="utf-8"))
    {'xã': 'Thượng Thôn', 'n': 3}
    """
    text = json.dumps(_plain(obj), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
