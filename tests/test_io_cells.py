"""Cells become the text a person sees; header matching; robustness against junk input."""

from __future__ import annotations

import datetime
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaxutils.io import IngestError, header_key, load_column_mapping, normalize_header, read_export
from vaxutils.io.cells import cells_to_text, frame_to_text
from vaxutils.io.sniff import decode_text, detect_format, sniff_delimiter


def test_numbers_dates_and_blanks():
    raw = pd.Series(
        [1090123456.0, 1.0e11 + 1, 96_999_999_999.0, 0.5, -3.0, 7, np.int64(12),
         datetime.datetime(2022, 5, 4), datetime.date(1950, 1, 1), datetime.datetime(2021, 3, 8, 7, 5),
         " ", "", None, float("nan"), pd.NaT, True, "  Lê An "],
        index=range(10, 27), dtype=object,
    )  # fmt: skip
    text = cells_to_text(raw)
    assert text.index.equals(raw.index) and str(text.dtype) == "string"
    assert text.tolist()[:10] == [
        "1090123456", "100000000001", "96999999999", "0.5", "-3", "7", "12",
        "2022-05-04", "1950-01-01", "2021-03-08 07:05:00",
    ]  # fmt: skip
    assert text.iloc[10:15].isna().all()
    assert text.tolist()[15:] == ["True", "  Lê An "]  # text is never trimmed or changed


@given(st.integers(min_value=-(2**53), max_value=2**53))
@settings(max_examples=200, deadline=None)
def test_integral_floats_keep_every_digit(n):
    assert cells_to_text(pd.Series([float(n)], dtype=object)).iloc[0] == str(n)
    assert cells_to_text(pd.Series([float(n)])).iloc[0] == str(n)  # float64 column too


@given(st.floats(allow_nan=False, allow_infinity=False))
@settings(max_examples=200, deadline=None)
def test_any_float_reads_as_excel_shows_it(x):
    """Integers keep every digit; fractions keep 9 decimals (Excel's General format, fastexcel)."""
    text = cells_to_text(pd.Series([x, "header"], dtype=object)).iloc[0]
    if abs(x) >= 2**63 or x == int(x):
        assert float(text) == x
    else:
        assert text == f"{x:.9f}".rstrip("0").rstrip(".")
        assert abs(float(text) - x) <= 5e-10 * max(1.0, abs(x))
        assert not text.endswith(".") and ("." not in text or not text.endswith("0"))


@given(
    st.lists(
        st.one_of(st.text(max_size=5), st.integers(-(10**6), 10**6), st.none(), st.dates()),
        max_size=15,
    )
)
@settings(max_examples=100, deadline=None)
def test_shape_index_and_input_preserved(values):
    raw = pd.Series(values, index=[f"r{i}" for i in range(len(values))], dtype=object)
    copy = raw.copy()
    text = cells_to_text(raw)
    assert text.index.equals(raw.index) and raw.equals(copy)
    blank = [v is None or (isinstance(v, str) and not v.strip()) for v in values]
    assert text.isna().tolist() == blank


def test_typed_columns():
    frame = pd.DataFrame(
        {
            "i": pd.array([1, None], dtype="Int64"),
            "d": pd.to_datetime(["2001-05-06", None]),
            "b": [True, False],
            "s": pd.array(["x", None], dtype="string"),
        }
    )
    assert frame_to_text(frame).astype(object).where(frame_to_text(frame).notna(), None).to_dict(
        "list"
    ) == {"i": ["1", None], "d": ["2001-05-06", None], "b": ["True", "False"], "s": ["x", None]}


def test_empty_series():
    assert cells_to_text(pd.Series([], dtype=object)).empty


@given(st.text(max_size=30))
@settings(max_examples=200, deadline=None)
def test_normalize_header_is_folded_and_idempotent(label):
    once = normalize_header(label)
    assert normalize_header(once) == once
    assert once == once.lower() and all(c.isascii() for c in once)


def test_decode_and_sniff():
    assert decode_text("Đắk Lắk".encode("utf-16"))[0] == "Đắk Lắk"
    assert decode_text("Đắk Lắk".encode("utf-16-le"))[1] == "utf-16-le"
    assert sniff_delimiter("a\tb\tc\n1\t2\t3\n") == "\t"
    assert detect_format(b"PAR1....PAR1", "x.parquet") == "parquet"
    assert detect_format(b"PAR1....", "x.parquet") == "truncated_parquet"  # cut short


JUNK = [None, float("nan"), 0, 1.5, b"\x00\xff", object(), "x" * 100_000, ["a"], pd.NA, True]


@pytest.mark.parametrize("junk", JUNK, ids=lambda j: type(j).__name__)
def test_robust_to_junk(junk, tmp_path):
    # Pure functions answer; functions that take a path raise one IngestError (or TypeError for
    # things that are not paths at all), never anything else.
    assert isinstance(normalize_header(junk), str)
    assert header_key(junk) is None or isinstance(junk, str)
    text = cells_to_text(pd.Series([junk, junk], dtype=object))
    assert len(text) == 2
    try:
        read_export(junk if isinstance(junk, str | bytes) else tmp_path / "none.xlsx")
    except IngestError:
        pass
    except (TypeError, ValueError, OSError) as exc:  # bytes / absurd paths
        assert isinstance(junk, bytes | str), exc


def test_junk_cells_in_a_file(tmp_path):
    path = tmp_path / "junk.csv"
    huge = "Ă" * 200_000
    path.write_text(f"Họ tên,NS,CCCD\n{huge},\x00,=cmd|' /C calc'!A0\n,,\n", encoding="utf-8")
    export = read_export(path)
    assert export.records["full_name"].iloc[0] == huge
    assert export.records["id_number"].iloc[0] == "=cmd|' /C calc'!A0"  # read as text, not run
    assert len(export.records) == 1 and not math.isnan(export.records["source_row"].iloc[0])


def test_load_column_mapping(tmp_path):
    good = tmp_path / "mapping.yml"
    good.write_text('full_name: "Tên người được tiêm"\nvaccine_2: "VX lần 2"\n', encoding="utf-8")
    assert load_column_mapping(good) == {
        "full_name": "Tên người được tiêm",
        "vaccine_2": "VX lần 2",
    }
    bad = tmp_path / "bad.yml"
    bad.write_text('full_nam: "Họ tên"\nvaccine_x: "VX"\n', encoding="utf-8")
    with pytest.raises(IngestError, match="full_nam, vaccine_x") as caught:
        load_column_mapping(bad)
    assert caught.value.code == "mapping_unknown_field" and "bad.yml" in str(caught.value)
    for text, code in [("- a\n- b\n", "mapping_invalid"), ("full_name: [1, 2]\n", "mapping_invalid"),
                       ("a: b: c\n", "mapping_invalid"), ("full_name: A\ndob: a\n", "mapping_invalid")]:  # fmt: skip
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(IngestError) as caught:
            load_column_mapping(bad)
        assert caught.value.code == code, text
    with pytest.raises(IngestError, match="mapping_missing|không tìm thấy"):
        load_column_mapping(tmp_path / "khong_co.yml")


def test_mapping_override_reads_unusual_headers(tmp_path):
    path = tmp_path / "la.csv"
    path.write_text(
        "Tên người được tiêm,Sinh,Giấy tờ,VX lần 1,Ngày lần 1\nAn,1990,001090000001,Pfizer,2021-08-01\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "mapping.yml"
    mapping.write_text(
        'full_name: "Tên người được tiêm"\ndob: Sinh\nid_number: "Giấy tờ"\n'
        'vaccine_1: "VX lần 1"\ndose_date_1: "Ngày lần 1"\n',
        encoding="utf-8",
    )
    export = read_export(path, columns=mapping)
    assert export.records[["full_name", "dob", "id_number"]].values.tolist() == [
        ["An", "1990", "001090000001"]
    ]
    assert export.doses[["dose_number", "vaccine", "dose_date"]].values.tolist() == [
        ["1", "Pfizer", "2021-08-01"]
    ]
    assert export.source["mapping"]["dose_date_1"] == "Ngày lần 1"
