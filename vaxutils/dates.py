"""Dates as commune spreadsheets write them (DESIGN §2.3): day first, often partial.

Accepted forms (whitespace around is ignored, a trailing midnight time too):

=====================  ==================================  ==========
form                   examples                            precision
=====================  ==================================  ==========
dd/mm/yyyy             ``05/03/1990``, ``5-3-1990``,       day
                       ``05.03.1990``
d/m/yy                 ``5/3/90`` (two-digit year, below)  day
ISO / year first       ``1990-03-05``, ``1990/03/05``,     day
                       ``1990-03-05 00:00:00``
Vietnamese words       ``ngày 5 tháng 3 năm 1990``         day
mm/yyyy                ``03/1990``                         month
yyyy                   ``1990`` (common for the elderly)   year
Excel serial number    ``32937`` = 1990-03-05              day
date objects           ``datetime``, ``date``, Timestamp   day
=====================  ==================================  ==========

Two-digit years: ``yy <= 22`` means 20yy, otherwise 19yy (:data:`CENTURY_PIVOT`). The records are
from the 2022 campaign, so nobody was born and no dose was given after 2022; a 1915-born person
written ``15`` is read as 2015 and needs a look (their age will disagree with the CCCD digits).

Excel serials are accepted only from 10000 (1927-05-18) to 73050 (2099-12-31): smaller numbers
collide with years, and five digits outside that range are not dates. A year or month alone is
kept as such: ``date`` holds the first day of the period for sorting and ages, and ``precision``
says what is known (no invented 1 January).

>>> parse_date("05/03/1990")
ParsedDate(date=datetime.date(1990, 3, 5), precision='day', code=None)
>>> parse_date("1945"), parse_date("31/02/1990").code, parse_date("44562").date
(ParsedDate(date=datetime.date(1945, 1, 1), precision='year', code=None), 'impossible', datetime.date(2022, 1, 1))
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils.text import empty_issues, factorize_texts, issues_from_uniques

__all__ = [
    "CENTURY_PIVOT",
    "ParsedDate",
    "parse_date",
    "parse_dates",
    "issues_series",
]

#: Two-digit years up to this value are 20yy, above it 19yy (2022 campaign data).
CENTURY_PIVOT = 22
_SERIAL_MIN, _SERIAL_MAX = 10_000, 73_050
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")  # Excel's day 0 (it counts 1900-02-29)
_YEAR_MIN, _YEAR_MAX = 1800, 2200  # outside: "out_of_range" (datetime64[ns] ends in 2262)

_TIME = r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_PATTERN = (
    r"^(?:"
    rf"(?P<iy>\d{{4}})[-/.](?P<im>\d{{1,2}})[-/.](?P<id>\d{{1,2}}){_TIME}"
    rf"|(?P<dd>\d{{1,2}})[-/.](?P<dm>\d{{1,2}})[-/.](?P<dy>\d{{4}}|\d{{2}}){_TIME}"
    r"|(?:ngày\s*)?(?P<vd>\d{1,2})\s*tháng\s*(?P<vm>\d{1,2})\s*(?:năm\s*)?(?P<vy>\d{4})"
    r"|(?:tháng\s*)?(?P<mm>\d{1,2})[-/.\s]\s*(?:năm\s*)?(?P<my>\d{4})"
    r"|(?:năm\s*)?(?P<yy>\d{4})"
    r"|(?P<serial>\d{5})(?:\.\d+)?"
    r")$"
)
# Cells that mean "no date": zeros and separators only ("0", "00/00/0000", "-"), or words.
_PLACEHOLDER_RE = r"^[0\s/.\-_x?]*$"
_PLACEHOLDER_WORDS = (
    "không",
    "không có",
    "không rõ",
    "chưa rõ",
    "chưa có",
    "không xác định",
    "kxđ",
    "n/a",
    "na",
    "nan",
    "nat",
    "none",
    "null",
)


class ParsedDate(NamedTuple):
    """One parsed date: ``date`` (first day of the period), ``precision`` and ``code``.

    ``precision`` is "day", "month" or "year" (None when not parsed); ``code`` is None when the
    value was read, else "missing", "unparseable", "impossible" or "out_of_range".
    """

    date: dt.date | None
    precision: str | None
    code: str | None


def _ints(column: pa.Array) -> np.ndarray:
    """Digits of a regex group as int64, -1 where the group did not match."""
    text = pc.if_else(pc.equal(column, ""), None, column).fill_null("-1")
    return np.asarray(pc.cast(text, pa.int64()).to_numpy(zero_copy_only=False))


def _parse_unique(texts: pa.Array, century_pivot: int = CENTURY_PIVOT) -> pd.DataFrame:
    """Parse unique, non-missing texts. Columns: date, precision, code, detail, kind, y, m, d."""
    n = len(texts)
    if n == 0:
        texts = pa.array(["0"], pa.large_string())  # one placeholder keeps the shapes simple
        return _parse_unique(texts, century_pivot).iloc[:0]
    cleaned = pc.utf8_lower(pc.utf8_trim(pc.utf8_trim_whitespace(texts), "'"))
    groups = pc.extract_regex(cleaned, _PATTERN)
    group = {name: _ints(groups.field(name)) for name in groups.type.names}
    year, month, day = (np.full(n, -1, dtype=np.int64) for _ in range(3))
    kind = np.full(n, None, dtype=object)
    for form, (y, m, d) in {
        "iso": ("iy", "im", "id"),
        "dmy": ("dy", "dm", "dd"),
        "words": ("vy", "vm", "vd"),
        "month": ("my", "mm", None),
        "year": ("yy", None, None),
    }.items():
        hit = group[y] >= 0
        year[hit] = group[y][hit]
        month[hit] = group[m][hit] if m else 1
        day[hit] = group[d][hit] if d else 1
        kind[hit] = form
    two_digit = (kind == "dmy") & (year < 100)
    year[two_digit] += np.where(year[two_digit] <= century_pivot, 2000, 1900)
    kind[two_digit] = "dmy2"
    serial = group["serial"]
    in_range = (serial >= _SERIAL_MIN) & (serial <= _SERIAL_MAX)
    serial_dates = (_EXCEL_EPOCH + serial[in_range]).astype("datetime64[D]").astype(object)
    year[in_range] = [d.year for d in serial_dates]
    month[in_range] = [d.month for d in serial_dates]
    day[in_range] = [d.day for d in serial_dates]
    kind[in_range] = "serial"

    placeholder = _placeholder(cleaned)
    kind[placeholder] = None
    parsed = kind != None  # noqa: E711 (element-wise on an object array)
    precision = np.where(kind == "year", "year", np.where(kind == "month", "month", "day"))
    precision = np.where(parsed, precision, None).astype(object)
    month_ok = (month >= 1) & (month <= 12)
    safe_month = np.where(month_ok, month, 1)
    month_start = ((np.clip(year, 1, 9999) - 1970) * 12 + safe_month - 1).astype("datetime64[M]")
    days_in_month = ((month_start + 1).astype("datetime64[D]") - month_start).astype(np.int64)
    day_ok = (day >= 1) & (day <= days_in_month)
    year_ok = (year >= _YEAR_MIN) & (year <= _YEAR_MAX)

    code = np.full(n, None, dtype=object)
    code[~parsed] = "unparseable"
    code[placeholder] = "missing"
    impossible = parsed & (~month_ok | ~day_ok)
    code[impossible] = "impossible"
    code[parsed & ~impossible & ~year_ok] = "out_of_range"
    good = parsed & ~impossible & year_ok
    precision[~good] = None

    date = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    date[good] = (month_start[good].astype("datetime64[D]") + (day[good] - 1)).astype(
        "datetime64[ns]"
    )
    detail = np.full(n, None, dtype=object)
    for i in np.flatnonzero(impossible):  # loop over impossible unique values only: rare
        if not month_ok[i]:
            detail[i] = f"tháng {month[i]} không tồn tại (month {month[i]} does not exist)"
        else:
            detail[i] = (
                f"tháng {month[i]}/{year[i]} không có ngày {day[i]} "
                f"(day {day[i]} does not exist in {month[i]}/{year[i]})"
            )
    return pd.DataFrame(
        {
            "date": date,
            "precision": precision,
            "code": code,
            "detail": detail,
            "kind": kind,
            "y": year,
            "m": month,
            "d": day,
        }
    )


def _placeholder(cleaned: pa.Array) -> np.ndarray:
    if len(cleaned) == 0:
        return np.zeros(0, dtype=bool)
    zeros = pc.match_substring_regex(cleaned, _PLACEHOLDER_RE)
    words = pc.is_in(cleaned, value_set=pa.array(_PLACEHOLDER_WORDS, pa.large_string()))
    return pc.or_(zeros, words).fill_null(False).to_numpy(zero_copy_only=False)


_MISSING_ROW = {
    "date": np.datetime64("NaT", "ns"),
    "code": "missing",
    "kind": None,
    "y": -1,
    "m": -1,
    "d": -1,
}


def _per_row(s: pd.Series, century_pivot: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Per-unique table with one extra last row for missing cells, and each row's position in it."""
    codes, texts = factorize_texts(s)
    per_unique = _parse_unique(texts, century_pivot)
    per_unique = pd.concat([per_unique, pd.DataFrame([_MISSING_ROW])], ignore_index=True)
    per_unique["date"] = per_unique["date"].astype("datetime64[ns]")
    return per_unique, np.where(codes < 0, len(per_unique) - 1, codes)


def parse_dates(s: pd.Series, century_pivot: int = CENTURY_PIVOT) -> pd.DataFrame:
    """Parse a column of date cells: DataFrame[date, precision, code] with the index of ``s``.

    ``date`` is datetime64[ns] (NaT unless read), ``precision`` "day"/"month"/"year"/NA, ``code``
    NA when read, else "missing", "unparseable", "impossible" or "out_of_range".

    >>> parse_dates(pd.Series(["5/3/90", "03/1990", None, "31/02/1990"], index=list("abcd")))
            date precision         code
    a 1990-03-05       day          NaN
    b 1990-03-01     month          NaN
    c        NaT       NaN      missing
    d        NaT       NaN   impossible
    """
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        date = s.dt.tz_localize(None) if getattr(s.dt, "tz", None) else s
        return pd.DataFrame(
            {
                "date": date.astype("datetime64[ns]"),
                "precision": pd.array(np.where(s.isna(), None, "day"), dtype="str"),
                "code": pd.array(np.where(s.isna(), "missing", None), dtype="str"),
            },
            index=s.index,
        )
    if s.empty:
        return pd.DataFrame(
            {
                "date": pd.Series([], dtype="datetime64[ns]"),
                "precision": pd.Series([], dtype="str"),
                "code": pd.Series([], dtype="str"),
            },
            index=s.index,
        )
    per_unique, positions = _per_row(s, century_pivot)
    # Taken from the (few) distinct values as arrays: no Python object per row.
    return pd.DataFrame(
        {
            "date": per_unique["date"].to_numpy(dtype="datetime64[ns]")[positions],
            "precision": per_unique["precision"].astype("str").array.take(positions),
            "code": per_unique["code"].astype("str").array.take(positions),
        },
        index=s.index,
    )


def _as_timestamp(today: Any) -> pd.Timestamp:
    if today is None:
        return pd.Timestamp.today().normalize()
    return pd.Timestamp(today).tz_localize(None).normalize()


def issues_series(
    s: pd.Series, field: str = "dob", today: Any = None, century_pivot: int = CENTURY_PIVOT
) -> pd.DataFrame:
    """Problems in a column of dates, long form: DataFrame[row, code, suggestion, detail].

    Codes are prefixed with ``field``: ``<field>_missing``, ``_unparseable``, ``_impossible``
    (``detail`` says whether the day or the month does not exist; the suggestion is the date with
    day and month swapped when that is a real date), ``_future`` (after ``today``, default: the
    current date), ``_too_old`` (before 1900); information only: ``_placeholder_day``
    (01/01/yyyy, often "day unknown"), ``_year_only``, ``_month_only``, ``_reformatted`` (an
    Excel serial number read as a date; suggestion = dd/mm/yyyy). A well-formed non-ISO or
    two-digit-year date needs no finding.

    >>> found = issues_series(pd.Series(["01/01/1950", "15/13/1990", "2090", "32937"]), today="2022")
    >>> found[["row", "code", "suggestion"]]
       row                 code  suggestion
    0    0  dob_placeholder_day         NaN
    1    1       dob_impossible         NaN
    2    2           dob_future         NaN
    3    2        dob_year_only         NaN
    4    3      dob_reformatted  05/03/1990
    >>> found.loc[1, "detail"]
    'tháng 13 không tồn tại (month 13 does not exist)'
    """
    if s.empty:
        return empty_issues(("detail",))
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        s = s.astype(object).where(s.notna(), None)
    per, positions = _per_row(s, century_pivot)
    today = _as_timestamp(today)
    code, kind = per["code"].to_numpy(dtype=object), per["kind"].to_numpy(dtype=object)
    read = pd.isna(code)
    year, month, day = per["y"].to_numpy(), per["m"].to_numpy(), per["d"].to_numpy()
    too_old = (read & (year < 1900)) | ((code == "out_of_range") & (year < 1900))
    future = (read & (per["date"] > today).to_numpy()) | ((code == "out_of_range") & (year >= 1900))

    swapped = np.full(len(per), None, dtype=object)
    impossible = code == "impossible"
    swap = impossible & np.isin(kind, ["dmy", "dmy2", "words"]) & (month > 12) & (day <= 12)
    for i in np.flatnonzero(swap):  # rare: loop over the few impossible unique values
        try:
            dt.date(int(year[i]), int(day[i]), int(month[i]))
        except ValueError:
            continue
        swapped[i] = f"{month[i]:02d}/{day[i]:02d}/{year[i]:04d}"
    serial = read & (kind == "serial")
    serial_text = np.full(len(per), None, dtype=object)
    serial_text[serial] = [
        f"{d:02d}/{m:02d}/{y:04d}"
        for y, m, d in zip(year[serial], month[serial], day[serial], strict=True)
    ]
    nothing = np.full(len(per), None, dtype=object)
    precision = per["precision"].to_numpy(dtype=object)
    checks = [
        ("missing", code == "missing", nothing),
        ("unparseable", code == "unparseable", nothing),
        ("impossible", impossible, swapped),
        ("too_old", too_old, nothing),
        ("future", future, nothing),
        ("placeholder_day", read & (precision == "day") & (day == 1) & (month == 1), nothing),
        ("year_only", read & (precision == "year"), nothing),
        ("month_only", read & (precision == "month"), nothing),
        ("reformatted", serial, serial_text),
    ]
    detail = per["detail"].to_numpy(dtype=object)
    frames = [
        pd.DataFrame(
            {
                "pos": np.flatnonzero(flag),
                "code": f"{field}_{name}",
                "suggestion": values[flag],
                "detail": detail[flag] if name == "impossible" else None,
            }
        )
        for name, flag, values in checks
    ]
    per_unique = pd.concat(frames, ignore_index=True).sort_values("pos", kind="stable")
    return issues_from_uniques(per_unique, positions, s.index)


def parse_date(value: Any, century_pivot: int = CENTURY_PIVOT) -> ParsedDate:
    """Parse one cell; the same answer as :func:`parse_dates`. Never raises.

    >>> parse_date(None), parse_date("ngày 5 tháng 3 năm 1990").date
    (ParsedDate(date=None, precision=None, code='missing'), datetime.date(1990, 3, 5))
    """
    row = parse_dates(pd.Series([value], dtype=object), century_pivot).iloc[0]
    date = None if pd.isna(row["date"]) else row["date"].date()
    precision = None if pd.isna(row["precision"]) else row["precision"]
    return ParsedDate(date, precision, None if pd.isna(row["code"]) else row["code"])
