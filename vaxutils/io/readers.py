"""Read any export (xlsx, xls, ods, csv/txt, Parquet) into a grid of text cells.

The grid keeps every row of the sheet, title rows included, so that row ``i`` of the grid is row
``i + 1`` as Excel shows it; that is how ``source_row`` lets a person find a record. Formats are
told apart by their bytes (see :mod:`vaxutils.io.sniff`); every failure becomes one
:class:`~vaxutils.io.errors.IngestError`.

This module chooses the reader for a format (:func:`iter_grids`) and finds the table under the
header (:func:`locate_header`, :func:`body_rows`, :func:`read_table`). The readers are
:mod:`~vaxutils.io.workbooks` (xlsx, xlsb, ods, xls), :mod:`~vaxutils.io.text_grid` (CSV) and
:mod:`~vaxutils.io.parquet_grid`; what a file really is, :mod:`~vaxutils.io.checks`; the grid and
the checks on what a reader built, :mod:`~vaxutils.io.grid`.

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

import os
import re

import pandas as pd

from vaxutils.io.checks import _SNIFF_BYTES, check_file, corrupt_error  # noqa: F401 (tests, callers)
from vaxutils.io.errors import IngestError, IngestWarning
from vaxutils.io.grid import (
    Grid,
    ReadContext,
    check_cells,
    column_arrays,
    filled_rows,
    hidden_warning,
    keep_rows,
    truncated_warning,
)
from vaxutils.io.headers import HeaderSpec, Key, find_header, key_label_vi
from vaxutils.io.limits import EXCEL_MAX_ROWS, ReadLimits
from vaxutils.io.notes import formulas_error
from vaxutils.io.ods_scan import scan_ods
from vaxutils.io.parquet_grid import read_parquet_grid
from vaxutils.io.sheet_scan import SheetScan, check_workbook
from vaxutils.io.text_grid import read_text
from vaxutils.io.workbooks import EXCEL_READERS, READER_FUNCS, is_panic

__all__ = [
    "EXCEL_MAX_ROWS",
    "Grid",
    "body_rows",
    "check_file",
    "iter_grids",
    "locate_header",
    "read_table",
]


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
    ctx = ReadContext(limits or ReadLimits.from_env())
    if kind in ("text", "parquet"):
        grid = read_text(p, ctx) if kind == "text" else read_parquet_grid(p, ctx)
        check_cells(grid.cells, p, None, ctx.limits)
        yield grid
        return
    if kind in ("xlsx", "xlsb", "ods"):
        check_workbook(p, ctx.limits, kind)
    if kind == "ods":  # repeated rows and columns added up before a parser expands them
        ctx.merges.update(scan_ods(p, ctx.limits))
    engines = (engine,) if engine else EXCEL_READERS[kind]
    for i, name in enumerate(engines):
        try:
            for sheet_name, cells, reader in READER_FUNCS[name](p, kind, sheet, ctx):
                check_cells(cells, p, sheet_name, ctx.limits)
                warnings = (
                    [truncated_warning(p, sheet_name)] if len(cells) == EXCEL_MAX_ROWS else []
                )
                hidden = [h for h in ctx.hidden or [] if h != sheet_name]
                if hidden:
                    warnings.append(hidden_warning(p, hidden))
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
            if not isinstance(exc, Exception) and not is_panic(exc):
                raise  # KeyboardInterrupt, SystemExit
            if i + 1 == len(engines):
                raise corrupt_error(p, None, exc, kind) from None


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
        if filled_rows(grid.cells).any():
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
    body = keep_rows(body, filled_rows(body))
    warnings: list[IngestWarning] = []
    if len(body):
        first = [v for c in column_arrays(body) if (v := c[0].as_py()) is not None]
        numbers = len(first) >= 3 and all(re.fullmatch(r"\(?\d{1,3}\)?", v) for v in first)
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
