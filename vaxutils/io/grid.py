"""One sheet read as text (:class:`Grid`), and the checks every reader makes on what it built.

A reader (:mod:`vaxutils.io.workbooks`, :mod:`vaxutils.io.text_grid`,
:mod:`vaxutils.io.parquet_grid`) fills a :class:`ReadContext` with what it learns of each sheet
(kept when it falls back to another reader) and returns the cells as a text frame; the row and
column counts and the longest cell are checked here against :class:`ReadLimits`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils.io.cells import cells_to_text, frame_to_text
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


def column_arrays(cells: pd.DataFrame) -> list[pa.ChunkedArray]:
    """Each column of a text grid as Arrow text, without making a Series per column.

    A sheet may be 10,000 columns wide: pandas' per-column machinery (``.items()``, ``.notna()``,
    ``.to_numpy()``) then costs seconds, Arrow's a few milliseconds.
    """
    # _iter_column_arrays: the frame's own arrays, no Series built (0.02 s against 0.3 s for
    # .items() over 10,000 columns); .items() if a pandas release drops it.
    arrays = getattr(cells, "_iter_column_arrays", None)
    columns = arrays() if arrays is not None else (s.array for _, s in cells.items())
    out = []
    for values in columns:
        if hasattr(values, "__arrow_array__"):
            arrow = values.__arrow_array__()
        else:  # not a text grid (a caller's own frame): made text as a reader would
            arrow = cells_to_text(pd.Series(values)).array.__arrow_array__()
        out.append(arrow if isinstance(arrow, pa.ChunkedArray) else pa.chunked_array([arrow]))
    return out


def filled_rows(cells: pd.DataFrame) -> np.ndarray:
    """Whether each row of a grid holds at least one value (``cells.notna().any(axis=1)``)."""
    filled = np.zeros(len(cells), dtype=bool)
    for column in column_arrays(cells):
        if column.null_count < len(column):
            filled |= column.is_valid().to_numpy(zero_copy_only=False)
    return filled


def keep_rows(cells: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """``cells[keep]``; a wide grid is filtered in Arrow (twice as fast over 10,000 columns)."""
    if keep.all():
        return cells
    if cells.shape[1] <= 256:
        return cells[keep]
    mask = pa.array(keep)
    columns = [pd.arrays.ArrowStringArray(c.filter(mask)) for c in column_arrays(cells)]
    frame = pd.DataFrame(dict(enumerate(columns)), index=cells.index[keep])
    return frame.set_axis(cells.columns, axis=1)


def _longest(columns: list[pa.ChunkedArray], measure) -> int:
    """The largest ``measure`` (bytes or characters) of any cell, a million cells at a time: one
    Arrow call per group of columns (not per column: 10,000 of them), temporaries kept small."""
    longest, group, size = 0, [], 0
    chunks = [k for c in columns for k in c.chunks] + [None]
    for chunk in chunks:
        if chunk is not None:
            group.append(
                chunk if chunk.type == pa.large_string() else chunk.cast(pa.large_string())
            )
            size += len(chunk)
        if group and (size >= 1 << 20 or chunk is None):
            # one array per group: per-chunk results would cost a buffer each (10,000 of them)
            found = pc.max(measure(pa.concat_arrays(group))).as_py()
            longest, group, size = max(longest, found or 0), [], 0
    return longest


def check_cells(cells: pd.DataFrame, path: Path, sheet: str | None, limits: ReadLimits) -> None:
    """Columns and the longest cell of a grid against the caps."""
    if cells.shape[1] > limits.columns:
        raise limit_error(path, sheet, "columns", cells.shape[1], limits)
    if not cells.shape[1] or not len(cells):
        return
    columns = column_arrays(cells)
    # Bytes first (free from the offsets): characters are counted only when a cell is long.
    if _longest(columns, pc.binary_length) > limits.cell_chars:
        longest = _longest(columns, pc.utf8_length)
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
