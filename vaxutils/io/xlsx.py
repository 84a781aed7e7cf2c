"""Write Excel workbooks people work in: village review lists, police lists, platform imports.

What a commune worker needs from the file: Vietnamese reads correctly, IDs and phones stay text
(Excel would drop a leading zero or show ``1.09E+09``, and the column is formatted as Text so
that a corrected number typed in later keeps its zeros too), no cell runs a formula, the header is
bold and stays visible while scrolling, and columns are wide enough to read.

Cells that look like formulas are written as explicit text with Excel's "quote prefix" (the
apostrophe a person would type), so the value reads back unchanged and is never evaluated.

openpyxl writes the workbook (styles, titles, header, widths, print setup, dropdowns), but not the
data rows: a cell object per value cost a commune's passport list (20,000 doses) most of its 10 s.
The rows are made a column at a time as the XML openpyxl would write for the same cells
(:func:`_rows_xml`: inline strings, the same style records, ``%.16g`` numbers, Excel serial
dates) and put into each sheet's ``<sheetData>`` after openpyxl saved the book.

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

import functools
import io
import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
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


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _encodable(value):
    """Text that UTF-8 can hold: a lone surrogate (from a broken file or a careless caller)
    becomes ``?``, as in :func:`vaxutils.io.writers.write_csv`."""
    return _SURROGATE.sub("?", value) if isinstance(value, str) else value


def _encodable_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with lone surrogates replaced in its text cells and names, each distinct value
    tested once (object columns only: Arrow strings cannot hold them)."""
    columns = [_encodable(c) for c in frame.columns]
    fixed = {}
    for position, dtype in enumerate(frame.dtypes):
        if not pd.api.types.is_object_dtype(dtype):
            continue
        values = frame.iloc[:, position]
        codes, uniques = pd.factorize(values)
        bad = np.fromiter((_encodable(u) is not u for u in uniques), bool, len(uniques))
        if bad.any():
            clean = np.array([_encodable(u) for u in uniques], dtype=object)
            fixed[position] = pd.Series(
                np.where(codes >= 0, clean[np.maximum(codes, 0)], values.to_numpy(object)),
                index=frame.index,
                dtype=object,
            )
    if not fixed and columns == list(frame.columns):
        return frame
    out = frame.copy()
    for position, values in fixed.items():
        out.isetitem(position, values)
    out.columns = columns
    return out


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


def _escaped(text: pd.Series) -> pd.Series:
    """XML character data (``&``, ``<``, ``>`` escaped), as ElementTree writes a cell's text."""
    return text.str.replace("&", "&amp;").str.replace("<", "&lt;").str.replace(">", "&gt;")


def _inline(text: pd.Series) -> pd.Series:
    """``<is><t>…</t></is>`` of non-empty text; ``xml:space`` kept where openpyxl keeps it (text
    with leading or trailing blanks around something)."""
    stripped = text.str.strip()
    keep = (stripped != text) & (stripped != "")
    opening = pd.Series(
        np.where(keep.to_numpy(dtype=bool, na_value=False), '<t xml:space="preserve">', "<t>"),
        index=text.index,
    )
    return "<is>" + opening + _escaped(text) + "</t></is>"


class _Styles:
    """The style records of data cells, made through openpyxl (so styles.xml has them) and
    reused: ``id(fmt, quote, fill)`` is the ``s=`` index of a wrapped cell with that number format,
    quote prefix and fill-in colour."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.ids: dict[tuple, str] = {}

    def id(self, number_format: str | None, quote: bool, fill: bool) -> str:
        key = (number_format, quote, fill)
        if key not in self.ids:
            cell = WriteOnlyCell(self.ws)
            cell.alignment = _WRAP
            if fill:
                cell.fill = _FILL_IN_CELL
            if number_format:
                cell.number_format = number_format
            if quote:
                cell.quotePrefix = True
            self.ids[key] = str(cell.style_id)
        return self.ids[key]


def _text_xml(text: pd.Series, as_text_format: bool, fill: bool, styles: _Styles) -> pd.Series:
    """Attributes and content of text cells (None: no cell): what openpyxl writes for a
    ``WriteOnlyCell`` forced to text (Text format and/or quote prefix, wrapped) or a plain str."""
    text = text.astype("string").str.replace(_ILLEGAL, "", regex=True)
    text = text.where(
        text.str.len() <= EXCEL_MAX_CELL_CHARS, text.str.slice(0, EXCEL_MAX_CELL_CHARS)
    )
    risky = formula_like(text).to_numpy()
    present = text.notna().to_numpy(dtype=bool)
    filled = present & (text.fillna("") != "").to_numpy(dtype=bool)
    body = pd.Series(
        np.where(filled, ' t="inlineStr">' + _inline(text.fillna("")) + "</c>", ""),
        index=text.index,
        dtype=object,
    )
    body[present & ~filled] = ' t="inlineStr"/>'  # an empty string is still a cell
    if as_text_format:  # every cell styled; a blank one keeps the Text format for typed IDs
        body[~present] = ' t="n"/>'
        ids = np.where(risky, styles.id("@", True, fill), styles.id("@", False, fill)).astype(
            object
        )
    else:
        body[~present] = None
        ids = np.where(risky, styles.id(None, True, fill), None).astype(object)
    return _with_style(body, ids)


def _with_style(body: pd.Series, ids: np.ndarray) -> pd.Series:
    """``s="<id>"`` before the cells that have a style (ids None: a plain cell)."""
    values = body.to_numpy(dtype=object)
    styled = pd.notna(ids) & pd.notna(values)
    out = values.copy()
    out[styled] = (
        np.char.add(
            np.char.add(' s="', ids[styled].astype(str)),
            np.char.add('"', values[styled].astype(str)),
        ).astype(object)
        if styled.any()
        else out[styled]
    )
    return pd.Series(out, index=body.index, dtype=object)


def _numbers(values: np.ndarray) -> np.ndarray:
    """Numbers as openpyxl writes them (``%.16g``; NaN/inf as nothing)."""
    finite = np.isfinite(values)
    out = np.full(len(values), "", dtype=object)
    if finite.any():
        out[finite] = np.char.mod("%.16g", values[finite]).astype(object)
    return out


#: openpyxl's (Excel's Windows) epoch: serial day 0
_EPOCH = pd.Timestamp("1899-12-30")


def _column_xml(column: pd.Series, as_text: bool, fill: bool, styles: _Styles) -> pd.Series:
    """One column's cells, each ``' t=… >…</c>'`` after its reference (None where openpyxl
    writes no cell)."""
    if as_text and not pd.api.types.is_string_dtype(column.dtype):
        column = cells_to_text(column)  # 912345678.0 -> "912345678", not a number cell
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        values = column.dt.tz_localize(None) if column.dt.tz is not None else column
        delta = values - _EPOCH
        days = delta.dt.days
        # as openpyxl.utils.datetime.to_excel: Excel's 1900 leap-year bug before 1 March 1900
        days = days - ((days > 0) & (days <= 60)).astype("int64")
        seconds = delta.dt.seconds + delta.dt.microseconds / 1e6
        serial = (days + seconds / 86400).to_numpy(dtype=float, na_value=np.nan)
        present = values.notna().to_numpy()
        body = np.where(present, ' t="n"><v>' + _numbers(serial) + "</v></c>", ' t="n"/>')
        ids = np.full(len(column), styles.id(_DATE_FORMAT, False, fill), dtype=object)
        return _with_style(pd.Series(body, index=column.index, dtype=object), ids)
    if pd.api.types.is_bool_dtype(column.dtype):
        values = column.astype(object)
        present = values.notna().to_numpy()
        flag = values.fillna(False).astype(bool).to_numpy()
        body = np.where(flag, ' t="b"><v>1</v></c>', ' t="b"><v>0</v></c>').astype(object)
        body[~present] = None
        return pd.Series(body, index=column.index, dtype=object)
    if pd.api.types.is_numeric_dtype(column.dtype):
        values = column.to_numpy(dtype=float, na_value=np.nan)
        present = column.notna().to_numpy()
        body = (' t="n"><v>' + _numbers(values) + "</v></c>").astype(object)
        body[~present] = None
        return pd.Series(body, index=column.index, dtype=object)
    if column.dtype == object:
        column = cells_to_text(column)
    return _text_xml(column, as_text, fill, styles)


@dataclass
class _SheetRows:
    """A sheet's data rows to write: the frame, which columns are text / filled in, the row
    heights (by position) and the sheet row of the first."""

    frame: pd.DataFrame
    text: list[bool]
    fill: list[bool]
    heights: dict[int, float]
    first_row: int

    def key(self) -> tuple | None:
        """Sheets with the same key are made in one pass (a workbook of one sheet per village
        or facility: one set of column operations, not one per sheet). Categoricals stay apart
        (two sheets' categories would concatenate to plain objects, written differently)."""
        dtypes = tuple(str(t) for t in self.frame.dtypes)
        if any(isinstance(t, pd.CategoricalDtype) for t in self.frame.dtypes):
            return None
        names = tuple(map(str, self.frame.columns))
        return (names, dtypes, tuple(self.text), tuple(self.fill))


def _rows_xml(ws, sheets: list[_SheetRows]) -> list[str]:
    """The ``<row>`` elements of each sheet's cells (sheets of one :meth:`_SheetRows.key`)."""
    sizes = [len(s.frame) for s in sheets]
    if not sum(sizes):
        return [""] * len(sheets)
    first = sheets[0]
    frame = (
        pd.concat([s.frame for s in sheets], ignore_index=True)
        if len(sheets) > 1
        else first.frame.reset_index(drop=True)
    )
    styles = _Styles(ws)
    numbers = pd.Series(
        np.concatenate([np.arange(s.first_row, s.first_row + len(s.frame)) for s in sheets])
        .astype(str)
        .astype(object)
    )
    cells = pd.Series("", index=numbers.index, dtype=object)
    for i in range(len(frame.columns)):
        body = _column_xml(frame.iloc[:, i], first.text[i], first.fill[i], styles)
        present = body.notna()
        cell = '<c r="' + get_column_letter(i + 1) + numbers + '"' + body.fillna("")
        cells = cells + cell.where(present, "")
    starts = np.cumsum([0, *sizes])
    height = pd.Series(
        {starts[k] + r: h for k, s in enumerate(sheets) for r, h in s.heights.items()},
        dtype=float,
    ).reindex(numbers.index)
    ht = ('" customHeight="1" ht="' + height.map("{:g}".format)).where(height.notna(), "")
    rows = ('<row r="' + numbers + ht + '">' + cells + "</row>").tolist()
    return ["".join(rows[starts[k] : starts[k + 1]]) for k in range(len(sheets))]


def _all_rows_xml(ws, sheets: dict[str, _SheetRows]) -> dict[str, str]:
    """``{sheet part: its rows' XML}``, sheets of the same shape made together."""
    groups: dict[object, list[str]] = {}
    for part, rows in sheets.items():
        key = rows.key()
        groups.setdefault(part if key is None else key, []).append(part)
    out = {}
    for parts in groups.values():
        out.update(zip(parts, _rows_xml(ws, [sheets[p] for p in parts]), strict=True))
    return out


def _put_rows(book: bytes, rows: dict[str, str], target: Path) -> None:
    """Copy the saved workbook into ``target``, each sheet's data rows at the end of its
    ``<sheetData>`` (after the title and header rows openpyxl wrote)."""
    with (
        zipfile.ZipFile(io.BytesIO(book)) as source,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in source.infolist():
            data = source.read(info)
            if rows.get(info.filename):
                xml = data.decode("utf-8")
                if "</sheetData>" in xml:
                    xml = xml.replace("</sheetData>", rows[info.filename] + "</sheetData>", 1)
                else:
                    xml = xml.replace(
                        "<sheetData/>", f"<sheetData>{rows[info.filename]}</sheetData>", 1
                    )
                data = xml.encode("utf-8")
            out.writestr(info, data)


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
    cell.quotePrefix = _formula_like_label(value)
    return cell


@functools.lru_cache(maxsize=4096)
def _formula_like_label(value: str) -> bool:
    """:func:`formula_like` of one label (a header repeats on every village's sheet)."""
    return bool(formula_like(pd.Series([value], dtype=object)).iloc[0])


def _printable(ws, header_row: int) -> None:
    """Print on landscape pages as wide as the sheet, the header repeated on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"


def _row_heights(frame: pd.DataFrame, widths: list[float]) -> dict[int, float]:
    """Rows tall enough for their wrapped text: per cell, its lines (breaks, and characters over
    the column width), the tallest cell of the row decides. Only rows that need more than one
    (``{row position in frame: points}``)."""
    if frame.empty or not len(frame.columns):
        return {}
    lines = pd.Series(1, index=range(len(frame)))
    for i in range(len(frame.columns)):
        text = frame.iloc[:, i].astype("string").fillna("").reset_index(drop=True)
        if not len(text) or text.str.len().max() <= widths[i] - 2:
            continue
        per_line = max(widths[i] - 2, 1)
        parts = text.str.split("\n")
        need = parts.explode().str.len().floordiv(per_line).add(1).groupby(level=0).sum()
        lines = lines.combine(need.reindex(lines.index).fillna(1).astype(int), max)
    tall = lines[lines > 1]
    return {int(r): min(int(n), _MAX_LINES) * _LINE_HEIGHT for r, n in tall.items()}


def _write_sheet(
    ws,
    frame: pd.DataFrame,
    titles: list[str],
    text_columns: set[str] | None,
    choices: dict[str, list[str]],
    fill_in: set[str],
) -> _SheetRows:
    """Titles, header and sheet settings through openpyxl; returns the data rows to write."""
    header_row = len(titles) + 1
    names = [str(c) for c in frame.columns]
    widths = [_width(name, frame.iloc[:, i]) for i, name in enumerate(names)]
    for i, width in enumerate(widths):
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    _printable(ws, header_row)
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
    for i, name in enumerate(names):
        if name in choices:
            _choice_list(ws, i + 1, header_row + 1, header_row + len(frame), choices[name])
    # long text wraps inside its column (the row heights fit it); the columns a person fills
    # in are yellow on every row, not only in the header
    return _SheetRows(
        frame,
        [
            name in text_columns if text_columns is not None else is_text_column(name)
            for name in names
        ],
        [name in fill_in for name in names],
        _row_heights(frame, widths),
        header_row + 1,
    )


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
    title_rows = {_encodable(k): [_encodable(t) for t in v] for k, v in (title_rows or {}).items()}
    sheets = {_encodable(name): _encodable_frame(frame) for name, frame in sheets.items()}
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
        rows = {}
        for safe, (name, frame) in zip(_sheet_names(sheets), sheets.items(), strict=True):
            ws = book.create_sheet(safe)
            # openpyxl numbers the sheets' parts in book order when it saves
            rows[f"xl/worksheets/sheet{len(book.worksheets)}.xml"] = _write_sheet(
                ws,
                frame,
                list(title_rows.get(name, [])),
                wanted,
                dict(choices or {}),
                set(fill_in),
            )
        if not sheets:
            book.create_sheet("Sheet")
        xml = _all_rows_xml(book.worksheets[0], rows)  # styles belong to the book: any sheet
        saved = io.BytesIO()
        book.save(saved)
        _put_rows(saved.getvalue(), xml, tmp)

    return write_atomic(path, write)
