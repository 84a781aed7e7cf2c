"""Sex: Nam / Nữ in all their spellings; 1 = Nam, 0 = Nữ; scalar == vectorised."""

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from vaxutils import sex

NAM_SPELLINGS = [
    "Nam",
    "nam",
    "NAM",
    " Nam ",
    "M",
    "m",
    "male",
    "Male",
    "1",
    1,
    1.0,
    "Nam giới",
    "trai",
]
NU_SPELLINGS = [
    "Nữ",
    "nữ",
    "NỮ",
    "nu",
    "NU",
    "Nư",
    "nử",
    "F",
    "female",
    "0",
    0,
    0.0,
    "Nữ giới",
    "gái",
    "Nư\u0303",
]  # the last one is decomposed (NFD) Nữ


@pytest.mark.parametrize("value", NAM_SPELLINGS)
def test_nam(value):
    assert sex.normalize(value) == "Nam"


@pytest.mark.parametrize("value", NU_SPELLINGS)
def test_nu(value):
    assert sex.normalize(value) == "Nữ"


@pytest.mark.parametrize("value", ["N", "Khác", "2", "nam nữ", "x y", 3, "Ông"])
def test_invalid(value):
    assert sex.normalize(value) is None
    assert sex.issues(value) == [("sex_invalid", None)]


@pytest.mark.parametrize("value", [None, np.nan, pd.NA, "", "  ", "-", "?", "Không rõ"])
def test_missing(value):
    assert sex.normalize(value) is None
    assert sex.issues(value) == [("sex_missing", None)]


def test_variants_are_info_with_suggestion_and_standard_spelling_is_clean():
    assert sex.issues("Nam") == [] and sex.issues("Nữ") == []
    assert sex.issues("nam") == [("sex_variant", "Nam")]
    assert sex.issues(0) == [("sex_variant", "Nữ")]
    assert sex.issues(" Nữ") == [("sex_variant", "Nữ")]


def test_series_keep_index_na_and_input():
    s = pd.Series(["nam", None, "Nữ", "x", 1], index=[5, 4, 3, 2, 1], dtype=object)
    before = s.copy()
    out = sex.normalize_series(s)
    assert list(out.index) == [5, 4, 3, 2, 1]
    assert [None if pd.isna(v) else v for v in out] == ["Nam", None, "Nữ", None, "Nam"]
    found = sex.issues_series(s)
    assert found["code"].tolist() == ["sex_variant", "sex_missing", "sex_missing", "sex_variant"]
    assert found["row"].tolist() == [5, 4, 2, 1]
    pd.testing.assert_series_equal(s, before)


def test_empty():
    assert sex.normalize_series(pd.Series([], dtype=object)).empty
    assert sex.issues_series(pd.Series([], dtype="str")).empty


@pytest.mark.parametrize(
    "junk", [b"Nam", b"\xff", object(), ["a"], {"b": 1}, "x" * 100_000, float("inf"), True]
)
def test_junk_never_raises(junk):
    sex.normalize(junk)
    sex.issues(junk)
    sex.issues_series(pd.Series([junk], dtype=object))


cells = st.one_of(
    st.none(),
    st.sampled_from(NAM_SPELLINGS + NU_SPELLINGS + ["x", "", "Khác", 2]),
    st.text(max_size=5),
)


@settings(max_examples=50, deadline=None)
@given(st.lists(cells, min_size=1, max_size=10))
def test_scalar_and_vectorised_agree(values):
    s = pd.Series(values, dtype=object)
    got = [None if pd.isna(v) else v for v in sex.normalize_series(s)]
    assert got == [sex.normalize(v) for v in values]
    found = sex.issues_series(s)
    for label, value in zip(s.index, values, strict=True):
        rows = found[found["row"] == label]
        pairs = [
            (c, None if pd.isna(x) else x)
            for c, x in zip(rows["code"], rows["suggestion"], strict=True)
        ]
        assert pairs == sex.issues(value)


def test_catalogue_lists_every_sex_code():
    from vaxutils.screen import catalogue

    table = catalogue.load()
    assert table.loc[["sex_missing", "sex_invalid", "sex_variant"], "severity"].tolist() == [
        "error",
        "error",
        "info",
    ]
