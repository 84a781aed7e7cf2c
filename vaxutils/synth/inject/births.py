"""Birth-date damage: a year typed wrong, a missing date, dates that cannot be right
(impossible, in the future, after the first dose)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from vaxutils.synth.inject.values import DAY, IMPOSSIBLE_DAY_MONTH, format_dates

if TYPE_CHECKING:
    from vaxutils.synth.inject.injector import Injector


def birth_year_errors(inj: Injector) -> None:
    """A birth year typed wrong (older, or late: younger than the ID says) or no birth date."""
    rng = inj.rng
    cccd_intact = (inj.col("_kind") == "cccd") & inj.free["id"]
    dob_text = inj.col("dob")
    dob = pd.DatetimeIndex(inj.cols["_dob_ts"])
    adult = inj.cols["_age"] >= 20
    not_leap_day = ~((dob.month == 2) & (dob.day == 29))
    pos = inj.pick("birth_year_typo", cccd_intact & adult & not_leap_day, ("dob", "id"))
    if len(pos):
        # only ever older (never crosses an age threshold); never the same year
        shift = rng.choice(np.array([1, 2, 3, 5, 10]), len(pos))
        years = np.maximum(dob.year[pos] - shift, 1900)
        new = pd.to_datetime({"year": years, "month": dob.month[pos], "day": dob.day[pos]})
        year_only = inj.cols["_year_only"].astype(bool)[pos]
        text = np.where(
            year_only,
            years.astype(str),
            format_dates(new.to_numpy(), inj.cols["_dob_format"][0]),
        )
        inj.set("dob", pos, text)
        inj.label(pos, "personal_info", "birth_year_typo", "dob", dob_text[pos])
    # typed late: an adult looks younger than the ID says (the ID keeps the true year); those
    # vaccinated young enough that the late year puts a dose before the eligible age
    first_age = np.nan_to_num(np.asarray(inj.cols["_first_age"], dtype=float), nan=-1)
    late_ok = cccd_intact & not_leap_day & (first_age >= 18) & (first_age <= 27)
    late_ok &= ~inj.cols["_year_only"].astype(bool) & (inj.n_doses >= 1)
    pos = inj.pick("birth_year_late", late_ok, ("dob", "id", "dose"))
    if len(pos):
        years = dob.year[pos] + rng.integers(1, 11, len(pos))
        new = pd.to_datetime({"year": years, "month": dob.month[pos], "day": dob.day[pos]})
        inj.set("dob", pos, format_dates(new.to_numpy(), inj.cols["_dob_format"][0]))
        inj.label(pos, "personal_info", "birth_year_late", "dob", dob_text[pos])
    # without a birth date a namesake would be indistinguishable: only people with a unique name
    pos = inj.pick("dob_missing", inj.unique_name, ("dob",))
    inj.set("dob", pos, None)
    inj.label(pos, "personal_info", "dob_missing", "dob", dob_text[pos])


def birth_date_errors(inj: Injector) -> None:
    """Impossible dates, dates after the export date, dates after the first dose.

    Screening reports each as personal_info and then skips the record's dose-age checks, so
    the record takes the dose slot too: no dose injection could be seen on it.
    """
    rng = inj.rng
    dob_text = inj.col("dob")
    dob = pd.DatetimeIndex(inj.cols["_dob_ts"])
    fmt = inj.cols["_dob_format"][0]
    # impossible: no date, so (like a missing one) only for people with a unique name
    pos = inj.pick("dob_impossible", inj.unique_name, ("dob", "dose"))
    if len(pos):
        day, month, year = dob.day[pos], dob.month[pos], dob.year[pos]
        pairs = np.array(IMPOSSIBLE_DAY_MONTH)[rng.integers(0, len(IMPOSSIBLE_DAY_MONTH), len(pos))]
        # typed month first ("12/25/1985"), possible only when the day is over 12
        month_first = (day > 12) & (rng.random(len(pos)) < 0.5)
        d = np.where(month_first, month, pairs[:, 0])
        m = np.where(month_first, day, pairs[:, 1])
        inj.set("dob", pos, [f"{a:02d}/{b:02d}/{y}" for a, b, y in zip(d, m, year, strict=True)])
        inj.label(pos, "personal_info", "dob_impossible", "dob", dob_text[pos])

    # in the future: the century typed wrong (1985 -> 2085, 2010 -> 2110)
    not_leap_day = ~((dob.month == 2) & (dob.day == 29))
    future_ok = not_leap_day & (dob.year + 100 > inj.export_date.year)
    pos = inj.pick("dob_future", future_ok, ("dob", "dose"))
    if len(pos):
        years = dob.year[pos] + 100
        new = pd.to_datetime({"year": years, "month": dob.month[pos], "day": dob.day[pos]})
        year_only = inj.cols["_year_only"].astype(bool)[pos]
        text = np.where(year_only, years.astype(str), format_dates(new.to_numpy(), fmt))
        inj.set("dob", pos, text)
        inj.label(pos, "personal_info", "dob_future", "dob", dob_text[pos])

    # after the first dose (the vaccination date typed as the birth date, or near it)
    vaccinated = inj.n_doses >= 1
    first_date = np.full(inj.n, np.datetime64("NaT"), dtype="datetime64[ns]")
    first_date[vaccinated] = inj.doses["dose_date"].to_numpy(dtype="datetime64[ns]")[
        inj.first_row[vaccinated]
    ]
    last_day = (inj.export_date - pd.Timedelta(days=1)).to_datetime64()
    room = (last_day - first_date) / DAY  # days to the export date; NaN if no dose
    pos = inj.pick("dob_after_first_dose", np.nan_to_num(room) >= 2, ("dob", "dose"))
    if len(pos):
        # 1 .. room-1 days after the first dose: before the export date, never in the future
        days = 1 + (rng.random(len(pos)) * np.minimum(room[pos] - 1, 60)).astype("int64")
        inj.set("dob", pos, format_dates(first_date[pos] + days * DAY, fmt))
        inj.label(pos, "personal_info", "dob_after_first_dose", "dob", dob_text[pos])
