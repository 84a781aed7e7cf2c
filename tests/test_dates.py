"""Dates: day-first formats, partial dates, Excel serials, impossible/future/too-old findings."""

import datetime as dt

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from vaxutils import dates

TODAY = "2022-05-04"


@pytest.mark.parametrize(
    ("raw", "date", "precision"),
    [
        ("05/03/1990", dt.date(1990, 3, 5), "day"),
        ("5/3/1990", dt.date(1990, 3, 5), "day"),
        ("05-03-1990", dt.date(1990, 3, 5), "day"),
        ("05.03.1990", dt.date(1990, 3, 5), "day"),
        (" 05/03/1990 ", dt.date(1990, 3, 5), "day"),
        ("5/3/90", dt.date(1990, 3, 5), "day"),
        ("5/3/15", dt.date(2015, 3, 5), "day"),  # two-digit years up to 22 are 20yy
        ("1/1/22", dt.date(2022, 1, 1), "day"),
        ("1/1/23", dt.date(1923, 1, 1), "day"),
        ("1990-03-05", dt.date(1990, 3, 5), "day"),
        ("1990-03-05 00:00:00", dt.date(1990, 3, 5), "day"),
        ("1990/3/5", dt.date(1990, 3, 5), "day"),
        ("ngày 5 tháng 3 năm 1990", dt.date(1990, 3, 5), "day"),
        ("03/1990", dt.date(1990, 3, 1), "month"),
        ("1945", dt.date(1945, 1, 1), "year"),
        ("44562", dt.date(2022, 1, 1), "day"),
        ("32937", dt.date(1990, 3, 5), "day"),
        (44562, dt.date(2022, 1, 1), "day"),
        (44562.0, dt.date(2022, 1, 1), "day"),
        (1990, dt.date(1990, 1, 1), "year"),
        (dt.date(1990, 3, 5), dt.date(1990, 3, 5), "day"),
        (dt.datetime(1990, 3, 5, 14, 30), dt.date(1990, 3, 5), "day"),
        (pd.Timestamp("1990-03-05"), dt.date(1990, 3, 5), "day"),
        (np.datetime64("1990-03-05"), dt.date(1990, 3, 5), "day"),
        ("'05/03/1990", dt.date(1990, 3, 5), "day"),
    ],
)
def test_parse_date(raw, date, precision):
    assert dates.parse_date(raw) == dates.ParsedDate(date, precision, None)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (None, "missing"),
        ("", "missing"),
        ("  ", "missing"),
        ("0", "missing"),
        ("-", "missing"),
        ("00/00/0000", "missing"),
        ("Không rõ", "missing"),
        (np.nan, "missing"),
        (pd.NaT, "missing"),
        ("abc", "unparseable"),
        ("5/3", "unparseable"),
        ("123", "unparseable"),
        ("99999", "unparseable"),
        ("1990-13", "unparseable"),
        ("12345678", "unparseable"),
        ("31/02/1990", "impossible"),
        ("29/02/1990", "impossible"),
        ("15/13/1990", "impossible"),
        ("00/05/1990", "impossible"),
        ("1066", "out_of_range"),
        ("01/01/2300", "out_of_range"),
    ],
)
def test_codes(raw, code):
    parsed = dates.parse_date(raw)
    assert parsed.code == code and parsed.date is None and parsed.precision is None


def test_leap_day_is_fine():
    assert dates.parse_date("29/02/2000").date == dt.date(2000, 2, 29)


def test_parse_dates_frame_shape_index_and_types():
    s = pd.Series(["5/3/90", None, "1945", "31/02/1990"], index=["a", "b", "c", "d"])
    before = s.copy()
    out = dates.parse_dates(s)
    assert list(out.columns) == ["date", "precision", "code"]
    assert list(out.index) == ["a", "b", "c", "d"]
    assert out["date"].dtype == "datetime64[ns]"
    assert out["precision"].tolist()[::2] == ["day", "year"]
    assert out["code"].isna().tolist() == [True, False, True, False]
    pd.testing.assert_series_equal(s, before)


def test_datetime_series_pass_through():
    s = pd.Series(pd.to_datetime(["1990-03-05", None]), index=[4, 2])
    out = dates.parse_dates(s)
    assert out["date"].tolist()[0] == pd.Timestamp("1990-03-05")
    assert out["code"].tolist()[1] == "missing" and list(out.index) == [4, 2]


def test_empty():
    assert dates.parse_dates(pd.Series([], dtype=object)).empty
    assert list(dates.issues_series(pd.Series([], dtype="str")).columns)[:3] == [
        "row",
        "code",
        "suggestion",
    ]


def _issues(values, **kwargs):
    found = dates.issues_series(pd.Series(values, dtype=object), today=TODAY, **kwargs)
    return [
        (r, c, None if pd.isna(x) else x)
        for r, c, x in zip(found["row"], found["code"], found["suggestion"], strict=True)
    ]


def test_issue_codes():
    assert _issues(["05/03/1990", "5/3/90", "1990-03-05"]) == []  # good dates need no finding
    assert _issues([None, "abc"]) == [(0, "dob_missing", None), (1, "dob_unparseable", None)]
    assert _issues(["05/06/2023", "2023"]) == [
        (0, "dob_future", None),
        (1, "dob_future", None),
        (1, "dob_year_only", None),
    ]
    assert _issues(["01/01/1899", "1066"]) == [
        (0, "dob_too_old", None),
        (0, "dob_placeholder_day", None),
        (1, "dob_too_old", None),
    ]
    assert _issues(["01/01/1950"]) == [(0, "dob_placeholder_day", None)]
    assert _issues(["1950", "03/1950"]) == [(0, "dob_year_only", None), (1, "dob_month_only", None)]
    assert _issues(["32937"]) == [(0, "dob_reformatted", "05/03/1990")]


def test_impossible_says_which_and_suggests_the_swap():
    found = dates.issues_series(pd.Series(["05/13/1990", "31/02/1990", "40/13/1990"]), today=TODAY)
    assert found["code"].tolist() == ["dob_impossible"] * 3
    assert found["suggestion"].tolist()[0] == "13/05/1990"
    assert found["suggestion"].isna().tolist() == [False, True, True]
    assert "tháng 13" in found["detail"][0] and "ngày 31" in found["detail"][1]


def test_field_prefix_and_default_today():
    found = dates.issues_series(pd.Series(["", "01/01/2199"]), field="dose_date")
    assert found["code"].tolist() == [
        "dose_date_missing",
        "dose_date_future",
        "dose_date_placeholder_day",
    ]


def test_future_is_relative_to_today():
    assert _issues(["05/05/2022"]) == [(0, "dob_future", None)]
    assert dates.issues_series(pd.Series(["05/05/2022"]), today=dt.date(2022, 6, 1)).empty


def test_string_dtypes_agree():
    values = ["05/03/1990", None, "1945", "31/02/1990", "44562"]
    expected = dates.parse_dates(pd.Series(values, dtype=object))
    for dtype in ("str", "string"):
        pd.testing.assert_frame_equal(dates.parse_dates(pd.Series(values, dtype=dtype)), expected)


JUNK = [
    None,
    np.nan,
    pd.NA,
    0,
    -5,
    1.5,
    float("inf"),
    b"1990",
    b"\xff",
    object(),
    ["a"],
    {"b": 1},
    "x" * 200_000,
    "1" * 5000,
    "\x00",
    True,
]


@pytest.mark.parametrize("junk", JUNK, ids=lambda v: type(v).__name__)
def test_junk_never_raises(junk):
    parsed = dates.parse_date(junk)
    assert parsed.code in (None, "missing", "unparseable", "impossible", "out_of_range")
    dates.issues_series(pd.Series([junk], dtype=object))


cells = st.one_of(
    st.none(),
    st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2200, 1, 1)).flatmap(
        lambda d: st.sampled_from(
            [
                d.strftime("%d/%m/%Y"),
                f"{d.day}/{d.month}/{d.year % 100}",
                d.isoformat(),
                str(d.year),
                f"{d.month:02d}/{d.year}",
                d,
            ]
        )
    ),
    st.integers(0, 100_000).map(str),
    st.from_regex(r"\d{1,2}/\d{1,2}/\d{2,4}", fullmatch=True),
    st.text(max_size=10),
)


@settings(max_examples=30, deadline=None)
@given(st.lists(cells, min_size=1, max_size=8))
def test_scalar_and_vectorised_agree(values):
    s = pd.Series(values, dtype=object, index=np.arange(len(values))[::-1])
    out = dates.parse_dates(s)
    for (_, row), value in zip(out.iterrows(), values, strict=True):
        expected = dates.parse_date(value)
        assert (None if pd.isna(row["date"]) else row["date"].date()) == expected.date
        assert (None if pd.isna(row["code"]) else row["code"]) == expected.code


@settings(max_examples=40, deadline=None)
@given(st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_every_real_date_roundtrips_in_every_day_first_form(day):
    for text in (
        day.strftime("%d/%m/%Y"),
        day.strftime("%d-%m-%Y"),
        day.strftime("%d.%m.%Y"),
        day.isoformat(),
    ):
        assert dates.parse_date(text) == dates.ParsedDate(day, "day", None)


def test_catalogue_lists_every_dob_code():
    from vaxutils.screen import catalogue

    table = catalogue.load()
    names = [
        "missing",
        "unparseable",
        "impossible",
        "future",
        "too_old",
        "placeholder_day",
        "year_only",
        "month_only",
        "reformatted",
    ]
    for name in names:
        assert f"dob_{name}" in table.index
    assert table.loc["dob_reformatted", "category"] == "normalized"
    assert (table.loc[[f"dob_{n}" for n in names[:5]], "severity"] == "error").all()
