"""A CSV/TSV/TXT export as a grid of text cells, in a bounded multiple of its size.

The file is streamed, never held whole: its encoding is found as
:func:`vaxutils.io.sniff.decode_text` would (UTF-8 checked a megabyte at a time), then it is read
line by line and split by the ``csv`` module row by row, so that a line splitting into millions
of cells stops at the column cap instead of becoming a frame of millions of columns. Rows are
handed to Arrow a block at a time: a Python string per cell (50–80 bytes each) lives only for one
block of :data:`BLOCK_CELLS` cells; the rest of the file is held as Arrow strings (4 bytes + the
text per cell, then 8 + the text in pandas' columns). A 20 MB CSV of one-character cells took
15–34 × its size as one Python string per cell; ``benchmarks/bench_limits.py`` prints what it
takes now (under 10 ×).

Rows may differ in length (title rows above the header, a footer): a short row gives blanks. How
the blocks are kept depends on the width (see :class:`_RowBlocks`).
"""

from __future__ import annotations

import codecs
import csv
import re
import unicodedata
from itertools import chain, zip_longest
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from vaxutils.io.cells import blanks_to_null
from vaxutils.io.errors import IngestError
from vaxutils.io.grid import Grid, ReadContext, truncated_warning
from vaxutils.io.limits import EXCEL_MAX_ROWS, ReadLimits, limit_error
from vaxutils.io.sniff import long_csv_fields, marked_encoding, sniff_delimiter

# Cells held as Python strings at once before they go to Arrow (≈ 15 MB of Python objects).
BLOCK_CELLS = 1 << 18
NARROW = 512  # columns: wider sheets are kept row after row (see _RowBlocks)
WIDE_ROWS = 1024  # rows of a wide sheet cut into columns at once
_STREAM = 1 << 20  # characters (or bytes) read at a time
_DECLARED = re.compile(r"sep=(.)(?:\r\n|\r|\n)?")  # Excel's own hint line, hidden when opened


def _unreadable(path: Path) -> IngestError:
    return IngestError(
        "unreadable_encoding",
        "không đọc được bảng mã của tệp văn bản",
        "cannot tell the text encoding of the file",
        path=path,
        hint_vi="Mở bằng Excel và Lưu thành (Save As) 'CSV UTF-8', hoặc xuất lại dạng .xlsx.",
        hint_en="Open it in Excel and Save As 'CSV UTF-8', or export .xlsx.",
    )


def _encoding(path: Path) -> str:
    """The encoding :func:`~vaxutils.io.sniff.decode_text` would choose, found without holding
    the file: a BOM, UTF-16 without one, UTF-8 checked a megabyte at a time, else Windows-1258."""
    with path.open("rb") as f:
        head = f.read(_STREAM)
        marked = marked_encoding(head)
        if marked:
            return marked
        check = codecs.getincrementaldecoder("utf-8")()
        try:
            chunk = head
            while chunk:
                check.decode(chunk)
                chunk = f.read(_STREAM)
            check.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            return "cp1258"  # its undefined bytes and NUL characters are caught line by line


class _RowBlocks:
    """Rows of text cells handed to Arrow a block at a time, kept column by column.

    A block of ordinary width (:data:`NARROW` columns or fewer in the first block) is cut into its
    columns as it is flushed. A wider sheet would make thousands of tiny pieces per block: its
    blocks are kept row after row (one Arrow array of cells and each row's length) until they
    hold :data:`WIDE_ROWS` rows, then cut into columns together. At the end a column's pieces are
    joined and released one column at a time, so the pieces and the frame are never both whole.
    """

    def __init__(self) -> None:
        self.by_column: bool | None = None
        self.blocks: list[tuple[int, list[pa.Array | None]]] = []  # (rows, columns)
        self.pieces: list[pa.Array] = []  # wide: cells row after row, not yet cut into columns
        self.lengths: list[np.ndarray] = []
        self.piece_rows = 0
        self.pending: list[list[str]] = []
        self.pending_cells = 0
        self.rows = 0

    def add(self, row: list[str]) -> None:
        self.pending.append(row)
        self.pending_cells += len(row) + 1
        self.rows += 1
        if self.pending_cells >= BLOCK_CELLS:
            self.flush()

    def flush(self, last: bool = False) -> None:
        rows, self.pending, self.pending_cells = self.pending, [], 0
        if rows and self.by_column is None:
            self.by_column = max(map(len, rows)) <= NARROW
        # blanks become nulls a block at a time: the temporaries stay the size of a block
        if rows and self.by_column:
            columns = [blanks_to_null(pa.array(c, pa.string())) for c in zip_longest(*rows)]
            self.blocks.append((len(rows), columns))
        elif rows:
            self.lengths.append(np.fromiter(map(len, rows), dtype=np.int64, count=len(rows)))
            flat = pa.array(list(chain.from_iterable(rows)), pa.string())
            self.pieces.append(blanks_to_null(flat))
            self.piece_rows += len(rows)
        del rows
        if self.pieces and (last or self.piece_rows >= WIDE_ROWS):
            self.blocks.append(self._cut())
        pa.default_memory_pool().release_unused()

    def _cut(self) -> tuple[int, list[pa.Array]]:
        """The wide blocks held row after row, cut into columns (one take per group of columns)."""
        lengths = np.concatenate(self.lengths)
        cells = pa.concat_arrays(self.pieces)
        self.pieces, self.lengths, self.piece_rows = [], [], 0
        starts = np.zeros(len(lengths), dtype=np.int64)
        np.cumsum(lengths[:-1], out=starts[1:])
        width, rows = int(lengths.max()), len(lengths)
        # one take per group of columns (10,000 takes cost seconds), its index ≈ a million cells
        group = max(1, (1 << 20) // rows)
        columns: list[pa.Array] = []
        for first in range(0, width, group):
            wanted = np.arange(first, min(first + group, width))
            index = (starts[None, :] + wanted[:, None]).ravel()  # column after column
            short = (lengths[None, :] <= wanted[:, None]).ravel()  # rows without that cell
            taken = cells.take(pa.array(index, mask=short))
            columns += [taken.slice(k * rows, rows) for k in range(len(wanted))]
        return rows, columns

    def frame(self) -> pd.DataFrame:
        """The rows as a text frame (blank cells as ``<NA>``); the blocks are released."""
        self.flush(last=True)
        blocks, self.blocks = self.blocks, []
        width = max((len(cols) for _, cols in blocks), default=0)
        frame = {}
        for j in range(width):
            parts = []
            for n, cols in blocks:
                parts.append(cols[j] if j < len(cols) else pa.nulls(n, pa.string()))
                if j < len(cols):
                    cols[j] = None  # released as soon as its column is joined
            # pandas keeps text as large_string: cast one column at a time, never the whole file
            joined = pa.concat_arrays(parts).cast(pa.large_string())
            frame[j] = pd.arrays.ArrowStringArray(joined)
            if j % 4 == 3:  # the pieces' memory back to the system, not kept by the allocator
                pa.default_memory_pool().release_unused()
        return pd.DataFrame(frame, index=pd.RangeIndex(self.rows))


def _checked_lines(f, encoding: str, delimiter: str, path: Path, limits: ReadLimits):
    """The lines of text file ``f``; a line too long for any cell stops before the csv module
    splits it, and before it is held whole.

    A line longer than the cell cap either holds more separators than the column cap, or, with
    none at all, is part of one cell longer than the cap (quoted or not): both known from the line,
    counted a megabyte at a time.
    """
    cap, legacy = limits.cell_chars, encoding == "cp1258"
    while line := f.readline(cap + 1):  # lines end at \r\n, \r or \n (newline="")
        if len(line) > cap:
            line = _long_line(f, line, delimiter, path, limits)
        if legacy:  # tone marks typed as combining characters: composed as UTF-8 text would be
            if "\x00" in line:
                raise UnicodeError("NUL characters in text")
            line = unicodedata.normalize("NFC", line)
        yield line


def _long_line(f, start: str, delimiter: str, path: Path, limits: ReadLimits) -> str:
    pieces, length, fields = [start], len(start), start.count(delimiter) + 1
    while not pieces[-1].endswith(("\n", "\r")) and (more := f.readline(_STREAM)):
        length, fields = length + len(more), fields + more.count(delimiter)
        if fields > limits.columns:
            pieces = [more]  # past a cap: counted on, no longer kept
        else:
            pieces.append(more)
    if fields > limits.columns:
        raise limit_error(path, None, "columns", fields, limits)
    if fields == 1:
        ending = len(pieces[-1]) - len(pieces[-1].rstrip("\r\n"))
        raise limit_error(path, None, "cell_chars", length - ending, limits)
    return "".join(pieces)


def _split(f, encoding: str, delimiter: str, path: Path, limits: ReadLimits) -> _RowBlocks:
    blocks = _RowBlocks()
    lines = _checked_lines(f, encoding, delimiter, path, limits)
    try:
        with long_csv_fields():
            for row in csv.reader(lines, delimiter=delimiter):
                if len(row) > limits.columns:
                    raise limit_error(path, None, "columns", len(row), limits)
                blocks.add(row)
    except UnicodeError:
        raise _unreadable(path) from None
    except csv.Error as exc:
        raise IngestError(
            "malformed_csv",
            f"tệp CSV bị lỗi cấu trúc ({exc})",
            f"the CSV file is malformed ({exc})",
            path=path,
            hint_vi="Mở bằng Excel, kiểm tra rồi lưu lại.",
            hint_en="Open it in Excel, check and save.",
        ) from None
    return blocks


def read_text(path: Path, ctx: ReadContext) -> Grid:
    """Read a text export (CSV, TSV, TXT) as a :class:`Grid`, streaming it from the file."""
    size = path.stat().st_size
    if size > ctx.limits.text_bytes:  # before a byte is decoded
        raise limit_error(path, None, "text_bytes", size, ctx.limits)
    encoding = _encoding(path)
    with path.open(encoding=encoding, newline="") as f:
        try:
            declared = _DECLARED.fullmatch(f.readline(16))
            if not declared:
                f.seek(0)
                head = f.read(200_000)
                f.seek(0)
        except UnicodeError:
            raise _unreadable(path) from None
        if declared:
            delimiter = declared.group(1)
        else:
            legacy = encoding == "cp1258"
            head = unicodedata.normalize("NFC", head) if legacy else head
            delimiter = "\t" if path.suffix.lower() == ".tsv" else sniff_delimiter(head)
            del head
        blocks = _split(f, encoding, delimiter, path, ctx.limits)
    cells = blocks.frame()
    warnings = [truncated_warning(path)] if len(cells) == EXCEL_MAX_ROWS else []
    return Grid(cells, None, "csv", "csv", encoding, delimiter, warnings)
