"""Read any export (xlsx, xls, ods, csv/txt, Parquet) into a grid of text cells.

The grid keeps every row of the sheet, title rows included, so that row ``i`` of the grid is row
``i + 1`` as Excel shows it; that is how ``source_row`` lets a person find a record. Formats are
told apart by their bytes (see :mod:`vaxutils.io.sniff`); every failure becomes one
:class:`~vaxutils.io.errors.IngestError`.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "ds.csv"
>>> _ = path.write_text("DANH SÁCH\\nHọ và tên;Ngày sinh;Số CCCD\\nLê Thị Hoa;02/03/1990;001190012345\\n",
...                     encoding="utf-8")
>>> read_table(path)
                Họ và tên   Ngày sinh       Số CCCD
source_row
3              Lê Thị Hoa  02/03/1990  001190012345
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import fastexcel
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from vaxutils.io.cells import frame_to_text
from vaxutils.io.errors import IngestError, IngestWarning
from vaxutils.io.fastexcel_sheet import sheet_cells
from vaxutils.io.headers import HeaderSpec, Key, find_header, key_label_vi
from vaxutils.io.limits import EXCEL_MAX_ROWS, ReadLimits, limit_error
from vaxutils.io.notes import formulas_error
from vaxutils.io.sheet_scan import SheetScan, check_workbook, scan_sheet
from vaxutils.io.sniff import (
    TEXT_EXTENSIONS,
    decode_text,
    detect_format,
    long_csv_fields,
    sniff_delimiter,
)

_SNIFF_BYTES = 65_536
_NOT_A_SPREADSHEET = {
    "pdf": ("tệp PDF", "a PDF document"),
    "zip": ("tệp nén hoặc tài liệu Word/PowerPoint", "a zip archive or a Word/PowerPoint document"),
    "html": ("trang web (HTML)", "a web page (HTML)"),
    "binary": ("tệp nhị phân không rõ loại", "an unknown binary file"),
    "text": ("tệp văn bản", "a text file"),
}


@dataclass
class Grid:
    """All cells of one sheet as text (``<NA>`` when blank); row ``i`` is sheet row ``i + 1``."""

    cells: pd.DataFrame
    sheet: str | None
    format: str
    reader: str
    encoding: str | None = None
    delimiter: str | None = None
    warnings: list[IngestWarning] = field(default_factory=list)
    # What the parser cannot say (xlsx): merged ranges (r1, c1, r2, c2, 0-based, inclusive),
    # formula cells without a cached value per column, hidden sheets that hold data.
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    uncached_formulas: dict[int, int] = field(default_factory=dict)
    hidden_with_data: list[str] = field(default_factory=list)


@dataclass
class _Context:
    """One read: its caps, and what was learnt of each sheet (kept when a reader falls back)."""

    limits: ReadLimits
    scans: dict[str, SheetScan] = field(default_factory=dict)
    hidden: list[str] | None = None
    merges: dict[str, list[tuple[int, int, int, int]]] = field(default_factory=dict)


def _head_and_tail(path: Path, size: int) -> bytes:
    with path.open("rb") as f:
        head = f.read(_SNIFF_BYTES)
        if size > _SNIFF_BYTES:
            # the zip directory of an xlsx sits at the end: always look at the tail too
            f.seek(max(size - _SNIFF_BYTES, _SNIFF_BYTES))
            head += f.read()
    return head


def check_file(path: str | os.PathLike) -> tuple[Path, str]:
    """Check that ``path`` is a readable, non-empty spreadsheet; return it and its real format."""
    p = Path(path)
    if not p.exists():
        raise IngestError(
            "file_missing",
            "không tìm thấy tệp",
            "file not found",
            path=p,
            hint_vi=f"Kiểm tra lại đường dẫn '{p}'.",
            hint_en=f"Check the path '{p}'.",
        )
    if not p.is_file():
        raise IngestError(
            "not_a_file",
            "đây là thư mục, không phải tệp",
            "this is a folder, not a file",
            path=p,
            hint_vi="Chọn tệp xuất dữ liệu (.xlsx, .xls, .csv).",
            hint_en="Choose the exported file (.xlsx, .xls, .csv).",
        )
    size = p.stat().st_size
    if size == 0:
        raise IngestError(
            "empty_file",
            "tệp rỗng (0 byte)",
            "the file is empty (0 bytes)",
            path=p,
            hint_vi="Xuất lại dữ liệu từ hệ thống tiêm chủng.",
            hint_en="Export the data again.",
        )
    try:
        kind = detect_format(_head_and_tail(p, size), p.name)
    except OSError as exc:
        raise IngestError(
            "unreadable_file",
            f"không mở được tệp ({exc.strerror})",
            f"cannot open the file ({exc.strerror})",
            path=p,
            hint_vi="Đóng tệp trong Excel rồi thử lại.",
            hint_en="Close it in Excel and try again.",
        ) from None
    if kind in ("truncated_zip", "truncated_parquet"):
        raise _truncated(p, kind, size)
    if kind == "encrypted":
        raise IngestError(
            "encrypted",
            "tệp Excel được đặt mật khẩu",
            "the Excel file is password-protected",
            path=p,
            hint_vi="Mở bằng Excel, bỏ mật khẩu (Tệp > Thông tin > Bảo vệ sổ làm việc) rồi lưu lại.",
            hint_en="Open it in Excel, remove the password (File > Info > Protect Workbook) and save.",
        )
    if (
        kind == "text"
        and p.suffix.lower() not in TEXT_EXTENSIONS
        or kind in _NOT_A_SPREADSHEET.keys() - {"text"}
    ):
        vi, en = _NOT_A_SPREADSHEET[kind]
        raise IngestError(
            "not_a_spreadsheet",
            f"tệp có đuôi '{p.suffix}' nhưng thực chất là {vi}, không phải bảng tính",
            f"the file is named '{p.suffix}' but is really {en}, not a spreadsheet",
            path=p,
            hint_vi="Mở tệp bằng Excel và chọn Lưu thành (Save As) dạng .xlsx, hoặc xuất lại từ hệ thống.",
            hint_en="Open it in Excel and Save As .xlsx, or export it again.",
        )
    return p, kind


def _truncated(path: Path, kind: str, size: int) -> IngestError:
    if kind == "truncated_parquet":
        vi, en = "tệp Parquet", "a Parquet file"
        hint_vi = "Chép lại tệp từ nơi tạo ra nó (hoặc tạo lại tệp), rồi chạy lại."
        hint_en = "Copy the file again from where it was made (or make it again) and run again."
    else:
        spreadsheet = path.suffix.lower() in (".xlsx", ".xlsm", ".ods", ".xlsb", ".xls")
        vi, en = ("tệp Excel", "an Excel file") if spreadsheet else ("tệp nén", "a zip file")
        hint_vi = (
            "Tải hoặc chép lại tệp gốc (đợi tải xong; tệp gửi qua Zalo/e-mail cần tải về trọn vẹn), "
            "hoặc xuất lại từ hệ thống."
        )
        hint_en = "Download or copy the original again (let it finish), or export it again."
    return IngestError(
        "truncated_file",
        f"{vi} không trọn vẹn: bị cắt cụt ở {size:,} byte, phần cuối của tệp bị mất "
        "(thường do tải về hoặc chép chưa xong)",
        f"{en} cut short at {size:,} bytes: its end is missing (usually an unfinished download "
        "or copy)",
        path=path,
        hint_vi=hint_vi,
        hint_en=hint_en,
    )


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


def _rows_to_grid(rows: list[list], path: Path, sheet: str | None, ctx: _Context) -> pd.DataFrame:
    _check_row_count(len(rows), path, sheet, ctx.limits)
    return frame_to_text(pd.DataFrame(rows, dtype=object))


def _check_row_count(n_rows: int, path: Path, sheet: str | None, limits: ReadLimits) -> None:
    if n_rows > limits.rows and limits.rows != EXCEL_MAX_ROWS:
        raise limit_error(path, sheet, "rows", n_rows, limits)
    if n_rows > limits.rows:
        raise IngestError(
            "too_many_rows",
            f"trang tính có {n_rows:,} dòng, vượt giới hạn {EXCEL_MAX_ROWS:,} dòng của Excel",
            f"the sheet has {n_rows:,} rows, more than Excel's limit of {EXCEL_MAX_ROWS:,}",
            path=path,
            sheet=sheet,
            hint_vi="Tách dữ liệu thành nhiều tệp (ví dụ theo thôn) hoặc xuất dạng CSV.",
            hint_en="Split the data into several files (e.g. by village) or export CSV.",
        )


def _is_panic(exc: BaseException) -> bool:
    """A Rust panic inside fastexcel/calamine (pyo3's PanicException derives from BaseException)."""
    return type(exc).__name__ == "PanicException"


def _scan(path: Path, kind: str, name: str, ctx: _Context) -> None:
    """Check an xlsx sheet against the caps while inflating it, once per read, before parsing it."""
    if kind != "xlsx" or name in ctx.scans:
        return
    scan = ctx.scans[name] = scan_sheet(path, name, ctx.limits)
    # The parser builds a dense grid up to the farthest cell: check its size before it does.
    _check_row_count(scan.max_row, path, name, ctx.limits)
    if scan.max_column > ctx.limits.columns:
        raise limit_error(path, name, "columns", scan.max_column, ctx.limits)
    if scan.max_row * max(scan.max_column, 26) > ctx.limits.cells:
        raise limit_error(path, name, "cells", scan.max_row * max(scan.max_column, 26), ctx.limits)


def _calamine_sheets(
    book, path: Path, kind: str, sheet: str | int | None, ctx: _Context
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


def _has_data(book, path: Path, kind: str, name: str, ctx: _Context) -> bool:
    if kind == "xlsx":
        try:
            return scan_sheet(path, name, ctx.limits, values_only=True).has_values
        except IngestError:  # a damaged or huge hidden sheet: not read, not worth a warning
            return False
    try:
        return book.get_sheet_by_name(name).end is not None
    except Exception:  # a hidden sheet that cannot be read is not worth a warning
        return False


def _calamine_grid(book, path: Path, kind: str, name: str, ctx: _Context) -> pd.DataFrame:
    _scan(path, kind, name, ctx)
    sheet_data = book.get_sheet_by_name(name)
    end = sheet_data.end
    _check_row_count(end[0] + 1 if end else 0, path, name, ctx.limits)  # before making the rows
    if end and end[1] + 1 > ctx.limits.columns:
        raise limit_error(path, name, "columns", end[1] + 1, ctx.limits)
    if kind != "xlsx":  # xlsx merges come from the sheet's XML (scan_sheet), whatever the reader
        ranges = sheet_data.merged_cell_ranges or []
        ctx.merges[name] = [(r1, c1, r2, c2) for (r1, c1), (r2, c2) in ranges]
    return _rows_to_grid(sheet_data.to_python(skip_empty_area=False), path, name, ctx)


def _read_calamine(path: Path, kind: str, sheet: str | int | None, ctx: _Context):
    from python_calamine import CalamineWorkbook

    with CalamineWorkbook.from_path(str(path)) as book:
        # Load lazily: most exports have their data on the first sheet.
        for name in _calamine_sheets(book, path, kind, sheet, ctx):
            yield name, _calamine_grid(book, path, kind, name, ctx), "calamine"


def _read_fastexcel(path: Path, kind: str, sheet: str | int | None, ctx: _Context):
    from python_calamine import CalamineWorkbook

    with CalamineWorkbook.from_path(str(path)) as book:  # sheet list and visibility, as calamine
        names = _calamine_sheets(book, path, kind, sheet, ctx)
    reader = fastexcel.read_excel(str(path))
    for name in names:
        _scan(path, kind, name, ctx)
        try:
            cells, used = sheet_cells(reader, name), "fastexcel"
        except BaseException as exc:  # ambiguous text, a fastexcel failure or panic: calamine
            if not isinstance(exc, Exception) and not _is_panic(exc):
                raise
            with CalamineWorkbook.from_path(str(path)) as book:
                cells, used = _calamine_grid(book, path, kind, name, ctx), "calamine"
        _check_row_count(len(cells), path, name, ctx.limits)
        yield name, cells, used


def _read_openpyxl(path: Path, kind: str, sheet: str | int | None, ctx: _Context):
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        names = book.sheetnames
        visible = [book[n].sheet_state == "visible" for n in names]
        for name in _choose_sheet(path, names, visible, sheet):
            _scan(path, kind, name, ctx)
            ws = book[name]
            _check_row_count(ws.max_row or 0, path, name, ctx.limits)
            if (ws.max_column or 0) > ctx.limits.columns:
                raise limit_error(path, name, "columns", ws.max_column, ctx.limits)
            rows = [list(r) for r in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
            yield name, _rows_to_grid(rows, path, name, ctx), "openpyxl"
    finally:
        book.close()


def _read_xlrd(path: Path, kind: str, sheet: str | int | None, ctx: _Context):
    import xlrd

    book = xlrd.open_workbook(str(path), on_demand=True)
    try:
        names = book.sheet_names()
        visible = [book.sheet_by_index(i).visibility == 0 for i in range(len(names))]
        for name in _choose_sheet(path, names, visible, sheet):
            ws = book.sheet_by_name(name)
            _check_row_count(ws.nrows, path, name, ctx.limits)
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
            yield name, _rows_to_grid(rows, path, name, ctx), "xlrd"
    finally:
        book.release_resources()


def _read_text(path: Path, ctx: _Context) -> Grid:
    size = path.stat().st_size
    if size > ctx.limits.text_bytes:  # before a byte is decoded
        raise limit_error(path, None, "text_bytes", size, ctx.limits)
    data = path.read_bytes()
    try:
        text, encoding = decode_text(data)
    except UnicodeError:
        raise IngestError(
            "unreadable_encoding",
            "không đọc được bảng mã của tệp văn bản",
            "cannot tell the text encoding of the file",
            path=path,
            hint_vi="Mở bằng Excel và Lưu thành (Save As) 'CSV UTF-8', hoặc xuất lại dạng .xlsx.",
            hint_en="Open it in Excel and Save As 'CSV UTF-8', or export .xlsx.",
        ) from None
    del data
    first_line, _, rest = text.partition("\n")
    declared = re.fullmatch(r"sep=(.)\r?", first_line)  # Excel's own hint line, hidden when opened
    if declared:
        text, delimiter = rest, declared.group(1)
    else:
        delimiter = "\t" if path.suffix.lower() == ".tsv" else sniff_delimiter(text)
    columns = ctx.limits.columns
    rows = []
    try:
        with long_csv_fields():
            # Row by row, so that a line splitting into millions of cells stops at the cap
            # instead of becoming a frame of millions of columns.
            lines = _checked_lines(text, delimiter, path, ctx.limits)
            for row in csv.reader(lines, delimiter=delimiter):
                if len(row) > columns:
                    raise limit_error(path, None, "columns", len(row), ctx.limits)
                rows.append(row)
    except csv.Error as exc:
        raise IngestError(
            "malformed_csv",
            f"tệp CSV bị lỗi cấu trúc ({exc})",
            f"the CSV file is malformed ({exc})",
            path=path,
            hint_vi="Mở bằng Excel, kiểm tra rồi lưu lại.",
            hint_en="Open it in Excel, check and save.",
        ) from None
    del text
    warnings = []
    if len(rows) == EXCEL_MAX_ROWS:
        warnings.append(_truncated_warning(path))
    return Grid(
        frame_to_text(pd.DataFrame(rows, dtype=object)),
        None,
        "csv",
        "csv",
        encoding,
        delimiter,
        warnings,
    )


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _checked_lines(text: str, delimiter: str, path: Path, limits: ReadLimits):
    """The lines of ``text``; a line too long for any cell stops before the csv module splits it.

    A line longer than the cell cap either holds more separators than the column cap, or, with
    none at all, is part of one cell longer than the cap (quoted or not): both known from the line.
    """
    # Lines split as io.StringIO(newline="") would (at \r\n, \r or \n), without its copy of
    # the whole text at 4 bytes a character.
    for match in _LINE.finditer(text):
        line = match.group()
        if len(line) > limits.cell_chars:
            fields = line.count(delimiter) + 1
            if fields > limits.columns:
                raise limit_error(path, None, "columns", fields, limits)
            if fields == 1:
                raise limit_error(path, None, "cell_chars", len(line.rstrip("\r\n")), limits)
        yield line


def _read_parquet(path: Path, ctx: _Context) -> Grid:
    try:
        meta = pq.ParquetFile(path).metadata
        size = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    except Exception as exc:  # pyarrow raises many types for a broken file
        raise _corrupt(path, None, exc, "parquet") from None
    if size > ctx.limits.text_bytes:  # from the footer, before any data page is read
        raise limit_error(path, None, "text_bytes", size, ctx.limits)
    if meta.num_columns > ctx.limits.columns:
        raise limit_error(path, None, "columns", meta.num_columns, ctx.limits)
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:
        raise _corrupt(path, None, exc, "parquet") from None
    header = pd.DataFrame([[str(c) for c in frame.columns]], dtype=object)
    body = frame_to_text(frame.reset_index(drop=True).set_axis(range(frame.shape[1]), axis=1))
    cells = pd.concat([frame_to_text(header), body], ignore_index=True)
    return Grid(cells, None, "parquet", "pyarrow")


def _check_cells(cells: pd.DataFrame, path: Path, sheet: str | None, limits: ReadLimits) -> None:
    """Columns and the longest cell of a grid against the caps."""
    if cells.shape[1] > limits.columns:
        raise limit_error(path, sheet, "columns", cells.shape[1], limits)
    for _, column in cells.items():  # not .iloc per column: 2x slower on a wide sheet
        text = pa.array(column.array, pa.string())
        # Bytes first (free from the offsets): characters are counted only in a long column.
        if len(text) and (pc.max(pc.binary_length(text)).as_py() or 0) > limits.cell_chars:
            longest = pc.max(pc.utf8_length(text)).as_py() or 0
            if longest > limits.cell_chars:
                raise limit_error(path, sheet, "cell_chars", longest, limits)


def _truncated_warning(path: Path, sheet: str | None = None) -> IngestWarning:
    where = f" (trang tính '{sheet}')" if sheet else ""
    return IngestWarning(
        "rows_at_excel_limit",
        f"Tệp '{path.name}'{where} có đúng {EXCEL_MAX_ROWS:,} dòng, giới hạn của Excel: có thể dữ liệu đã bị "
        f"cắt khi lưu. Hãy xuất lại thành nhiều tệp. — The sheet has exactly Excel's row limit; data may "
        "have been cut off when saved. Export it again in several files.",
    )


def _hidden_warning(path: Path, hidden: list[str]) -> IngestWarning:
    listed = ", ".join(f"'{h}'" for h in hidden)
    return IngestWarning(
        "hidden_sheet_data",
        f"Tệp '{path.name}' có trang tính ẩn chứa dữ liệu ({listed}) không được đọc. Nếu danh sách "
        f"nằm ở đó, chạy lại với --sheet {hidden[0]!r} (hoặc bỏ ẩn trang tính trong Excel). — The "
        f"file has hidden sheets holding data ({listed}) that were not read; if the list is there, "
        f"run again with --sheet {hidden[0]!r} (or unhide the sheet in Excel).",
    )


def _corrupt(path: Path, sheet: str | None, exc: BaseException, kind: str = "") -> IngestError:
    text = str(exc).lower()
    if "password" in text or "encrypt" in text:
        return IngestError(
            "encrypted",
            "tệp Excel được đặt mật khẩu",
            "the Excel file is password-protected",
            path=path,
            hint_vi="Mở bằng Excel, bỏ mật khẩu rồi lưu lại.",
            hint_en="Open it in Excel, remove the password and save.",
        )
    if kind == "parquet":
        return IngestError(
            "corrupt_file",
            "tệp Parquet bị hỏng, không đọc được",
            "the Parquet file is damaged and cannot be read",
            path=path,
            hint_vi="Chép lại tệp từ nơi tạo ra nó, hoặc tạo lại tệp (vaxutils ghi lại được), rồi chạy lại.",
            hint_en="Copy the file again from where it was made, or make it again, and run again.",
        )
    return IngestError(
        "corrupt_file",
        "tệp bị hỏng hoặc không phải bảng tính hợp lệ",
        "the file is damaged or not a valid spreadsheet",
        path=path,
        sheet=sheet,
        hint_vi="Mở bằng Excel; nếu mở được thì Lưu thành (Save As) .xlsx mới, nếu không thì xuất lại.",
        hint_en="Open it in Excel and Save As a new .xlsx, or export it again.",
    )


# One fallback order per format. An xlsx is read by fastexcel in one pass per sheet; a sheet whose
# fastexcel text is ambiguous (see fastexcel_sheet.AMBIGUOUS) or that fastexcel cannot read is
# read by python-calamine; openpyxl is tried only when calamine cannot open the file at all.
_EXCEL_READERS = {
    "xlsx": ("fastexcel", "calamine", "openpyxl"),
    "xlsb": ("calamine",),
    "ods": ("calamine",),
    "xls": ("calamine", "xlrd"),
}
_READER_FUNCS = {
    "fastexcel": _read_fastexcel,
    "calamine": _read_calamine,
    "openpyxl": _read_openpyxl,
    "xlrd": _read_xlrd,
}


def iter_grids(
    path: str | os.PathLike,
    sheet: str | int | None = None,
    engine: str | None = None,
    limits: ReadLimits | None = None,
):
    """Yield a :class:`Grid` per candidate sheet (text files and Parquet have one).

    ``engine`` forces a reader (``"fastexcel"``, ``"calamine"``, ``"openpyxl"``, ``"xlrd"``). By
    default an xlsx is read by fastexcel (calamine for a sheet whose text it cannot render as
    calamine would), other workbooks by calamine; the pure-Python reader is tried only if those
    cannot read the file. ``limits`` caps what the file may inflate to (default:
    :meth:`ReadLimits.from_env`); a zipped workbook is checked against them before any parser
    opens it, and each xlsx sheet while it is inflated, before it is parsed.
    """
    p, kind = check_file(path)
    ctx = _Context(limits or ReadLimits.from_env())
    if kind in ("text", "parquet"):
        grid = _read_text(p, ctx) if kind == "text" else _read_parquet(p, ctx)
        _check_cells(grid.cells, p, None, ctx.limits)
        yield grid
        return
    if kind in ("xlsx", "xlsb", "ods"):
        check_workbook(p, ctx.limits, kind)
    engines = (engine,) if engine else _EXCEL_READERS[kind]
    for i, name in enumerate(engines):
        try:
            for sheet_name, cells, reader in _READER_FUNCS[name](p, kind, sheet, ctx):
                _check_cells(cells, p, sheet_name, ctx.limits)
                warnings = (
                    [_truncated_warning(p, sheet_name)] if len(cells) == EXCEL_MAX_ROWS else []
                )
                hidden = [h for h in ctx.hidden or [] if h != sheet_name]
                if hidden:
                    warnings.append(_hidden_warning(p, hidden))
                scan = ctx.scans.get(sheet_name, SheetScan())
                yield Grid(
                    cells,
                    sheet_name,
                    kind,
                    reader,
                    warnings=warnings,
                    merges=scan.merges if kind == "xlsx" else ctx.merges.get(sheet_name, []),
                    uncached_formulas=scan.uncached_formulas,
                    hidden_with_data=hidden,
                )
            return
        except (IngestError, NameError, AttributeError, ImportError, MemoryError):
            raise  # ours, or a bug: no point in trying another reader
        except BaseException as exc:  # each reader has its own exceptions; fall back, then explain
            if not isinstance(exc, Exception) and not _is_panic(exc):
                raise  # KeyboardInterrupt, SystemExit
            if i + 1 == len(engines):
                raise _corrupt(p, None, exc, kind) from None


def _hidden_hint(hidden: list[str]) -> tuple[str, str]:
    if not hidden:
        return "", ""
    listed = ", ".join(f"'{h}'" for h in hidden)
    return (
        f" Tệp có trang tính ẩn chứa dữ liệu: {listed} — nếu danh sách ở đó, dùng --sheet {hidden[0]!r}.",
        f" The file has hidden sheets holding data: {listed} — if the list is there, use --sheet {hidden[0]!r}.",
    )


def empty_sheet_error(path, sheet, hidden: list[str] = ()) -> IngestError:
    more_vi, more_en = _hidden_hint(list(hidden))
    return IngestError(
        "empty_sheet",
        "trang tính không có dữ liệu",
        "the sheet is empty",
        path=path,
        sheet=sheet,
        hint_vi="Chọn đúng trang tính có danh sách (tham số sheet) hoặc xuất lại dữ liệu."
        + more_vi,
        hint_en="Choose the sheet holding the list (sheet option) or export again." + more_en,
    )


def no_header_error(path, sheet, expected: list[str], hidden: list[str] = ()) -> IngestError:
    listed = ", ".join(expected)
    more_vi, more_en = _hidden_hint(list(hidden))
    return IngestError(
        "no_header",
        f"không tìm thấy dòng tiêu đề cột trong {30} dòng đầu",
        "no column header row found in the first 30 rows",
        path=path,
        sheet=sheet,
        hint_vi=f"Cần các cột như: {listed}. Nếu tên cột khác, dùng --columns mapping.yml."
        + more_vi,
        hint_en=f"Expected columns such as: {listed}. If yours differ, use --columns mapping.yml."
        + more_en,
    )


def locate_header(
    path, sheet=None, overrides: dict[Key, str] | None = None, engine=None, limits=None
):
    """Return ``(grid, header)`` for the first candidate sheet that has a recognisable header."""
    seen_data = last = None
    for grid in iter_grids(path, sheet, engine, limits):
        last = grid
        if grid.cells.notna().to_numpy().any():
            seen_data = grid
            header = find_header(grid.cells, overrides)
            if header is not None:
                return grid, header
    hidden = last.hidden_with_data if last is not None else []
    formulas = sum(last.uncached_formulas.values()) if last is not None else 0
    if formulas and (seen_data is None or seen_data is last):
        # the header or every cell is a formula never calculated: that, not emptiness, is the cause
        raise formulas_error(path, last.sheet, formulas)
    if seen_data is None:
        raise empty_sheet_error(path, sheet if isinstance(sheet, str) else None, hidden)
    expected = [key_label_vi((f, None)) for f in ("full_name", "dob", "sex", "id_number", "phone")]
    raise no_header_error(
        path, seen_data.sheet, expected + ["Mũi 1 - Tên vắc xin", "Ngày tiêm"], hidden
    )


def body_rows(cells: pd.DataFrame, header: HeaderSpec) -> tuple[pd.DataFrame, list[IngestWarning]]:
    """The data rows under the header, with blank rows, a column-number row and a footer removed."""
    body = cells.iloc[header.last_row + 1 :]
    body = body[body.notna().any(axis=1)]
    warnings: list[IngestWarning] = []
    if len(body):
        first = body.iloc[0].dropna()
        numbers = first.str.fullmatch(r"\(?\d{1,3}\)?").all() and len(first) >= 3
        if numbers:  # forms number their columns "(1) (2) (3)" under the header
            body = body.iloc[1:]
    mapped = [i for i, k in enumerate(header.keys) if k is not None and k[0] != "ignore"]
    if len(body) and mapped:
        filled = body.iloc[:, [i for i in mapped if i < body.shape[1]]].notna().sum(axis=1)
        positions = body.index.to_numpy()
        gaps = (positions[1:] - positions[:-1]) > 1
        # A footer ("Người lập biểu", "Trưởng trạm") sits after a blank line and fills at most one
        # field; a record, even a poor one, fills more. Only the trailing block is considered.
        if gaps.any():
            start = int(gaps.nonzero()[0][-1]) + 1
            tail = filled.iloc[start:]
            if (tail <= 1).all():
                rows = ", ".join(str(r + 1) for r in tail.index)
                warnings.append(
                    IngestWarning(
                        "footer_ignored",
                        f"Bỏ qua phần chân trang (dòng {rows}) không phải dữ liệu. — Ignored footer rows {rows}.",
                    )
                )
                body = body.iloc[:start]
    return body, warnings


def read_table(
    path: str | os.PathLike, sheet: str | int | None = None, engine: str | None = None
) -> pd.DataFrame:
    """Read the table of a sheet as text: columns are the headers as they appear, the index is
    ``source_row`` (the row number Excel shows). Title rows and footers are left out.
    """
    grid, header = locate_header(path, sheet, engine=engine)
    body, _ = body_rows(grid.cells, header)
    labels = []
    for i, label in enumerate(header.labels):
        name = label if label is not None else f"Cột {i + 1}"
        while name in labels:
            name = f"{name} ({i + 1})"
        labels.append(name)
    table = body.set_axis(labels[: body.shape[1]], axis=1)
    table.index = pd.Index(body.index + 1, name="source_row")
    return table
