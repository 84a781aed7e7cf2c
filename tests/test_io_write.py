"""Writers: atomic replacement, Excel-safe CSV, formula-safe xlsx that reads back as text."""

from __future__ import annotations

import datetime
import json

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaxutils.io import (
    WriteError,
    escape_formulas,
    formula_like,
    read_export,
    read_table,
    write_atomic,
    write_csv,
    write_json,
    write_parquet,
    write_xlsx,
)

DANGEROUS = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", '\t=HYPERLINK("x")', "\r=1"]


def test_write_atomic_creates_folders_and_replaces(tmp_path):
    target = tmp_path / "out" / "xa" / "summary.txt"
    write_atomic(target, lambda tmp: tmp.write_text("một", encoding="utf-8"))
    write_atomic(target, lambda tmp: tmp.write_text("hai", encoding="utf-8"))
    assert target.read_text(encoding="utf-8") == "hai"
    assert sorted(p.name for p in target.parent.iterdir()) == ["summary.txt"]


def test_failed_write_leaves_old_file_and_no_temp(tmp_path):
    target = tmp_path / "findings.csv"
    target.write_text("cũ", encoding="utf-8")

    def half_write(tmp):
        tmp.write_text("một nửa", encoding="utf-8")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_atomic(target, half_write)
    assert target.read_text(encoding="utf-8") == "cũ"
    assert [p.name for p in tmp_path.iterdir()] == ["findings.csv"]
    with pytest.raises(RuntimeError):
        write_atomic(tmp_path / "new.csv", half_write)
    assert not (tmp_path / "new.csv").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["findings.csv"]


def test_csv_has_bom_and_escapes_formulas(tmp_path):
    frame = pd.DataFrame({"Họ và tên": ["Nguyễn Thị Thủy", "=1+1"], "SĐT": ["+84912345678", "-"]})
    path = write_csv(tmp_path / "ds.csv", frame)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
    assert back["Họ và tên"].tolist() == ["Nguyễn Thị Thủy", "'=1+1"]
    assert back["SĐT"].tolist() == ["+84912345678", "-"]  # signed numbers and placeholders kept
    assert frame.loc[1, "Họ và tên"] == "=1+1"  # input not mutated


def test_formula_like():
    mask = formula_like(
        pd.Series([*DANGEROUS, "+84 912 345 678", "-", "Lê An", None, 5], dtype=object)
    )
    assert mask.tolist() == [True] * len(DANGEROUS) + [False] * 5


@given(st.lists(st.text(max_size=8) | st.none(), max_size=20))
@settings(max_examples=60, deadline=None)
def test_escaped_cells_never_start_a_formula(values):
    frame = pd.DataFrame({"v": pd.Series(values, dtype=object)})
    escaped = escape_formulas(frame)
    assert not formula_like(escaped["v"]).any()
    assert escaped["v"].isna().tolist() == frame["v"].isna().tolist()


def test_parquet_and_json(tmp_path):
    frame = pd.DataFrame({"record_id": ["A1"], "n": [3]})
    assert pd.read_parquet(write_parquet(tmp_path / "r.parquet", frame)).equals(frame)
    path = write_json(
        tmp_path / "summary.json",
        {"xã": "Thượng Thôn", "when": datetime.date(2022, 5, 4), "nan": float("nan"), "na": pd.NA,
         "counts": pd.Series([1, 2]), "codes": {"b", "a"}},
    )  # fmt: skip
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "xã": "Thượng Thôn", "when": "2022-05-04", "nan": None, "na": None,
        "counts": [1, 2], "codes": ["a", "b"],
    }  # fmt: skip
    assert "Thượng" in path.read_text(encoding="utf-8")  # not \\u-escaped


def test_xlsx_formula_safe_ids_text_and_layout(tmp_path):
    frame = pd.DataFrame(
        {
            "Mã đối tượng": ["DT1", "DT2", "DT3", "DT4", "DT5", "DT6"],
            "Họ và tên": DANGEROUS,
            "Số CMND/CCCD": [1090123456, 1090123457, None, 1, 2, 3],
            "phone": [912345678.0, None, 1.0, 2.0, 3.0, 4.0],
            "Ngày tiêm": pd.to_datetime(["2021-08-02"] * 5 + [None]),
            "n_errors": [0, 1, 2, 3, 4, 5],
        }
    )
    original = frame.copy()
    path = write_xlsx(
        tmp_path / "out" / "review.xlsx",
        {"Thôn 1": frame, "Thôn/2: [bad]": frame.head(1)},
        title_rows={"Thôn 1": ["DANH SÁCH RÀ SOÁT", "Xã Thượng Thôn"]},
    )
    pd.testing.assert_frame_equal(frame, original)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Thôn 1", "Thôn-2- -bad-"]
    ws = book["Thôn 1"]
    assert ws["A1"].value == "DANH SÁCH RÀ SOÁT" and ws["A1"].font.bold
    assert ws.freeze_panes == "A4" and ws["B3"].font.bold and ws.auto_filter.ref.startswith("A3:")
    names = [ws.cell(row=r, column=2) for r in range(4, 10)]
    # XML parsers turn a stored carriage return into a line feed; the text is otherwise intact.
    as_read = [v.replace("\r", "\n") for v in DANGEROUS]
    assert [c.value for c in names] == as_read and {c.data_type for c in names} == {"s"}
    assert all(c.quotePrefix for c in names)
    assert ws["C4"].value == "1090123456" and ws["C4"].number_format == "@"
    assert ws["D4"].value == "912345678" and ws["D4"].data_type == "s"
    assert (
        ws["E4"].value == datetime.datetime(2021, 8, 2) and ws["E4"].number_format == "dd/mm/yyyy"
    )
    assert ws["F5"].value == 1 and ws["F5"].data_type == "n"  # counts stay numbers
    assert ws.column_dimensions["B"].width >= len("+cmd|' /C calc'!A0")
    # read back through our own reader: text, exactly as written
    table = read_table(path)
    assert table["Họ và tên"].tolist() == as_read
    assert table["Số CMND/CCCD"].tolist()[:2] == ["1090123456", "1090123457"]


def test_xlsx_round_trip_through_read_export(tmp_path):
    frame = pd.DataFrame(
        {"Họ và tên": ["Lê Thị Hoa"], "Ngày sinh": ["02/03/1990"], "Số CCCD": ["001190012345"]}
    )
    path = write_xlsx(tmp_path / "ds.xlsx", {"DS": frame}, {"DS": ["DANH SÁCH"]})
    export = read_export(path)
    assert export.records["id_number"].tolist() == ["001190012345"]
    assert export.records["source_row"].tolist() == [3] and export.source["header_row"] == 2


def test_xlsx_refuses_more_rows_than_excel(tmp_path, monkeypatch):
    monkeypatch.setattr("vaxutils.io.xlsx.EXCEL_MAX_ROWS", 3)
    with pytest.raises(WriteError, match="vượt giới hạn"):
        write_xlsx(tmp_path / "big.xlsx", {"S": pd.DataFrame({"a": range(3)})})
    assert not (tmp_path / "big.xlsx").exists()


def test_xlsx_strips_characters_excel_cannot_store(tmp_path):
    frame = pd.DataFrame({"ghi chú": ["a\x00b\x07c", "x" * 40_000]})
    ws = openpyxl.load_workbook(write_xlsx(tmp_path / "x.xlsx", {"S": frame})).active
    assert ws["A2"].value == "abc" and len(ws["A3"].value) == 32_767
