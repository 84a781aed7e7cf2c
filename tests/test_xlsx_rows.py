"""write_xlsx makes its data rows as XML (vaxutils.io.xlsx._rows_xml) rather than one openpyxl
cell object per value: the cells must read back exactly as those openpyxl wrote — value, type,
number format, quote prefix, wrapping, fill-in colour — and the row heights the same (one
deliberate difference: a text such as ``#N/A`` stays text, where openpyxl made it an error cell).

The reference below is the cell-by-cell writer write_xlsx used before (openpyxl write-only cells,
styled the same way), kept here only to compare against.
"""

from __future__ import annotations

import datetime

import numpy as np
import openpyxl
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell

from vaxutils.io import formula_like, write_xlsx
from vaxutils.io import xlsx as X
from vaxutils.io.cells import cells_to_text


def _reference_text_cells(ws, values, as_text_format):
    text = values.astype("string").str.replace(X._ILLEGAL, "", regex=True)
    text = text.where(
        text.str.len() <= X.EXCEL_MAX_CELL_CHARS, text.str.slice(0, X.EXCEL_MAX_CELL_CHARS)
    )
    risky = formula_like(text).to_numpy()
    cells = text.astype(object).where(text.notna(), None).tolist()
    for i in range(len(cells)) if as_text_format else risky.nonzero()[0]:
        cell = WriteOnlyCell(ws, value=cells[i])
        if cells[i] is not None:
            cell.data_type = "s"
        if risky[i]:
            cell.quotePrefix = True
        if as_text_format:
            cell.number_format = "@"
        cells[i] = cell
    return cells


def _reference_column(ws, column, as_text):
    if as_text and not pd.api.types.is_string_dtype(column.dtype):
        column = cells_to_text(column)
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        values = column.dt.tz_localize(None) if column.dt.tz is not None else column
        cells = []
        for stamp in values.astype(object).where(values.notna(), None).tolist():
            cell = WriteOnlyCell(ws, value=stamp.to_pydatetime() if stamp is not None else None)
            cell.number_format = X._DATE_FORMAT
            cells.append(cell)
        return cells
    if pd.api.types.is_bool_dtype(column.dtype) or pd.api.types.is_numeric_dtype(column.dtype):
        return column.astype(object).where(column.notna(), None).tolist()
    if column.dtype == object:
        column = cells_to_text(column)
    return _reference_text_cells(ws, column, as_text)


def _reference_book(path, frame, text_columns, fill_in):
    """The data rows written cell by cell (row 1 a plain header) with the row heights."""
    book = Workbook(write_only=True)
    ws = book.create_sheet("S")
    names = [str(c) for c in frame.columns]
    widths = [X._width(n, frame.iloc[:, i]) for i, n in enumerate(names)]
    for r, height in X._row_heights(frame, widths).items():
        ws.row_dimensions[2 + r].height = height
    ws.append(names)
    columns = [
        _reference_column(ws, frame.iloc[:, i], n in text_columns) for i, n in enumerate(names)
    ]
    for i, name in enumerate(names):
        for cell in columns[i]:
            if isinstance(cell, Cell):
                cell.alignment = X._WRAP
                if name in fill_in:
                    cell.fill = X._FILL_IN_CELL
    for row in zip(*columns, strict=True):
        ws.append(row)
    book.save(path)


def _cells(path, sheet):
    ws = openpyxl.load_workbook(path)[sheet]
    seen = {}
    for row in ws.iter_rows(min_row=2):
        for c in row:
            if c.value is None and not c.has_style:
                continue
            seen[c.coordinate] = (
                c.value,
                c.data_type,
                c.number_format,
                c.quotePrefix,
                c.alignment.wrap_text,
                c.fill.fgColor.rgb if c.fill.fill_type else None,
            )
    heights = {r: d.height for r, d in ws.row_dimensions.items() if d.height and r >= 2}
    return seen, heights


TEXTS = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "",
            " ",
            "  x ",
            "=1+1",
            "+84912",
            "-2",
            "@SUM(A1)",
            "a & b < c > d",
            "#N/A",
            "0012",
            "Nguyễn Thị Ánh",
            "dòng 1\ndòng 2",
            "x\x01y",
            "\t=cmd",
            "a" * 90,
        ]
    ),
    st.text(max_size=12),
)
FLOATS = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**9), 10**9).map(float),
)
DAYS = st.one_of(
    st.none(),
    st.datetimes(datetime.datetime(1899, 1, 1), datetime.datetime(2100, 1, 1)),
)


@settings(max_examples=15, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda n: st.tuples(
            st.lists(TEXTS, min_size=n, max_size=n),
            st.lists(TEXTS, min_size=n, max_size=n),
            st.lists(FLOATS, min_size=n, max_size=n),
            st.lists(st.one_of(st.none(), st.booleans()), min_size=n, max_size=n),
            st.lists(DAYS, min_size=n, max_size=n),
            st.lists(st.one_of(st.none(), st.integers(-(2**40), 2**40)), min_size=n, max_size=n),
        )
    )
)
def test_rows_read_back_as_the_cell_by_cell_writer_wrote_them(tmp_path_factory, columns):
    words, ids, floats, flags, days, counts = columns
    frame = pd.DataFrame(
        {
            "ghi chú": pd.Series(words, dtype=object),
            "id_number": pd.Series(ids, dtype="string"),
            "tỷ lệ": pd.Series(floats, dtype=float),
            "đúng": pd.Series(flags, dtype="boolean"),
            "ngày": pd.to_datetime(pd.Series(days, dtype=object)),
            "số": pd.Series(counts, dtype="Int64"),
            "nhóm": pd.Series(words, dtype=object).astype("category"),
            "quyết định": pd.Series(words, dtype="string"),
        }
    )
    text, fill = {"id_number", "quyết định"}, {"quyết định", "ghi chú"}
    folder = tmp_path_factory.mktemp("rows")
    expected = folder / "reference.xlsx"
    _reference_book(expected, frame, text, fill)
    written = write_xlsx(folder / "fast.xlsx", {"S": frame}, text_columns=text, fill_in=fill)
    want, want_heights = _cells(expected, "S")
    got, got_heights = _cells(written, "S")
    # the fast book's header row is styled (bold, filled): compare the data rows only
    got = {k: v for k, v in got.items() if int("".join(filter(str.isdigit, k))) >= 2}
    # one deliberate difference: openpyxl typed a text such as "#N/A" as an Excel error cell;
    # the rows now keep every text a text
    want = {k: (v[0], "s", *v[2:]) if v[1] == "e" else v for k, v in want.items()}
    assert got == want
    assert got_heights == want_heights


def test_timezones_wide_sheets_and_many_sheets_keep_their_rows(tmp_path):
    """A tz-aware column is written in local wall time (as before); each of several sheets gets
    its own rows; a frame of zero rows still has its header."""
    stamps = pd.Series(pd.to_datetime(["2022-05-15 08:30", None]).tz_localize("Asia/Ho_Chi_Minh"))
    sheets = {
        "A": pd.DataFrame({"ngày": stamps, "x": [1, 2]}),
        "B": pd.DataFrame({f"c{i}": [f"v{i}"] for i in range(40)}),
        "C": pd.DataFrame({"trống": pd.Series([], dtype="string")}),
        # same columns: made in one pass, then split back by sheet
        "D1": pd.DataFrame({"id_number": ["01", "02", "03"], "n": [1, 2, 3]}),
        "D2": pd.DataFrame({"id_number": ["x\ny\nz" * 30], "n": [4]}),
        "D3": pd.DataFrame(
            {"id_number": pd.Series([], dtype=object), "n": pd.Series([], dtype=int)}
        ),
        "D4": pd.DataFrame({"id_number": ["05", "=1"], "n": [5, 6]}),
    }
    book = openpyxl.load_workbook(write_xlsx(tmp_path / "w.xlsx", sheets))
    a = book["A"]
    assert a["A2"].value == datetime.datetime(2022, 5, 15, 8, 30) and a["A3"].value is None
    assert [c.value for c in book["B"][2]] == [f"v{i}" for i in range(40)]
    assert book["B"]["AN2"].value == "v39"
    assert [c.value for c in book["C"][1]] == ["trống"] and book["C"].max_row == 1
    assert pd.read_excel(tmp_path / "w.xlsx", sheet_name="B").shape == (1, 40)
    assert np.isclose(pd.read_excel(tmp_path / "w.xlsx", sheet_name="A")["x"].sum(), 3)
    rows = {
        n: [[c.value for c in r] for r in book[n].iter_rows(min_row=2)]
        for n in sheets
        if n[0] == "D"
    }
    assert rows == {
        "D1": [["01", 1], ["02", 2], ["03", 3]],
        "D2": [["x\ny\nz" * 30, 4]],
        "D3": [],
        "D4": [["05", 5], ["=1", 6]],
    }
    assert book["D4"]["A3"].quotePrefix and book["D4"]["A3"].data_type == "s"
    assert book["D2"].row_dimensions[2].height > 15 and not book["D1"].row_dimensions[2].height


def test_lone_surrogates_anywhere_become_a_question_mark_not_a_traceback(tmp_path):
    # a broken file's text can carry lone surrogates (UTF-16 halves): UTF-8 cannot hold them, so
    # before the fix openpyxl or Arrow raised on a cell, a header, a title or a sheet name
    frame = pd.DataFrame(
        {"name": ["a\ud800b", "=1+1", None], "id_number": ["\udc00", "001", "x"], "n": [1, 2, 3]},
        dtype=object,
    ).set_axis(pd.Index(["Họ tên\ud83d", "id_number", "n"], dtype=object), axis=1)
    path = write_xlsx(
        tmp_path / "x.xlsx", {"Thôn\udc00": frame}, title_rows={"Thôn\udc00": ["t\ud800"]}
    )
    book = openpyxl.load_workbook(path)
    ws = book.worksheets[0]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][0] == "t?" and rows[1] == ["Họ tên?", "id_number", "n"]
    assert rows[2][:2] == ["a?b", "?"] and rows[3][0] == "=1+1" and ws["A4"].data_type == "s"
    assert "\ud800" not in book.sheetnames[0] and book.sheetnames[0].startswith("Thôn")
