"""The workbook readers (xlsx, xlsb, ods, xls), one fallback order per format.

An xlsx is read by fastexcel in one pass per sheet; a sheet whose fastexcel text is ambiguous
(see :data:`vaxutils.io.fastexcel_sheet.AMBIGUOUS`) or that fastexcel cannot read is read by
python-calamine; openpyxl is tried only when calamine cannot open the file at all. Each xlsx sheet
is checked against the caps while it is inflated (:func:`vaxutils.io.sheet_scan.scan_sheet`),
before any parser builds its grid; an ods's repeated rows and columns are checked in
:mod:`vaxutils.io.ods_scan` before calamine expands them.
"""

from __future__ import annotations

from pathlib import Path

import fastexcel
import pandas as pd

from vaxutils.io.errors import IngestError
from vaxutils.io.fastexcel_sheet import sheet_cells
from vaxutils.io.grid import ReadContext, check_row_count, rows_to_grid
from vaxutils.io.limits import limit_error
from vaxutils.io.sheet_scan import scan_sheet


def _choose_sheet(
    path: Path, names: list[str], visible: list[bool], sheet: str | int | None
) -> list[str]:
    """The sheet(s) to try, in order: the one asked for, or every visible sheet."""
    if sheet is None:
        ordered = [n for n, v in zip(names, visible, strict=True) if v] or names
        return ordered
    if isinstance(sheet, int) and not isinstance(sheet, bool) and 0 <= sheet < len(names):
        return [names[sheet]]
    if isinstance(sheet, str) and sheet in names:
        return [sheet]
    listed = ", ".join(f"'{n}'" for n in names)
    raise IngestError(
        "sheet_missing",
        f"không có trang tính '{sheet}'",
        f"there is no sheet '{sheet}'",
        path=path,
        hint_vi=f"Các trang tính có trong tệp: {listed}.",
        hint_en=f"Sheets in the file: {listed}.",
    )


def is_panic(exc: BaseException) -> bool:
    """A Rust panic inside fastexcel/calamine (pyo3's PanicException derives from BaseException)."""
    return type(exc).__name__ == "PanicException"


def _scan(path: Path, kind: str, name: str, ctx: ReadContext) -> None:
    """Check an xlsx sheet against the caps while inflating it, once per read, before parsing it."""
    if kind != "xlsx" or name in ctx.scans:
        return
    scan = ctx.scans[name] = scan_sheet(path, name, ctx.limits)
    # The parser builds a dense grid up to the farthest cell: check its size before it does.
    check_row_count(scan.max_row, path, name, ctx.limits)
    if scan.max_column > ctx.limits.columns:
        raise limit_error(path, name, "columns", scan.max_column, ctx.limits)
    grid = scan.max_row * max(scan.max_column, 26)
    if grid > ctx.limits.cells:
        raise limit_error(path, name, "cells", grid, ctx.limits)
    per_cell = grid // max(scan.present_cells, 1)
    if grid > ctx.limits.sparse_from_cells and per_cell > ctx.limits.sparse:
        raise limit_error(path, name, "sparse", per_cell, ctx.limits)


def _calamine_sheets(
    book, path: Path, kind: str, sheet: str | int | None, ctx: ReadContext
) -> list[str]:
    """The sheet(s) of an open calamine workbook to try (reading the list parses no cells)."""
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    meta = book.sheets_metadata
    names = [m.name for m in meta]
    visible = [
        m.visible == SheetVisibleEnum.Visible and m.typ == SheetTypeEnum.WorkSheet for m in meta
    ]
    if ctx.hidden is None:  # hidden worksheets holding data: said in a warning, never read unasked
        hidden = [
            m.name
            for m in meta
            if m.typ == SheetTypeEnum.WorkSheet and m.visible != SheetVisibleEnum.Visible
        ]
        ctx.hidden = [h for h in hidden if _has_data(book, path, kind, h, ctx)]
    return _choose_sheet(path, names, visible, sheet)


def _has_data(book, path: Path, kind: str, name: str, ctx: ReadContext) -> bool:
    if kind == "xlsx":
        try:
            return scan_sheet(path, name, ctx.limits, values_only=True).has_values
        except IngestError:  # a damaged or huge hidden sheet: not read, not worth a warning
            return False
    try:
        return book.get_sheet_by_name(name).end is not None
    except Exception:  # a hidden sheet that cannot be read is not worth a warning
        return False


def _calamine_grid(book, path: Path, kind: str, name: str, ctx: ReadContext) -> pd.DataFrame:
    _scan(path, kind, name, ctx)
    sheet_data = book.get_sheet_by_name(name)
    end = sheet_data.end
    check_row_count(end[0] + 1 if end else 0, path, name, ctx.limits)  # before making the rows
    if end and end[1] + 1 > ctx.limits.columns:
        raise limit_error(path, name, "columns", end[1] + 1, ctx.limits)
    if kind != "xlsx":  # xlsx merges come from the sheet's XML (scan_sheet), whatever the reader
        ranges = sheet_data.merged_cell_ranges or []
        ctx.merges[name] = [(r1, c1, r2, c2) for (r1, c1), (r2, c2) in ranges]
    return rows_to_grid(sheet_data.to_python(skip_empty_area=False), path, name, ctx)


def _read_calamine(path: Path, kind: str, sheet: str | int | None, ctx: ReadContext):
    from python_calamine import CalamineWorkbook

    with CalamineWorkbook.from_path(str(path)) as book:
        # Load lazily: most exports have their data on the first sheet.
        for name in _calamine_sheets(book, path, kind, sheet, ctx):
            yield name, _calamine_grid(book, path, kind, name, ctx), "calamine"


def _read_fastexcel(path: Path, kind: str, sheet: str | int | None, ctx: ReadContext):
    from python_calamine import CalamineWorkbook

    with CalamineWorkbook.from_path(str(path)) as book:  # sheet list and visibility, as calamine
        names = _calamine_sheets(book, path, kind, sheet, ctx)
    reader = fastexcel.read_excel(str(path))
    for name in names:
        _scan(path, kind, name, ctx)
        try:
            cells, used = sheet_cells(reader, name), "fastexcel"
        except BaseException as exc:  # ambiguous text, a fastexcel failure or panic: calamine
            if not isinstance(exc, Exception) and not is_panic(exc):
                raise
            with CalamineWorkbook.from_path(str(path)) as book:
                cells, used = _calamine_grid(book, path, kind, name, ctx), "calamine"
        check_row_count(len(cells), path, name, ctx.limits)
        yield name, cells, used


def _read_openpyxl(path: Path, kind: str, sheet: str | int | None, ctx: ReadContext):
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        names = book.sheetnames
        visible = [book[n].sheet_state == "visible" for n in names]
        for name in _choose_sheet(path, names, visible, sheet):
            _scan(path, kind, name, ctx)
            ws = book[name]
            check_row_count(ws.max_row or 0, path, name, ctx.limits)
            if (ws.max_column or 0) > ctx.limits.columns:
                raise limit_error(path, name, "columns", ws.max_column, ctx.limits)
            rows = [list(r) for r in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
            yield name, rows_to_grid(rows, path, name, ctx), "openpyxl"
    finally:
        book.close()


def _read_xlrd(path: Path, kind: str, sheet: str | int | None, ctx: ReadContext):
    import xlrd

    book = xlrd.open_workbook(str(path), on_demand=True)
    try:
        names = book.sheet_names()
        visible = [book.sheet_by_index(i).visibility == 0 for i in range(len(names))]
        for name in _choose_sheet(path, names, visible, sheet):
            ws = book.sheet_by_name(name)
            check_row_count(ws.nrows, path, name, ctx.limits)
            if ws.ncols > ctx.limits.columns:
                raise limit_error(path, name, "columns", ws.ncols, ctx.limits)
            rows = []
            for r in range(ws.nrows):
                values, types = ws.row_values(r), ws.row_types(r)
                rows.append(
                    [
                        xlrd.xldate.xldate_as_datetime(v, book.datemode)
                        if t == xlrd.XL_CELL_DATE
                        else bool(v)
                        if t == xlrd.XL_CELL_BOOLEAN
                        else None
                        if t in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR)
                        else v
                        for v, t in zip(values, types, strict=True)
                    ]
                )
            yield name, rows_to_grid(rows, path, name, ctx), "xlrd"
    finally:
        book.release_resources()


# One fallback order per format. An xlsx is read by fastexcel in one pass per sheet; a sheet whose
# fastexcel text is ambiguous (see fastexcel_sheet.AMBIGUOUS) or that fastexcel cannot read is
# read by python-calamine; openpyxl is tried only when calamine cannot open the file at all.
EXCEL_READERS = {
    "xlsx": ("fastexcel", "calamine", "openpyxl"),
    "xlsb": ("calamine",),
    "ods": ("fastexcel", "calamine"),  # Arrow, not a Python object per cell; merges: ods_scan
    "xls": ("calamine", "xlrd"),
}
READER_FUNCS = {
    "fastexcel": _read_fastexcel,
    "calamine": _read_calamine,
    "openpyxl": _read_openpyxl,
    "xlrd": _read_xlrd,
}
