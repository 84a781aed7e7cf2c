"""Calendar arithmetic on ``datetime64[D]`` arrays: precision, period bounds, day/month swaps."""

from __future__ import annotations

import numpy as np
import pandas as pd

from vaxutils.io.cells import cells_to_text

DAY, MONTH, YEAR = 0, 1, 2  # date precision codes (int8 arrays compare fast on millions of rows)


def as_days(values: pd.Series) -> np.ndarray:
    """Dates as datetime64[D] (NaT when missing); a non-datetime column is read as ISO text."""
    if not pd.api.types.is_datetime64_any_dtype(values.dtype):
        values = pd.to_datetime(cells_to_text(values), errors="coerce", format="ISO8601")
    return values.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")


def precision_codes(precision: pd.Series) -> np.ndarray:
    """DAY (also when unknown), MONTH or YEAR per row."""
    codes = np.full(len(precision), DAY, dtype=np.int8)
    codes[precision.eq("month").fillna(False).to_numpy(dtype=bool)] = MONTH
    codes[precision.eq("year").fillna(False).to_numpy(dtype=bool)] = YEAR
    return codes


def period_bounds(days: np.ndarray, precision: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Earliest and latest day a date of the given precision can mean (year: 1 Jan … 31 Dec)."""
    lo, hi = days.copy(), days.copy()
    for code, unit in ((MONTH, "datetime64[M]"), (YEAR, "datetime64[Y]")):
        rows = np.flatnonzero(precision == code)
        period = days[rows].astype(unit)
        lo[rows] = period.astype("datetime64[D]")
        hi[rows] = (period + 1).astype("datetime64[D]") - 1
    return lo, hi


def iso_at_precision(days: np.ndarray, precision: np.ndarray) -> np.ndarray:
    """Dates as text at their precision ("1990", "1990-05", "1990-05-04"); NaT → None."""
    text = np.where(
        precision == YEAR,
        np.datetime_as_string(days, unit="Y"),
        np.where(
            precision == MONTH,
            np.datetime_as_string(days, unit="M"),
            np.datetime_as_string(days, unit="D"),
        ),
    ).astype(object)
    text[np.isnat(days)] = None
    return text


def day_month_swapped(days: np.ndarray) -> np.ndarray:
    """The date with day and month exchanged (NaT when the day is over 12): 03/08 ↔ 08/03."""
    months = days.astype("datetime64[M]")
    years = days.astype("datetime64[Y]")
    month = (months - years.astype("datetime64[M]")).astype(np.int64)  # 0-based
    day = (days - months.astype("datetime64[D]")).astype(np.int64)  # 0-based
    swapped = (years.astype("datetime64[M]") + day).astype("datetime64[D]") + month
    return np.where((day < 12) & ~np.isnat(days), swapped, np.datetime64("NaT"))


def dmy(days: np.ndarray) -> np.ndarray:
    """dd/mm/yyyy, as dates are written in Vietnam."""
    iso = np.datetime_as_string(days, unit="D").astype(object)
    return np.array([f"{t[8:10]}/{t[5:7]}/{t[:4]}" for t in iso], dtype=object)


def swap_suggestion(days: np.ndarray, start: np.datetime64, end: np.datetime64) -> np.ndarray:
    """The day/month swap of each date as dd/mm/yyyy when it falls in [start, end], else None."""
    suggestion = np.full(len(days), None, dtype=object)
    swapped = day_month_swapped(days)
    fits = ~np.isnat(swapped) & (swapped >= start) & (swapped <= end) & (swapped != days)
    suggestion[fits] = dmy(swapped[fits])
    return suggestion
