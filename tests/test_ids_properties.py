"""Scalar and vectorised identifier functions give the same answers on arbitrary input."""

import math

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vaxutils.ids import bhyt, cccd, damage, phone, series
from vaxutils.ids._provinces import PROVINCES

DAMAGE_CHARS = "0123456789 .-OoIl０１９E+,\u00a0\t"


@st.composite
def damaged_ids(draw):
    """Valid CCCD/CMND/phone-like digit strings, then spreadsheet damage on top."""
    province = draw(st.sampled_from(sorted(PROVINCES) + ["000", "099", "005"]))
    century = draw(st.sampled_from("0123456789"))
    body = draw(st.text("0123456789", min_size=8, max_size=8))
    number = draw(
        st.sampled_from(
            [
                province + century + body,
                (province + century + body).lstrip("0"),
                body + draw(st.sampled_from("0123456789")),
                body,
                "0" + draw(st.sampled_from("35789")) + body,
                draw(st.sampled_from(["DN4", "HT3", "dn9", "GD5"])) + "01" + body + "00",
            ]
        )
    )
    chars = list(number)
    for _ in range(draw(st.integers(0, 3))):
        pos = draw(st.integers(0, len(chars)))
        chars.insert(pos, draw(st.sampled_from(DAMAGE_CHARS)))
    text = "".join(chars)
    return draw(
        st.sampled_from(
            [text, " " + text + " ", text + ".0", text.replace("0", "O"), text.replace("1", "l")]
        )
    )


cells = st.one_of(
    damaged_ids(),
    st.text(max_size=20),
    st.text(DAMAGE_CHARS, max_size=16),
    st.none(),
    st.just(float("nan")),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**13), max_value=10**13),
    st.sampled_from(
        ["Không có", "KCO", "-", "x", "000000000000", "N/A", "chưa  có", "4,09501E+10"]
    ),
)
settings_ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


def _na(value):
    return None if value is pd.NA or (isinstance(value, float) and math.isnan(value)) else value


@settings_
@given(st.lists(cells, max_size=60))
def test_classify_ids_equals_scalar_diagnose(values):
    s = pd.Series(values, dtype=object)
    table = series.classify_ids(s)
    for position, value in enumerate(values):
        row = table.iloc[position]
        expected = damage.diagnose(value)
        got = damage.Diagnosis(
            row["id_kind"], _na(row["id_compact"]), _na(row["id_code"]), _na(row["id_suggestion"])
        )
        assert got == expected, value
        if expected.kind == "cccd":
            assert row["province_code"] == cccd.get_province_code(expected.compact)
            assert row["id_sex"] == cccd.get_sex(expected.compact)
            assert row["id_birth_year"] == cccd.get_birth_year(expected.compact)
        else:
            assert pd.isna(row["province_code"]) and pd.isna(row["id_birth_year"])


@settings_
@given(st.lists(cells, max_size=60), st.sampled_from(["phone", "bhyt"]))
def test_number_issues_equal_scalar_diagnose(values, kind):
    module = {"phone": phone, "bhyt": bhyt}[kind]
    s = pd.Series(values, dtype=object)
    got = series.issues_series(s, kind=kind)
    found = {
        row: (code, _na(suggestion))
        for row, code, suggestion in got.itertuples(index=False, name=None)
    }
    expected = {}
    for position, value in enumerate(values):
        issue = module.diagnose(value)
        if issue is not None:
            expected[position] = tuple(issue)
    assert found == expected


@settings_
@given(
    st.lists(
        st.tuples(
            st.one_of(damaged_ids(), st.none()),
            st.sampled_from(["Nam", "Nữ", None, "nam", "?"]),
            st.one_of(st.none(), st.integers(1890, 2030), st.just(1990.5)),
        ),
        max_size=30,
    )
)
def test_cccd_consistency_equals_scalar(rows):
    ids = pd.Series([r[0] for r in rows], dtype=object)
    sexes = pd.Series([r[1] for r in rows], dtype=object)
    years = pd.Series([r[2] for r in rows], dtype="Float64")
    got = series.cccd_consistency(ids, sexes, years)
    for position, (number, sex, year) in enumerate(rows):
        sex_ok, year_ok = got.iloc[position]
        if not cccd.is_valid(number):
            assert pd.isna(sex_ok) and pd.isna(year_ok)
            continue
        disagree = cccd.check_consistency(number, sex=sex, birth_year=year)
        assert pd.isna(sex_ok) == (sex not in cccd.SEXES)
        assert pd.isna(year_ok) == (cccd.as_year(year) is None)
        if not pd.isna(sex_ok):
            assert bool(sex_ok) == ("sex" not in disagree)
        if not pd.isna(year_ok):
            assert bool(year_ok) == ("birth_year" not in disagree)


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.one_of(damaged_ids(), st.none()), max_size=60))
def test_string_dtype_gives_the_same_answer_as_object(values):
    as_object = series.classify_ids(pd.Series(values, dtype=object))
    as_string = series.classify_ids(pd.Series(values, dtype="string"))
    as_str = series.classify_ids(pd.Series(values, dtype="str"))
    pd.testing.assert_frame_equal(as_object, as_string)
    pd.testing.assert_frame_equal(as_object, as_str)


def test_float_column_is_read_like_scalar_floats():
    s = pd.Series([1090012345.0, np.nan, 79090012345.0, 4.09501e10])
    table = series.classify_ids(s)
    assert table["id_suggestion"].tolist()[:3] == ["001090012345", pd.NA, "079090012345"]
