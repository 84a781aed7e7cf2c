"""Write Excel workbooks people work in: village review lists, police lists, platform imports.

What a commune worker needs from the file: Vietnamese reads correctly, IDs and phones stay text
(Excel would drop a leading zero or show ``1.09E+09``, and the column is formatted as Text so
that a corrected number typed in later keeps its zeros too), no cell runs a formula, the header is
bold and stays visible while scrolling, and columns are wide enough to read.

Cells that look like formulas are written as explicit text with Excel's "quote prefix" (the
apostrophe a person would type), so the value reads back unchanged and is never evaluated.

>>> import tempfile, pathlib
>>> frame = pd.DataFrame({"id_number": ["001090012345"], "phone": [912345678], "ghi chú": ["=1+1"]})
>>> path = write_xlsx(pathlib.Path(tempfile.mkdtemp()) / "ds.xlsx", {"Thôn 1": frame},
...                   title_rows={"Thôn 1": ["DANH SÁCH RÀ SOÁT"]})
>>> import openpyxl
>>> ws = openpyxl.load_workbook(path)["Thôn 1"]
>>> [c.value for c in ws[2]], [c.value for c in ws[3]], ws["C3"].data_type, ws.freeze_panes
(['id_number', 'phone', 'ghi chú'], ['001090012345', '912345678', '=1+1'], 's', 'A3')
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from vaxutils.io.cells import cells_to_text
from vaxutils.io.errors import WriteError
from vaxutils.io.files import write_atomic
from vaxutils.io.headers import normalize_header
from vaxutils.io.readers import EXCEL_MAX_ROWS
from vaxutils.io.writers import formula_like

EXCEL_MAX_CELL_CHARS = 32_767
# Column names (folded) that hold identifiers: written as text, column formatted as Text.
_TEXT_NAME = re.compile(
    r"(^|\s)(id|ids|cccd|cmnd|phone|sdt|dien thoai|insurance|bhyt|bhxh|code|ma|so dinh danh|"
    r"so giay to|record|suggestion|value|goi y)(\s|$)|_(id|number|no|code|phone)$|^id_|^phone"
)
_ILLEGAL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f]"
)  # XML 1.0 forbids these; openpyxl refuses them
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", start_color="DDEBF7")
_FILL_IN_HEADER = PatternFill("solid", start_color="FFF2CC")  # the columns a person fills in
_FILL_IN_CELL = PatternFill("solid", start_color="FFF2CC")
_WRAP = Alignment(wrap_text=True, vertical="top")
_LINE_HEIGHT = 15.0  # points per line of 11-point text
_MAX_LINES = 12
_TITLE_FONT = Font(bold=True, size=13)
_DATE_FORMAT = "dd/mm/yyyy"


def is_text_column(name: object) -> bool:
    """Whether a column, by its name, holds identifiers that must stay text.

    >>> [is_text_column(n) for n in ["id_number", "Số CMND/CCCD", "phone", "SĐT", "n_errors", "Họ và tên"]]
    [True, True, True, True, False, False]
    """
    if not isinstance(name, str):
        return False
    folded = normalize_header(name)
    return bool(_TEXT_NAME.search(folded) or _TEXT_NAME.search(name.lower()))


def _sheet_names(names: Iterable[str]) -> list[str]:
    """Excel sheet names: at most 31 characters, none of ``[]:*?/\\``, unique ignoring case."""
    result: list[str] = []
    for name in names:
        base = re.sub(r"[\[\]:*?/\\]", "-", str(name)).strip("'").strip() or "Sheet"
        candidate, n = base[:31], 2
        while candidate.lower() in (r.lower() for r in result):
            suffix = f" ({n})"
            candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
        result.append(candidate)
    return result


def _text_cells(ws, values: pd.Series, as_text_format: bool) -> list:
    text = values.astype("string").str.replace(_ILLEGAL, "", regex=True)
    text = text.where(
        text.str.len() <= EXCEL_MAX_CELL_CHARS, text.str.slice(0, EXCEL_MAX_CELL_CHARS)
    )
    risky = formula_like(text).to_numpy()
    cells = text.astype(object).where(text.notna(), None).tolist()
    for i in range(len(cells)) if as_text_format else risky.nonzero()[0]:
        cell = WriteOnlyCell(ws, value=cells[i])
        if cells[i] is not None:  # a blank cell still gets the Text format: typed IDs keep zeros
            cell.data_type = "s"  # never 'f', whatever the text starts with
        if risky[i]:
            cell.quotePrefix = True
        if as_text_format:
            cell.number_format = "@"
        cells[i] = cell
    return cells


def _column_cells(ws, column: pd.Series, as_text: bool) -> list:
    if as_text and not pd.api.types.is_string_dtype(column.dtype):
        column = cells_to_text(column)  # 912345678.0 -> "912345678", not a number cell
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        values = column.dt.tz_localize(None) if column.dt.tz is not None else column
        cells = []
        for stamp in values.astype(object).where(values.notna(), None).tolist():
            cell = WriteOnlyCell(ws, value=stamp.to_pydatetime() if stamp is not None else None)
            cell.number_format = _DATE_FORMAT
            cells.append(cell)
        return cells
    if pd.api.types.is_bool_dtype(column.dtype) or pd.api.types.is_numeric_dtype(column.dtype):
        return column.astype(object).where(column.notna(), None).tolist()
    if column.dtype == object:
        column = cells_to_text(column)
    return _text_cells(ws, column, as_text)


def _width(header: str, column: pd.Series) -> float:
    sample = column.iloc[:1000].astype("string").str.len()
    longest = max(len(header), int(sample.max()) if sample.notna().any() else 0)
    return float(min(max(longest, 6), 50) + 2)


def _choice_list(ws, column: int, first: int, last: int, values: list[str]) -> None:
    """A dropdown of ``values`` on the column's data cells; anything else is refused by Excel."""
    from openpyxl.worksheet.datavalidation import DataValidation

    listed = ",".join(v.replace('"', "'") for v in values)
    letter = get_column_letter(column)
    rule = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True)
    rule.error = "Chọn một giá trị trong danh sách. — Choose a value from the list."
    rule.errorTitle, rule.showErrorMessage = "Giá trị không hợp lệ", True
    rule.add(f"{letter}{first}:{letter}{max(last, first)}")
    ws.data_validations.append(rule)


def _label_cell(ws, text: object) -> WriteOnlyCell:
    """A title or header cell: text (a commune or village name typed as ``=...`` included)."""
    value = _ILLEGAL.sub("", str(text))[:EXCEL_MAX_CELL_CHARS]
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    cell.quotePrefix = bool(formula_like(pd.Series([value], dtype=object)).iloc[0])
    return cell


def _printable(ws, header_row: int) -> None:
    """Print on landscape pages as wide as the sheet, the header repeated on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"


def _row_heights(ws, frame: pd.DataFrame, widths: list[float], header_row: int) -> None:
    """Rows tall enough for their wrapped text: per cell, its lines (breaks, and characters over
    the column width), the tallest cell of the row decides. Only rows that need more than one."""
    if frame.empty or not len(frame.columns):
        return
    lines = pd.Series(1, index=range(len(frame)))
    for i in range(len(frame.columns)):
        text = frame.iloc[:, i].astype("string").fillna("").reset_index(drop=True)
        if not len(text) or text.str.len().max() <= widths[i] - 2:
            continue
        per_line = max(widths[i] - 2, 1)
        parts = text.str.split("\n")
        need = parts.explode().str.len().floordiv(per_line).add(1).groupby(level=0).sum()
        lines = lines.combine(need.reindex(lines.index).fillna(1).astype(int), max)
    for r in (lines.index[lines > 1]).tolist():
        height = min(int(lines[r]), _MAX_LINES) * _LINE_HEIGHT
        ws.row_dimensions[header_row + 1 + r].height = height


def _write_sheet(
    ws,
    frame: pd.DataFrame,
    titles: list[str],
    text_columns: set[str] | None,
    choices: dict[str, list[str]],
    fill_in: set[str],
) -> None:
    header_row = len(titles) + 1
    names = [str(c) for c in frame.columns]
    widths = [_width(name, frame.iloc[:, i]) for i, name in enumerate(names)]
    for i, width in enumerate(widths):
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    _printable(ws, header_row)
    _row_heights(ws, frame, widths, header_row)
    ws.freeze_panes = f"A{header_row + 1}"
    if names:
        last = get_column_letter(len(names))
        ws.auto_filter.ref = f"A{header_row}:{last}{header_row + max(len(frame), 1)}"
    for title in titles:
        cell = _label_cell(ws, title)
        cell.font = _TITLE_FONT
        ws.append([cell])
    header = []
    for name in names:
        cell = _label_cell(ws, name)
        cell.font = _HEADER_FONT
        cell.fill = _FILL_IN_HEADER if name in fill_in else _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        header.append(cell)
    ws.append(header)
    columns = [
        _column_cells(
            ws,
            frame.iloc[:, i],
            name in text_columns if text_columns is not None else is_text_column(name),
        )
        for i, name in enumerate(names)
    ]
    for i, name in enumerate(names):
        # the columns a person fills in are yellow on every row, not only in the header; long
        # text wraps inside its column (the row heights were set to fit)
        for cell in columns[i]:
            if isinstance(cell, Cell):
                cell.alignment = _WRAP
                if name in fill_in:
                    cell.fill = _FILL_IN_CELL
    for row in zip(*columns, strict=True):
        ws.append(row)
    for i, name in enumerate(names):
        if name in choices:
            _choice_list(ws, i + 1, header_row + 1, header_row + len(frame), choices[name])


def write_xlsx(
    path: str | os.PathLike,
    sheets: dict[str, pd.DataFrame],
    title_rows: dict[str, list[str]] | None = None,
    *,
    text_columns: Iterable[str] | None = None,
    choices: dict[str, list[str]] | None = None,
    fill_in: Iterable[str] = (),
) -> Path:
    """Write one sheet per ``{name: frame}`` (in order), atomically.

    ``title_rows`` puts lines (e.g. "DANH SÁCH ĐỐI TƯỢNG CẦN RÀ SOÁT — Thôn 1") above a sheet's
    header. ``text_columns`` names the columns written as text; by default those whose name says
    they hold an ID, phone, code or suggestion. ``choices`` gives a column (by name, on every
    sheet) a dropdown of allowed values; ``fill_in`` names the columns a person is to fill in
    (their header is highlighted). Raises :class:`WriteError` when a sheet has more rows than
    Excel can open.
    """
    title_rows = title_rows or {}
    wanted = set(map(str, text_columns)) if text_columns is not None else None
    for name, frame in sheets.items():
        rows = len(frame) + 1 + len(title_rows.get(name, []))
        if rows > EXCEL_MAX_ROWS:
            raise WriteError(
                f"Trang tính '{name}' có {rows:,} dòng, vượt giới hạn {EXCEL_MAX_ROWS:,} dòng của Excel: "
                f"hãy tách theo thôn hoặc xuất CSV. — Sheet '{name}' has {rows:,} rows, more than "
                "Excel can open: split it (e.g. by village) or write CSV."
            )

    def write(tmp: Path) -> None:
        book = Workbook(write_only=True)
        for safe, (name, frame) in zip(_sheet_names(sheets), sheets.items(), strict=True):
            _write_sheet(
                book.create_sheet(safe),
                frame,
                list(title_rows.get(name, [])),
                wanted,
                dict(choices or {}),
                set(fill_in),
            )
        if not sheets:
            book.create_sheet("Sheet")
        book.save(tmp)

    return write_atomic(path, write)
