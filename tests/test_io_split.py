"""A big sheet read in pieces (vaxutils.io.split_sheet) gives the grid a single read gives."""

from __future__ import annotations

import datetime
import io
import re
import zipfile

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vaxutils.io import read_export, split_sheet
from vaxutils.io.fastexcel_sheet import NeedsCalamine, sheet_cells
from vaxutils.io.readers import iter_grids

PERSON = ["Nông Văn Pảo", datetime.date(1990, 1, 2), "Nam", 4090012345, "0912345678", "Pfizer"]
HEADER = ["Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Số điện thoại", "Mũi 1 - Tên vắc xin"]


@pytest.fixture(autouse=True)
def split_small_sheets(monkeypatch):
    monkeypatch.setattr(split_sheet, "MIN_BYTES", 0)  # every sheet is "big" here


def write_book(path, rows, *, write_only=False, sheets=("Danh sách",), title="Danh sách"):
    """openpyxl writes shared strings normally and inline strings in write-only mode."""
    book = openpyxl.Workbook(write_only=write_only)
    if not write_only:
        book.remove(book.active)
    for name in sheets:
        ws = book.create_sheet(name)
        for row in rows if name == title else [["khác", 1], [None, 2]]:
            ws.append(row)
    book.save(path)
    return path


def people(n: int, gaps: bool = True, note: bool = True) -> list[list]:
    rows: list[list] = [["DANH SÁCH ĐÃ TIÊM"], [], HEADER]
    for i in range(n):
        name = f"{PERSON[0]} {i}"
        rows.append([name, *PERSON[1:3], PERSON[3] + i, *PERSON[4:]])
        if gaps and i % 37 == 0:
            rows.append([])  # a blank row: absent from the XML, a gap in the row numbers
    if note:
        rows.append([None, None, None, None, None, None, "ghi chú ở cột G"])  # a wider last row
    return rows


def split(path, sheet="Danh sách", pieces=3):
    return split_sheet.read_sheet_split(path, sheet, sheet_cells, pieces=pieces)


@pytest.mark.parametrize("write_only", [False, True], ids=["shared strings", "inline strings"])
@pytest.mark.parametrize("pieces", [2, 3, 7])
def test_pieces_give_the_single_read_grid(tmp_path, write_only, pieces):
    path = write_book(tmp_path / "ds.xlsx", people(400), write_only=write_only)
    single = sheet_cells(str(path), "Danh sách")
    grid = split(path, pieces=pieces)
    assert grid is not None
    pd.testing.assert_frame_equal(grid, single)
    assert grid.iloc[3, 0] == "Nông Văn Pảo 0" and grid.iloc[3, 3] == "4090012345"
    assert grid.iloc[-1].tolist()[-1] == "ghi chú ở cột G"


def test_chosen_sheet_among_others(tmp_path):
    path = write_book(tmp_path / "ds.xlsx", people(200), sheets=("Bìa", "Danh sách", "Ghi chú"))
    pd.testing.assert_frame_equal(split(path), sheet_cells(str(path), "Danh sách"))
    assert split(path, sheet="Không có") is None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.lists(
            st.one_of(
                st.none(),
                st.integers(-(10**12), 10**12),
                st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=8),
                st.dates(datetime.date(1920, 1, 1), datetime.date(2022, 12, 31)),
            ),
            max_size=5,
        ),
        min_size=1,
        max_size=60,
    ),
    pieces=st.integers(2, 6),
)
def test_any_sheet_splits_into_the_same_grid(tmp_path_factory, rows, pieces):
    path = write_book(tmp_path_factory.mktemp("any") / "any.xlsx", rows)
    calamine = next(iter_grids(path, engine="calamine")).cells
    try:
        grid = split(path, pieces=pieces)
    except NeedsCalamine:  # text fastexcel cannot render unambiguously ("false", "-0"...):
        with pytest.raises(NeedsCalamine):  # a single read says so too, and calamine reads it
            sheet_cells(str(path), "Danh sách")
        assert next(iter_grids(path)).reader == "calamine"
        return
    if grid is None:  # an empty sheet: nothing to cut
        assert not calamine.notna().to_numpy().any()
        return
    pd.testing.assert_frame_equal(grid, calamine)


def test_big_parts_the_reader_never_needs_are_left_out(tmp_path, monkeypatch):
    path = write_book(tmp_path / "ds.xlsx", people(150))
    with zipfile.ZipFile(path, "a") as book:  # an embedded file and a pivot cache, 3 MB each
        book.writestr("xl/embeddings/oleObject1.bin", bytes(3 * 2**20))
        book.writestr("xl/pivotCache/pivotCacheRecords1.xml", b"<x/>" * (3 * 2**18))
    seen = []
    original = split_sheet._workbook_copy

    def spy(parts, name, xml):
        seen.append(sum(len(v) for v in parts.values()))
        return original(parts, name, xml)

    monkeypatch.setattr(split_sheet, "_workbook_copy", spy)
    grid = split(path)
    pd.testing.assert_frame_equal(grid, sheet_cells(str(path), "Danh sách"))
    assert seen and max(seen) < 2**20  # each piece carries only what the reader needs


def _rewrite_sheet(path, change):
    """A copy of the workbook whose first sheet's XML is ``change(xml)``."""
    out = path.with_name("rewritten.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            dst.writestr(item, data)
    return out


def test_rows_without_numbers_are_read_whole(tmp_path):
    path = write_book(tmp_path / "ds.xlsx", people(100, gaps=False, note=False))
    unnumbered = _rewrite_sheet(path, lambda xml: re.sub(rb'<row r="\d+"', b"<row", xml))
    assert split(unnumbered) is None
    export = read_export(unnumbered)  # the single read still works
    assert len(export.records) == 100 and export.source["reader"] == "fastexcel"


def test_pieces_refuse_what_they_cannot_cut():
    def cut(xml: bytes) -> tuple[bool, list]:
        got = []
        ok = split_sheet._pieces(io.BytesIO(xml), len(xml), 2, lambda x, r: got.append(r))
        return ok, got

    rows = b"".join(
        b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i) for i in range(1, 200)
    )
    plain = b'<worksheet xmlns="m"><sheetData>' + rows + b"</sheetData></worksheet>"
    ok, first_rows = cut(plain)
    assert ok and first_rows[0] == 0 and len(first_rows) == 2  # two pieces, the first from A1
    assert 80 < first_rows[1] < 130  # cut near the middle, on a row boundary
    prefixed = plain.replace(b"<worksheet", b"<x:worksheet").replace(b"<sheetData", b"<x:sheetData")
    assert cut(prefixed)[0] is False
    assert cut(b'<worksheet xmlns="m"><sheetData/></worksheet>')[0] is False
    assert cut(b"<worksheet><sheetPr/>" + b" " * 100)[0] is False  # no rows at all


def test_damaged_piece_falls_back_with_a_clear_error(tmp_path):
    path = write_book(tmp_path / "ds.xlsx", people(300))
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(path.read_bytes()[: path.stat().st_size * 2 // 3])
    from vaxutils.io import IngestError

    with pytest.raises(IngestError) as caught:
        read_export(broken)
    assert caught.value.code in {"corrupt_file", "not_a_spreadsheet"}


def test_read_export_through_pieces_equals_calamine(tmp_path):
    path = write_book(tmp_path / "ds.xlsx", people(500, note=False))
    fast = read_export(path)
    slow = read_export(path, engine="calamine")
    assert fast.source["reader"] == "fastexcel"
    pd.testing.assert_frame_equal(fast.records, slow.records)
    pd.testing.assert_frame_equal(fast.doses, slow.doses)
    assert len(fast.records) == 500
