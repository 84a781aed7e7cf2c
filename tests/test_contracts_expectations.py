"""vaxutils' custom Great Expectations: each one passes good values and fails bad ones through
a real suite file, and gives the same answers as the layer-1 function it wraps."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaxutils import contracts


@pytest.fixture
def check(tmp_path):
    """Validate ``frame`` against a one-expectation suite written as JSON, like an analyst would."""

    def run(frame: pd.DataFrame, kind: str, description: str | None = "Mô tả.", **kwargs):
        entry = {"type": kind, "kwargs": kwargs, "meta": {}}
        if description is not None:
            entry["description"] = description
        document = {"name": "one", "meta": {"id_column": "record_id"}, "expectations": [entry]}
        path = tmp_path / f"one_{len(list(tmp_path.iterdir()))}.json"
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        return contracts.validate(frame, path)

    return run


def _rows(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    return pd.DataFrame({"record_id": [f"DT{i:03d}" for i in range(n)], **columns})


# --- expect_column_values_to_be_valid_personal_id -------------------------------------------

IDS = {
    "cccd": "001085001234",
    "cmnd": "123456789",
    "passport": "B1234567",
    "lost_zero": "1085001234",
    "scientific": "4.09501E+10",
    "separators": "001 085 001 234",
    "bad_century": "001485001234",
    "placeholder": "Không có",
}


@pytest.mark.parametrize(
    ("accepted", "good"),
    [
        (["cccd"], {"cccd"}),
        (["cccd", "cmnd"], {"cccd", "cmnd"}),
        (["cccd", "cmnd", "passport"], {"cccd", "cmnd", "passport"}),
    ],
)
def test_valid_personal_id_accepts_only_the_kinds_asked(check, accepted, good):
    frame = _rows(id_number=list(IDS.values()) + [None])
    result = check(
        frame,
        "expect_column_values_to_be_valid_personal_id",
        column="id_number",
        accepted_kinds=accepted,
    )
    (failure,) = result.failures
    assert failure.expectation == "expect_column_values_to_be_valid_personal_id"
    assert failure.unexpected_count == len(IDS) - len(good)  # the empty cell is not counted


def test_valid_personal_id_passes_clean_column_and_masks_examples(check):
    ok = check(
        _rows(id_number=["001085001234", "079190123456"]),
        "expect_column_values_to_be_valid_personal_id",
        column="id_number",
    )
    assert ok.success
    bad = check(
        _rows(id_number=["1085001234"]),
        "expect_column_values_to_be_valid_personal_id",
        column="id_number",
    )
    assert bad.failures[0].examples == ("DT000: 108*****34",)


def test_require_canonical_refuses_padding(check):
    frame = _rows(id_number=[" 001085001234 ", "001085001234"])
    loose = check(frame, "expect_column_values_to_be_valid_personal_id", column="id_number")
    strict = check(
        frame,
        "expect_column_values_to_be_valid_personal_id",
        column="id_number",
        require_canonical=True,
    )
    assert loose.success and strict.failures[0].unexpected_count == 1


def test_valid_personal_id_with_junk_cells(check):
    frame = _rows(id_number=[1085001234, 3.5, b"x", object(), "9" * 100_000, "001085001234"])
    result = check(frame, "expect_column_values_to_be_valid_personal_id", column="id_number")
    assert result.failures[0].unexpected_count == 5


# --- expect_id_consistent_with_sex_and_birth_year --------------------------------------------


def test_id_consistency_with_dates_and_years(check):
    frame = _rows(
        id_number=["001085001234", "001185001234", "001085001234", "123456789", "001085001234"],
        sex=["Nam", "Nam", "Nam", "Nữ", None],
        dob=["15/03/1985", "15/03/1985", "1986", "01/01/1990", "15/03/1985"],
    )
    result = check(
        frame,
        "expect_id_consistent_with_sex_and_birth_year",
        column_list=["id_number", "sex", "dob"],
    )
    (failure,) = result.failures
    # row 1: female digit for a man; row 2: born 1986 but digits say 85; CMND and missing sex skip
    assert failure.unexpected_count == 2
    assert {e.split(":")[0] for e in failure.examples} == {"DT001", "DT002"}

    years = frame.assign(dob=[1985, 1985, 1985, 1990, 1985])
    assert (
        check(
            years,
            "expect_id_consistent_with_sex_and_birth_year",
            column_list=["id_number", "sex", "dob"],
        )
        .failures[0]
        .unexpected_count
        == 1
    )


def test_id_consistency_needs_three_columns(check):
    with pytest.raises(contracts.ContractError, match="3 cột"):
        check(
            _rows(a=["1"], b=["Nam"]),
            "expect_id_consistent_with_sex_and_birth_year",
            column_list=["a", "b"],
        )


# --- expect_column_values_to_be_well_formed_vietnamese_name --------------------------------


def test_well_formed_names(check):
    good = ["Nguyễn Văn Nam", "Nông Thị Slam", "Thạch Danh", "Giàng A Páo", "Kim Thanh Mai"]
    bad = ["Nguyen Van Nam", "NguyÔn V¨n Nam", "Trần Thị 2", "#Lê Văn Hùng"]
    result = check(
        _rows(full_name=good + bad + [None]),
        "expect_column_values_to_be_well_formed_vietnamese_name",
        column="full_name",
    )
    (failure,) = result.failures
    assert failure.unexpected_count == len(bad)


def test_normalisation_only_names_pass(check):
    result = check(
        _rows(full_name=["  nguyễn   văn NAM ", "Trần Thị Thuỷ"]),
        "expect_column_values_to_be_well_formed_vietnamese_name",
        column="full_name",
    )
    assert result.success, result.summary_vi()


# --- expect_dose_dates_in_order ---------------------------------------------------------------


def test_dose_dates_in_order_on_text_dates(check):
    frame = pd.DataFrame(
        {
            "record_id": ["A", "A", "A", "B", "B", "C"],
            "dose_number": ["1", "2", "3", "1", "2", "1"],
            "dose_date": [
                "01/07/2021",
                "15/06/2021",
                "01/12/2021",
                "03/08/2021",
                "x",
                "09/09/2021",
            ],
        }
    )
    result = check(
        frame, "expect_dose_dates_in_order", column_list=["record_id", "dose_number", "dose_date"]
    )
    (failure,) = result.failures
    assert failure.unexpected_count == 1
    assert failure.examples[0].startswith("A: 2, 15/06/2021")


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from("ABC"), st.integers(1, 4), st.integers(0, 400)), max_size=25)
)
def test_dose_order_property(rows):
    from vaxutils.contracts.expectations import dose_dates_in_order

    frame = pd.DataFrame(rows, columns=["rid", "num", "day"])
    dates = pd.Timestamp("2021-03-08") + pd.to_timedelta(frame["day"], unit="D")
    ok = dose_dates_in_order(frame["rid"], frame["num"], dates)
    assert ok.index.equals(frame.index)
    for i in range(len(frame)):  # the definition, row by row, on a tiny frame
        earlier = (frame["rid"] == frame["rid"][i]) & (frame["num"] < frame["num"][i])
        assert ok[i] == (not (dates[earlier] > dates[i]).any())


# --- rendering ------------------------------------------------------------------------------------


def test_custom_expectations_render_a_sentence_in_data_docs(check, tmp_path):
    result = check(
        _rows(id_number=["1085001234"]),
        "expect_column_values_to_be_valid_personal_id",
        description=None,
        column="id_number",
    )
    contracts.build_data_docs([result], tmp_path / "site")
    (page,) = (tmp_path / "site" / "data_docs" / "validations").rglob("*.html")
    assert "phải là số giấy tờ hợp lệ" in page.read_text(encoding="utf-8")


def test_custom_expectations_carry_library_metadata():
    from vaxutils.contracts.expectations import CUSTOM_EXPECTATIONS

    for cls in CUSTOM_EXPECTATIONS:
        assert cls.library_metadata["tags"] and cls.__doc__.strip()
