"""The vectorised data path: shapes, dtypes, index, no mutation, early return on empty input."""

import numpy as np
import pandas as pd
import pytest

from vaxutils.ids import damage, series
from vaxutils.screen import catalogue

VALUES = [
    "001090012345",
    " 079305000123",
    "1090012345",
    "4.09501E+10",
    "Không có",
    None,
    "123456789",
    "B1234567",
    "001 090 012 345",
    "000000000",
]


def test_classify_ids_columns_dtypes_and_index():
    s = pd.Series(VALUES, index=[f"r{i}" for i in range(len(VALUES))], dtype=object)
    before = s.copy()
    table = series.classify_ids(s)
    pd.testing.assert_series_equal(s, before)  # input untouched
    assert list(table.columns) == list(series.CLASSIFY_COLUMNS)
    assert table.index.equals(s.index)
    assert str(table["id_birth_year"].dtype) == "Int64"
    assert all(str(table[c].dtype) == "string" for c in series.CLASSIFY_COLUMNS[:-1])
    assert table["id_kind"].tolist() == [
        "cccd", "cccd", "invalid", "invalid", "missing", "missing", "cmnd", "passport",
        "invalid", "missing",
    ]  # fmt: skip
    assert table.loc["r1", "id_compact"] == "079305000123"
    assert table.loc["r1", "province_code"] == "079"
    assert table.loc["r8", "id_suggestion"] == "001090012345"
    assert pd.isna(table.loc["r3", "id_suggestion"])
    assert table.loc["r9", "id_code"] == "id_placeholder"


def test_classify_ids_on_a_chunked_arrow_column():
    s = pd.concat([pd.Series(["001090012345"]), pd.Series(["1090012345"])], ignore_index=True)
    table = series.classify_ids(s)
    assert table["id_kind"].tolist() == ["cccd", "invalid"]


def test_classify_ids_empty_and_all_missing():
    empty = series.classify_ids(pd.Series([], dtype=object))
    assert empty.empty and list(empty.columns) == list(series.CLASSIFY_COLUMNS)
    missing = series.classify_ids(pd.Series([None, np.nan, pd.NA], dtype=object))
    assert missing["id_code"].tolist() == ["id_missing"] * 3


def test_classify_ids_accepts_lists_and_numbers():
    table = series.classify_ids([1090012345, 79090012345.0, "abc"])
    assert table["id_suggestion"].tolist()[:2] == ["001090012345", "079090012345"]
    assert table["id_code"].iloc[2] == "id_invalid_characters"


def test_issues_series_long_form():
    s = pd.Series(VALUES, index=range(10, 20))
    issues = series.issues_series(s)
    assert list(issues.columns) == list(series.ISSUE_COLUMNS)
    assert set(issues["row"]) == {11, 12, 13, 14, 15, 18, 19}
    assert issues.set_index("row").loc[12, "suggestion"] == "001090012345"
    assert series.issues_series(pd.Series([], dtype=object)).empty


def test_phone_and_bhyt_issues_keep_index_labels():
    phones = pd.Series(["0912345678", "912345678", None, "abc"], index=["a", "b", "c", "d"])
    issues = series.phone_issues_series(phones)
    assert issues["row"].tolist() == ["b", "d"]
    assert issues["code"].tolist() == ["phone_leading_zero_lost", "phone_invalid_characters"]
    cards = series.bhyt_issues_series(pd.Series(["dn4010123456789", "DN4010123456789"]))
    assert issues.shape[1] == 3 and cards["suggestion"].tolist() == ["DN4010123456789"]


def test_issues_series_rejects_unknown_kind():
    with pytest.raises(ValueError, match="kind"):
        series.issues_series(pd.Series(["1"]), kind="email")


def test_cccd_consistency_aligns_by_index_and_compacts():
    ids = pd.Series(["001 090 012345", "001090012345", "abc", None], index=[3, 2, 1, 0])
    sex = pd.Series(["Nam", "Nữ", "Nam", "Nam"], index=[0, 1, 2, 3])  # other order
    years = pd.Series([1990, 1990, 1991, None], index=[0, 1, 2, 3], dtype="Int64")
    result = series.cccd_consistency(ids, sex, years)
    assert result.index.equals(ids.index)
    assert result["sex_ok"].tolist() == [True, True, pd.NA, pd.NA]
    assert result["year_ok"].tolist() == [pd.NA, False, pd.NA, pd.NA]
    assert str(result["sex_ok"].dtype) == "boolean"
    empty = series.cccd_consistency(pd.Series([], dtype=object), [], [])
    assert empty.empty and list(empty.columns) == ["sex_ok", "year_ok"]


def test_cccd_consistency_with_junk_years_and_plain_lists():
    result = series.cccd_consistency(["001090012345"] * 3, ["Nam"] * 3, ["1990", 1990.0, True])
    assert result["year_ok"].tolist() == [pd.NA, True, pd.NA]


def test_every_emitted_code_is_in_the_catalogue():
    known = set(catalogue.load().index)
    emitted = set(damage.ID_CODES) | {"id_sex_mismatch", "id_birth_year_mismatch"}
    reasons = {"invalid_length", "invalid_characters", "scientific_notation", "normalized",
               "leading_zero_lost"}  # fmt: skip
    emitted |= {f"phone_{r}" for r in reasons | {"invalid_prefix"}}
    emitted |= {f"bhyt_{r}" for r in reasons | {"invalid_benefit_level"}}
    assert emitted <= known, emitted - known
    ids_and_contact = catalogue.load().query("area in ['ids', 'contact']").index
    assert set(ids_and_contact) == emitted


def test_province_list_agrees_with_refdata_when_available():
    refdata = pytest.importorskip("vaxutils.refdata")
    if not hasattr(refdata, "provinces"):
        pytest.skip("vaxutils.refdata.provinces not written yet")
    from vaxutils.ids._provinces import PROVINCES

    table = refdata.provinces()
    assert dict(zip(table["cccd_code"], table["name"], strict=True)) == PROVINCES


def test_phone_numbers_agree_with_the_scalar_module():
    from vaxutils.ids import phone
    from vaxutils.ids.series import phone_numbers

    cells = [
        "+84 912 345 678",
        "0912.345.678",
        "84 387 170 314",
        "0123456789",
        "12345",
        "",
        None,
        "0912345678 ",
        "091234567x",
        float("nan"),
        912345678,
    ]
    got = phone_numbers(pd.Series(cells, dtype=object))
    expected = [phone.compact(c) if phone.is_valid(c) else None for c in cells]
    assert [None if pd.isna(v) else v for v in got] == expected
    assert phone_numbers(pd.Series([], dtype=object)).empty
