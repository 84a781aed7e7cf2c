"""Write stage outputs (CSV, Parquet, JSON) atomically; Excel workbooks are in :mod:`.xlsx`.

:func:`write_csv` is the one CSV writer of the project (findings, review, change logs, passport
lists, verify, platform lists, batch history...). CSV is written UTF-8 *with* BOM: without it
Excel on Windows opens the file as Windows-1258 and Vietnamese names turn into mojibake. Text
that a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``+cmd|...``, ``@SUM(...)``, also
behind leading spaces or control characters, and anything starting with a tab or a carriage
return) is prefixed with an apostrophe so it shows as text; plain numbers written with a sign
(``+84912345678``, ``-``) are left alone. Every field holding a line break or a carriage return is
quoted (rows end in CRLF, RFC 4180), so a cell can never split its row and land a formula at the
start of a new one. Column names are escaped like cells.

>>> formula_like(pd.Series(["=1+1", "+84912345678", "-", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "An"])).tolist()
[True, False, False, True, True, False]
>>> formula_like(pd.Series(["\\r=2+2", " =1", "\\x00@x", "\\tAn", "\\n-1+1", " +84912345678"])).tolist()  # a sign behind a space: escaped too
[True, True, True, True, True, True]
"""

from __future__ import annotations

import csv
import datetime
import json
import math
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from vaxutils.io.files import write_atomic

# = + - @ start formulas in Excel, LibreOffice and Google Sheets, also behind leading spaces and
# control characters (which spreadsheets skip or which split a row); a cell starting with a tab
# or a carriage return is neutralised whatever follows (OWASP's CSV-injection list).
_LEAD = r"[\s\x00-\x1f\x7f\u00a0\u200b\ufeff]*"
_FORMULA_START = rf"^(?:[\t\r]|{_LEAD}[=+\-@])"
_SIGNED_NUMBER = r"^[+\-][\d\s.,]*$"


def formula_like(values: pd.Series) -> pd.Series:
    """Boolean mask of text cells a spreadsheet would read as a formula (NA and non-text: False).

    The pattern runs once per distinct value (findings and lists repeat their codes, messages and
    villages on every row), then the answer is spread back by position.
    """
    if values.empty:
        return pd.Series(False, index=values.index, dtype=bool)
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    if not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
        return pd.Series(False, index=values.index, dtype=bool)
    # Object columns may mix numbers and text; only text can be a formula (type() is a builtin;
    # a Decimal('sNaN') cannot even be hashed, so only text goes on to be factorised).
    if values.dtype == object:
        is_text = values.map(type).eq(str).to_numpy(dtype=bool)
    else:
        is_text = values.notna().to_numpy(dtype=bool)
    codes, uniques = pd.factorize(values[is_text])
    found = np.zeros(len(values), dtype=bool)
    found[is_text] = _formula_like_distinct(pd.Series(uniques, dtype="string[python]"))[codes]
    return pd.Series(found, index=values.index, dtype=bool)


def _formula_like_distinct(text: pd.Series) -> np.ndarray:
    """The formula test on distinct text values (no missing)."""
    if text.empty:
        return np.zeros(0, dtype=bool)
    # Python's regex engine: Arrow's RE2 knows no lone surrogates and no \u escapes in classes
    risky = text.str.contains(_FORMULA_START, regex=True) & ~text.str.fullmatch(_SIGNED_NUMBER)
    return risky.fillna(False).to_numpy(dtype=bool)


def escape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with formula-like text cells (and column names) prefixed by an apostrophe.

    >>> escape_formulas(pd.DataFrame({"v": ["=1+1", "An", "+84912345678", "\\r=2+2"]}))["v"].tolist()
    ["'=1+1", 'An', '+84912345678', "'\\r=2+2"]
    """
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            column = column.astype(object)
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            mask = formula_like(column)
            if mask.any():
                out[name] = column.where(~mask, "'" + column.astype("string[python]"))
    names = pd.Series([str(c) for c in out.columns], dtype=object)
    risky = formula_like(names)
    if risky.any():
        out.columns = names.where(~risky, "'" + names).tolist()
    return out


def write_csv(
    path: str | os.PathLike,
    df: pd.DataFrame,
    *,
    escape: bool = True,
    title_rows: Sequence[str] = (),
) -> Path:
    """Write ``df`` as CSV in UTF-8 with BOM (Excel opens Vietnamese correctly), no index.

    ``title_rows`` are written first, one cell each, as titles above a table (synthetic exports
    imitate the platform's). Text that cannot be encoded (a lone surrogate) becomes ``?``.

    >>> import tempfile, pathlib
    >>> p = write_csv(pathlib.Path(tempfile.mkdtemp()) / "x.csv", pd.DataFrame({"v": ["\\r=2+2", "a\\nb"]}))
    >>> pd.read_csv(p, encoding="utf-8-sig")["v"].tolist()
    ["'\\r=2+2", 'a\\nb']
    """
    data = escape_formulas(df) if escape else df
    titles = escape_formulas(pd.DataFrame({"t": list(title_rows)}))["t"] if escape else title_rows

    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8-sig", errors="replace", newline="") as f:
            # CRLF as the row end makes the csv module quote any field holding \r or \n
            if len(titles):
                writer = csv.writer(f, lineterminator="\r\n")
                writer.writerows([t] for t in titles)
            data.to_csv(f, index=False, lineterminator="\r\n")

    return write_atomic(path, write)


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
