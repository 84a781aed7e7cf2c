"""One sheet read as text (:class:`Grid`), and the checks every reader makes on what it built.

A reader (:mod:`vaxutils.io.workbooks`, :mod:`vaxutils.io.text_grid`,
:mod:`vaxutils.io.parquet_grid`) fills a :class:`ReadContext` with what it learns of each sheet
(kept when it falls back to another reader) and returns the cells as a text frame; the row and
column counts and the longest cell are checked here against :class:`ReadLimits`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils.io.cells import frame_to_text
from vaxutils.io.errors import IngestError, IngestWarning
from vaxutils.io.limits import EXCEL_MAX_ROWS, ReadLimits, limit_error
from vaxutils.io.sheet_scan import SheetScan


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
class ReadContext:
    """One read: its caps, and what was learnt of each sheet (kept when a reader falls back)."""

    limits: ReadLimits
    scans: dict[str, SheetScan] = field(default_factory=dict)
    hidden: list[str] | None = None
    merges: dict[str, list[tuple[int, int, int, int]]] = field(default_factory=dict)


def rows_to_grid(rows: list[list], path: Path, sheet: str | None, ctx: ReadContext) -> pd.DataFrame:
    check_row_count(len(rows), path, sheet, ctx.limits)
    return frame_to_text(pd.DataFrame(rows, dtype=object))


def check_row_count(n_rows: int, path: Path, sheet: str | None, limits: ReadLimits) -> None:
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


def check_cells(cells: pd.DataFrame, path: Path, sheet: str | None, limits: ReadLimits) -> None:
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


def truncated_warning(path: Path, sheet: str | None = None) -> IngestWarning:
    where = f" (trang tính '{sheet}')" if sheet else ""
    return IngestWarning(
        "rows_at_excel_limit",
        f"Tệp '{path.name}'{where} có đúng {EXCEL_MAX_ROWS:,} dòng, giới hạn của Excel: có thể dữ liệu đã bị "
        f"cắt khi lưu. Hãy xuất lại thành nhiều tệp. — The sheet has exactly Excel's row limit; data may "
        "have been cut off when saved. Export it again in several files.",
    )


def hidden_warning(path: Path, hidden: list[str]) -> IngestWarning:
    listed = ", ".join(f"'{h}'" for h in hidden)
    return IngestWarning(
        "hidden_sheet_data",
        f"Tệp '{path.name}' có trang tính ẩn chứa dữ liệu ({listed}) không được đọc. Nếu danh sách "
        f"nằm ở đó, chạy lại với --sheet {hidden[0]!r} (hoặc bỏ ẩn trang tính trong Excel). — The "
        f"file has hidden sheets holding data ({listed}) that were not read; if the list is there, "
        f"run again with --sheet {hidden[0]!r} (or unhide the sheet in Excel).",
    )
