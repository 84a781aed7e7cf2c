"""The ground-floor kernel: calendar arithmetic equal to the calendar, cells that never fail."""

import calendar
import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from vaxutils.kernel import calendar as cal
from vaxutils.kernel import cells

DAYS = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31))


def _days(values) -> np.ndarray:
    return np.array(values, dtype="datetime64[D]")


@given(st.lists(st.tuples(DAYS, st.integers(0, 60)), min_size=1, max_size=30))
def test_add_months_is_the_calendar_with_the_day_clamped(pairs):
    days, months = zip(*pairs, strict=True)
    got = cal.add_months(_days(days), np.array(months)).tolist()
    for day, n, result in zip(days, months, got, strict=True):
        year, month = divmod(day.month - 1 + n, 12)
        year += day.year
        last = calendar.monthrange(year, month + 1)[1]
        assert result == dt.date(year, month + 1, min(day.day, last))


@given(st.lists(st.tuples(DAYS, DAYS), min_size=1, max_size=30))
def test_age_years_counts_completed_years_in_days_or_nanoseconds(pairs):
    births, ons = zip(*pairs, strict=True)
    expected = [
        on.year - born.year - ((on.month, on.day) < (born.month, born.day)) for born, on in pairs
    ]
    assert cal.age_years(_days(births), _days(ons)).tolist() == expected
    as_ns = cal.age_years(
        _days(births).astype("datetime64[ns]"), _days(ons).astype("datetime64[ns]")
    )
    assert as_ns.tolist() == expected


def test_age_on_the_birthday_and_the_day_before():
    born = _days(["2004-05-12", "2004-02-29", "2004-02-29"])
    on = _days(["2022-05-11", "2022-02-28", "2022-03-01"])
    assert cal.age_years(born, on).tolist() == [17, 17, 18]


@given(st.lists(st.tuples(DAYS, st.integers(0, 100)), min_size=1, max_size=30))
def test_add_years_keeps_the_birthday_and_rolls_29_february_to_1_march(pairs):
    days, years = zip(*pairs, strict=True)
    got = pd.DatetimeIndex(cal.add_years(pd.to_datetime(list(days)), np.array(years)))
    for day, n, result in zip(days, years, got, strict=True):
        year = day.year + n
        if (day.month, day.day) == (2, 29) and not calendar.isleap(year):
            assert result.date() == dt.date(year, 3, 1)
        else:
            assert result.date() == dt.date(year, day.month, day.day)


class _Unprintable:
    def __str__(self):
        raise RuntimeError("no text")


def test_cells_of_a_missing_column_are_missing_and_keep_the_index():
    frame = pd.DataFrame({"a": [1, 2]}, index=[10, 20])
    for column in (cells.column_or_na(frame, "b"), cells.text_column(frame, "b")):
        assert column.index.tolist() == [10, 20]
        assert column.dtype == "string" and column.isna().all()


def test_junk_cells_are_missing_text_and_missing_dates_never_an_error():
    junk = pd.Series(["Lan", "", "  ", 3, 4.5, b"x", None, np.nan, _Unprintable(), ["list"]])
    assert cells.as_text(junk).tolist() == ["Lan", pd.NA, "  "] + [pd.NA] * 7
    assert cells.stripped_text(cells.as_text(junk)).tolist() == ["Lan"] + [pd.NA] * 9
    dates = pd.Series(["1980-01-02", "02/01/1980", 5, b"1980-01-02", None, dt.date(1990, 3, 4)])
    assert cells.as_dates(dates).dt.strftime("%Y-%m-%d").tolist() == [
        "1980-01-02",
        np.nan,
        np.nan,
        np.nan,
        np.nan,
        "1990-03-04",
    ]


def test_text_column_renders_what_a_frame_holds_without_modifying_it():
    frame = pd.DataFrame({"code": [" 01420", 1420, None]})
    before = frame.copy()
    assert cells.stripped_text(cells.text_column(frame, "code")).tolist() == [
        "01420",
        "1420",
        pd.NA,
    ]
    pd.testing.assert_frame_equal(frame, before)
