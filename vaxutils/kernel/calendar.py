"""Calendar arithmetic on arrays of days (numpy ``datetime64``), vectorised.

Months and years are calendar units, not fixed numbers of days: a booster 3 months after 31 August
is due on 30 November, and a person born on 12 May 2004 is 17 until 12 May 2022.

>>> days = np.array(["2021-08-31", "2022-01-15"], dtype="datetime64[D]")
>>> add_months(days, np.array([3, 1])).tolist()
[datetime.date(2021, 11, 30), datetime.date(2022, 2, 15)]
>>> age_years(np.array(["2004-05-12", "2004-05-12"], dtype="datetime64[D]"),
...           np.array(["2022-05-11", "2022-05-12"], dtype="datetime64[D]")).tolist()
[17, 18]
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def add_months(days: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Days + calendar months, the day clamped to the month's end (31 Aug + 3 months = 30 Nov)."""
    start = days.astype("datetime64[M]")
    target = start + months.astype("timedelta64[M]")
    target_day = target.astype("datetime64[D]")
    month_len = ((target + 1).astype("datetime64[D]") - target_day).astype(np.int64)
    day = (days - start.astype("datetime64[D]")).astype(np.int64)
    return target_day + np.minimum(day, month_len - 1).astype("timedelta64[D]")


def add_years(dates: pd.Series | pd.DatetimeIndex | np.ndarray, years: np.ndarray) -> np.ndarray:
    """``dates`` + ``years`` calendar years (29 February → 1 March), as ``datetime64[ns]``.

    A birthday, not a due date: who is born on 29 February comes of age on 1 March.

    >>> out = add_years(pd.to_datetime(["2004-02-29", "2010-05-01"]), np.array([18, 12]))
    >>> [str(d)[:10] for d in out]
    ['2022-03-01', '2022-05-01']
    """
    d = np.asarray(pd.DatetimeIndex(dates).to_numpy(dtype="datetime64[D]"))
    months = d.astype("datetime64[M]")
    day_offset = (d - months.astype("datetime64[D]")).astype("int64")
    moved = (months + np.asarray(years, dtype="int64") * 12).astype("datetime64[D]")
    # day 29 of a non-leap February rolls over into 1 March, as wanted
    return (moved + day_offset).astype("datetime64[ns]")


def _month_day(days: np.ndarray) -> np.ndarray:
    """Month and day as one comparable number (5 May → 405: months count from 0)."""
    months = days.astype("datetime64[M]")
    day = (days - months.astype("datetime64[D]")).astype(np.int64)
    return months.astype(np.int64) % 12 * 100 + day


def age_years(birth: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Completed years from ``birth`` to ``on`` (int64; meaningless where either is NaT: mask those)."""
    birth = np.asarray(birth).astype("datetime64[D]")
    on = np.asarray(on).astype("datetime64[D]")
    years = on.astype("datetime64[Y]").astype(np.int64) - birth.astype("datetime64[Y]").astype(
        np.int64
    )
    return years - (_month_day(on) < _month_day(birth))
