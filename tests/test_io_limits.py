"""Readers stay within their caps: checked before and while inflating, one clear message past one;
Rust panics are reader errors; merged ranges are filled down; many files are read at once."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaxutils.io import IngestError, ReadLimits, file_sha256, read_export, read_many
from vaxutils.io import readers as readers_module
from vaxutils.io import workbooks as workbooks_module
from vaxutils.io.grid import ReadContext
from vaxutils.io.notes import fill_merged
from vaxutils.io.ods_scan import scan_ods
from vaxutils.io.readers import iter_grids

_spec = importlib.util.spec_from_file_location(
    "malformed_corpus", Path(__file__).parent / "adversarial" / "malformed_corpus.py"
)
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)
MB = 2**20


def read_error(path: Path, **kwargs) -> IngestError:
    before = file_sha256(path)
    with pytest.raises(IngestError) as caught:
        read_export(path, **kwargs)
    assert file_sha256(path) == before
    text = str(caught.value)
    assert path.name in text and " — " in text and "Traceback" not in text
    return caught.value


def test_limits_from_environment():
    limits = ReadLimits.from_env({"VAXUTILS_MAX_SHEET_MB": "2048", "VAXUTILS_MAX_ROWS": "oops"})
    assert limits.sheet_bytes == 2048 * MB
    assert limits.rows == ReadLimits().rows  # a typo keeps the default


def test_giant_shared_string_stops_before_the_parser(tmp_path):
    path = corpus.raw_xlsx(
        tmp_path / "chuoi.xlsx",
        [corpus.sheet_xml([corpus.HEADER], extra='<row r="2"><c r="B2" t="s"><v>0</v></c></row>')],
        shared_strings=corpus._giant_shared_string(6 * MB),
    )
    assert path.stat().st_size < 100_000
    err = read_error(path, limits=ReadLimits(strings_bytes=2 * MB))
    assert err.code == "limit_strings_bytes"
    assert "VAXUTILS_MAX_STRINGS_MB" in str(err) and "vượt giới hạn 2 MB" in str(err)


def test_sheet_size_is_checked_while_inflating_even_when_the_zip_lies(tmp_path):
    honest = corpus.raw_xlsx(tmp_path / "that.xlsx", corpus._bomb_sheet(b" ", 6 * MB))
    err = read_error(honest, limits=ReadLimits(sheet_bytes=2 * MB))
    assert err.code == "limit_sheet_bytes" and err.sheet == "Danh sách"  # from the zip directory
    liar = corpus.raw_xlsx(
        tmp_path / "doi.xlsx",
        corpus._bomb_sheet(b" ", 6 * MB),
        lie_about="xl/worksheets/sheet1.xml",
    )
    assert read_error(liar, limits=ReadLimits(sheet_bytes=2 * MB)).code == "corrupt_file"


def test_compression_ratio(tmp_path):
    path = corpus.raw_xlsx(tmp_path / "nen.xlsx", corpus._bomb_sheet(b" ", 4 * MB))
    err = read_error(path, limits=ReadLimits(ratio=50, ratio_from_bytes=MB))
    assert err.code == "limit_ratio" and "VAXUTILS_MAX_RATIO" in str(err)


@pytest.mark.parametrize(
    "far, limits, code",
    [
        ("A5000", ReadLimits(rows=1000), "limit_rows"),
        ("AAA2", ReadLimits(columns=500), "limit_columns"),
        ("ZZ3000", ReadLimits(cells=100_000), "limit_cells"),
        ("I1048576", ReadLimits(), "limit_sparse"),  # 1 kB of XML, a 27 M-cell grid
        ("Z60000", ReadLimits(sparse_from_cells=1_000_000), "limit_sparse"),
    ],
)
def test_grid_size_is_known_before_parsing(tmp_path, far, limits, code):
    """Two cells far apart make a huge dense grid: refused from the XML, before any parser."""
    row = int("".join(c for c in far if c.isdigit()))
    extra = f'<row r="{row}"><c r="{far}"><v>1</v></c></row>'
    path = corpus.raw_xlsx(tmp_path / "xa.xlsx", [corpus.sheet_xml(corpus._text_rows(3), extra)])
    calls = []
    original = workbooks_module.sheet_cells
    workbooks_module.sheet_cells = lambda *a: calls.append(a) or original(*a)
    try:
        assert read_error(path, limits=limits).code == code
    finally:
        workbooks_module.sheet_cells = original
    assert not calls  # the parser never saw it


def test_a_sparse_cap_leaves_real_sheets_alone(tmp_path):
    """A sheet holding one column out of 26 on 50,000 rows (26× its cells) reads at the defaults;
    the same grid with a value far below it is refused, and the variable raises the cap."""
    rows = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>x{r}</t></is></c></row>'
        for r in range(5, 50_005)
    )
    path = corpus.raw_xlsx(tmp_path / "thua.xlsx", [corpus.sheet_xml(corpus._text_rows(3), rows)])
    workbooks_module._scan(path, "xlsx", "Danh sách", ReadContext(ReadLimits()))
    far = '<row r="900000"><c r="Z900000"><v>1</v></c></row>'
    sparse = corpus.raw_xlsx(
        tmp_path / "xa.xlsx", [corpus.sheet_xml(corpus._text_rows(3), rows + far)]
    )
    err = read_error(sparse)
    assert err.code == "limit_sparse" and "VAXUTILS_MAX_SPARSE" in str(err)
    raised = ReadLimits.from_env({"VAXUTILS_MAX_SPARSE": "1000"})
    workbooks_module._scan(sparse, "xlsx", "Danh sách", ReadContext(raised))


def test_csv_limits(tmp_path):
    wide = tmp_path / "rong.csv"
    wide.write_bytes(b"," * 30_000 + b"\n")
    assert read_error(wide).code == "limit_columns"
    long_cell = tmp_path / "dai.csv"
    long_cell.write_bytes(b"Ho ten,Ghi chu\nAn," + b"x" * 300_000 + b"\n")
    err = read_error(long_cell, limits=ReadLimits(cell_chars=100_000))
    assert err.code == "limit_cell_chars" and "300,000" in str(err)
    big = tmp_path / "lon.csv"
    big.write_bytes(b"a,b\n" * (MB // 2))
    assert read_error(big, limits=ReadLimits(text_bytes=MB)).code == "limit_text_bytes"


class PanicException(BaseException):
    """Stands for pyo3_runtime.PanicException (a BaseException, like the real one)."""


def _book(path: Path) -> Path:
    book = openpyxl.Workbook()
    for row in [["Họ và tên", "Ngày sinh", "Số CCCD"], ["An", "02/01/1990", "001090000001"]]:
        book.active.append(row)
    book.save(path)
    return path


def test_a_rust_panic_is_a_reader_error(tmp_path, monkeypatch):
    path = _book(tmp_path / "ds.xlsx")

    def panic(*args, **kwargs):
        raise PanicException("called `Option::unwrap()` on a `None` value")

    monkeypatch.setattr(workbooks_module, "sheet_cells", panic)
    grid = next(iter_grids(path))
    assert grid.reader == "calamine"  # fastexcel panicked on the sheet: calamine read it
    monkeypatch.setattr(
        readers_module, "READER_FUNCS", dict.fromkeys(readers_module.READER_FUNCS, panic)
    )
    assert read_error(path).code == "corrupt_file"  # every reader panicked: one message

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(
        readers_module, "READER_FUNCS", dict.fromkeys(readers_module.READER_FUNCS, interrupted)
    )
    with pytest.raises(KeyboardInterrupt):  # a person's Ctrl-C is not a damaged file
        read_export(path)


@settings(max_examples=40, deadline=None)
@given(
    lengths=st.lists(st.integers(1, 6), min_size=1, max_size=6),
    blanks=st.lists(st.booleans(), min_size=40, max_size=40),
)
def test_fill_merged_writes_each_range_value_on_its_rows(lengths, blanks):
    rows, merges, start = 40, [], 2
    cells = pd.DataFrame(
        {
            0: pd.array([None] * rows, dtype="string"),
            1: pd.array([f"p{i}" for i in range(rows)], dtype="string"),
        }
    )
    for n, length in enumerate(lengths):
        if start + length >= rows:
            break
        cells.iloc[start, 0] = f"Thôn {n}"
        merges.append((start, 0, start + length, 0))
        start += length + 1
    body = cells.iloc[1:][~pd.Series(blanks[1:], index=range(1, rows))]  # rows a reader kept
    filled_body, filled = fill_merged(body, cells, merges, first_body_row=1)
    for r1, _, r2, _ in merges:
        kept = [r for r in body.index if r1 <= r <= r2]
        assert (filled_body.loc[kept, 0] == cells.iloc[r1, 0]).all()
    covered = {r for r1, _, r2, _ in merges for r in range(r1 + 1, r2 + 1)} & set(body.index)
    assert set(filled["row"]) == covered
    outside = [r for r in body.index if r not in covered]
    pd.testing.assert_series_equal(filled_body.loc[outside, 0], body.loc[outside, 0])
    assert cells.iloc[:, 0].isna().sum() == rows - len(merges)  # the input is untouched


def test_merged_header_is_left_alone(tmp_path):
    path = tmp_path / "gop.xlsx"
    corpus.write_book(
        path,
        {
            "Danh sách": [
                ["DANH SÁCH", None, None],
                ["Họ và tên", "Ngày sinh", "Số CCCD"],
                ["An", "1990", "001090000001"],
                ["Bình", None, "001090000002"],
            ]
        },
        lambda b: (b["Danh sách"].merge_cells("A1:C1"), b["Danh sách"].merge_cells("B3:B4")),
    )
    export = read_export(path)
    assert export.records["dob"].tolist() == ["1990", "1990"]
    assert export.filled[["source_row", "field", "value"]].values.tolist() == [[4, "dob", "1990"]]


def test_read_many_on_every_core_keeps_order_and_errors(tmp_path):
    paths = []
    for i in range(3):
        path = tmp_path / f"export_0142{i}.csv"
        path.write_text(
            f"Họ và tên,Ngày sinh,Số CCCD\nNgười {i},1990,00109000000{i}\n", encoding="utf-8"
        )
        paths.append(path)
    broken = tmp_path / "export_01429.xlsx"
    broken.write_bytes(b"PK\x03\x04" + bytes(100))  # cut short
    results = read_many([paths[0], broken, *paths[1:]], workers=2)
    assert [r.path for r in results] == [paths[0], broken, *paths[1:]]
    assert [r.export.records["full_name"].tolist() for r in results if r.export] == [
        ["Người 0"],
        ["Người 1"],
        ["Người 2"],
    ]
    assert results[1].error.code == "truncated_file" and "cắt cụt" in str(results[1].error)
    assert np.all([r.error is None for i, r in enumerate(results) if i != 1])


def test_formulas_without_values_are_told_from_calculated_empty_strings(tmp_path):
    from vaxutils.io.sheet_scan import scan_sheet

    cells = (
        '<row r="2"><c r="B2" t="str"><f>IF(A2="","",1)</f><v></v></c>'  # Excel: result ""
        '<c r="C2"><f>A1</f><v/></c><c r="D2"><f t="shared" si="0"/></c>'  # never calculated
        '<c r="E2"><f>1+1</f><v>2</v></c></row>'
    )
    path = corpus.raw_xlsx(tmp_path / "ct.xlsx", [corpus.sheet_xml([corpus.HEADER], extra=cells)])
    scan = scan_sheet(path, "Danh sách", ReadLimits())
    assert scan.uncached_formulas == {2: 1, 3: 1} and scan.max_row == 2


@settings(max_examples=15, deadline=None)
@given(
    ranges=st.lists(
        st.tuples(st.integers(0, 40), st.integers(0, 30), st.integers(0, 5), st.integers(0, 2)),
        max_size=12,
    )
)
def test_scan_finds_the_merged_ranges_calamine_finds(tmp_path_factory, ranges):
    """The sheet scanner's merges (read from the XML while inflating) are python-calamine's."""
    from python_calamine import CalamineWorkbook

    from vaxutils.io.sheet_scan import scan_sheet

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Danh sách"
    taken: set[tuple[int, int]] = set()
    for row, column, height, width in ranges:
        cells = {
            (r, c) for r in range(row, row + height + 1) for c in range(column, column + width + 1)
        }
        if cells & taken or (height == 0 and width == 0):
            continue  # Excel refuses overlapping merges; a one-cell merge is no merge
        taken |= cells
        ws.cell(row + 1, column + 1, f"v{row}-{column}")
        ws.merge_cells(start_row=row + 1, start_column=column + 1, end_row=row + height + 1,
                       end_column=column + width + 1)  # fmt: skip
    path = tmp_path_factory.mktemp("merges") / "gop.xlsx"
    book.save(path)
    scan = scan_sheet(path, "Danh sách", ReadLimits())
    with CalamineWorkbook.from_path(str(path)) as calamine:
        expected = calamine.get_sheet_by_name("Danh sách").merged_cell_ranges or []
    assert sorted(scan.merges) == sorted((r1, c1, r2, c2) for (r1, c1), (r2, c2) in expected)


def test_a_wide_sheet_reads_as_calamine_reads_it(tmp_path):
    """Past 64 columns fastexcel's text is rendered in one go: the same grid as calamine's."""
    import datetime

    rows = [[f"Cột {i}" for i in range(120)], [None, *range(119)],
            [datetime.date(1990, 1, 2), "  ", 1.5, *[f"x{i}" for i in range(117)]]]  # fmt: skip
    path = tmp_path / "rong.xlsx"
    corpus.write_book(path, {"Danh sách": rows})
    fast, slow = (
        next(iter_grids(path, engine="fastexcel")),
        next(iter_grids(path, engine="calamine")),
    )
    assert fast.reader == "fastexcel" and fast.cells.shape == (3, 120)
    pd.testing.assert_frame_equal(fast.cells, slow.cells)
    assert fast.cells.iloc[2, :3].tolist() == ["1990-01-02", pd.NA, "1.5"]


def test_a_sparse_ods_is_refused_before_parsing(tmp_path):
    """The ods twin of the stray far cell: a few bytes span a 23 M-cell grid; repeated values
    (a filled row repeated 300,000 times) count as the cells they are and read on."""
    head = corpus.ods_row(["Họ và tên", "Ngày sinh", "Giới tính"])
    stray = corpus.ods_row([None], repeat_row=900_000) + corpus.ods_row(["x"])
    err = read_error(corpus.raw_ods(tmp_path / "xa.ods", head + stray))
    assert err.code == "limit_sparse"
    dense = corpus.ods_row(["An", "01/01/1990", "Nam"], repeat_row=300_000)
    assert corpus.raw_ods(tmp_path / "day.ods", head + dense)
    scan_ods(tmp_path / "day.ods", ReadLimits())  # no limit reached
