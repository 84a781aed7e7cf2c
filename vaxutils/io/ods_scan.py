"""The grid an OpenDocument spreadsheet (.ods) will make, known before a parser makes it.

An ods compresses repetition in its XML itself: ``<table:table-row table:number-rows-repeated=
"1000000">`` holding ``<table:table-cell table:number-columns-repeated="16384">`` is a few bytes
of ``content.xml`` that a parser expands to 16 billion cells (or loops over for minutes). So before
a parser opens the file, :func:`scan_ods` reads ``content.xml`` a megabyte at a time and adds the
repeats up: per sheet, the last row and column that hold a value. Those are checked against the
row, column and cell caps of :class:`~vaxutils.io.limits.ReadLimits`, as an xlsx's farthest cell
is (:mod:`vaxutils.io.sheet_scan`). Blank repeats after the last value are what LibreOffice
writes for a formatted sheet: they make no cells and are not counted.

>>> import io, zipfile
>>> xml = ('<table:table table:name="DS"><table:table-row table:number-rows-repeated="3">'
...        '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'
...        '</table:table-row><table:table-row table:number-rows-repeated="1048000">'
...        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table>')
>>> _extents([xml.encode()])
{'DS': (3, 1)}
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

from vaxutils.io.limits import ReadLimits, limit_error

_BLOCK = 1 << 20
_TOKEN = re.compile(
    rb"<table:table-row(\s[^>]*?)?(/?)>"
    rb"|</table:table-row>"
    rb"|<table:(?:covered-)?table-cell(\s[^>]*?)?(/?)>"
    rb"|</table:(?:covered-)?table-cell>"
    rb"|<text:[a-z]+\b"
    rb"|<table:table(\s[^>]*)?>"
    rb"|</table:table>"
)
_ROWS = re.compile(rb'table:number-rows-repeated="(\d+)"')
_COLUMNS = re.compile(rb'table:number-columns-repeated="(\d+)"')
_VALUE = re.compile(rb"office:value-type=")
_NAME = re.compile(rb'table:name="([^"]*)"')
_SPAN_ROWS = re.compile(rb'table:number-rows-spanned="(\d+)"')
_SPAN_COLUMNS = re.compile(rb'table:number-columns-spanned="(\d+)"')
Merge = tuple[int, int, int, int]


def _repeat(pattern: re.Pattern, attrs: bytes | None) -> int:
    found = pattern.search(attrs or b"")
    return max(int(found.group(1)), 1) if found else 1


def _blocks(path: Path) -> Iterable[bytes]:
    with zipfile.ZipFile(path) as book, book.open("content.xml") as part:
        while block := part.read(_BLOCK):
            yield block


def _extents(
    blocks: Iterable[bytes],
    merges: dict[str, list[Merge]] | None = None,
    present: dict[str, int] | None = None,
) -> dict[str, tuple[int, int]]:
    """``{sheet: (rows, columns)}`` up to the last cell holding a value, repeats added up;
    merged ranges (r1, c1, r2, c2, 0-based, inclusive) are added to ``merges`` per sheet."""
    extents: dict[str, tuple[int, int]] = {}
    merges = {} if merges is None else merges
    present = {} if present is None else present  # cells holding a value, repeats added up
    name, row, col, row_repeat, row_width = "", 0, 0, 1, 0
    cell_repeat, cell_value = 1, False
    carry = b""
    for block in blocks:
        data = carry + block
        cut = data.rfind(b"<")  # a tag cut by the block boundary is read with the next block
        cut = len(data) if cut < 0 or data.find(b">", cut) >= 0 else cut
        for m in _TOKEN.finditer(data, 0, cut):
            token = m.group()
            if token.startswith(b"<table:table-row"):
                row_repeat, row_width, col = _repeat(_ROWS, m.group(1)), 0, 0
                if m.group(2):  # an empty row
                    row += row_repeat
            elif token == b"</table:table-row>":
                if row_width:
                    extents[name] = (row + row_repeat, max(extents.get(name, (0, 0))[1], row_width))
                row += row_repeat
            elif token == b"</table:table>":
                name, row = "", 0
            elif token.startswith(b"</table:"):  # a cell closes
                col += cell_repeat
                row_width = max(row_width, col) if cell_value else row_width
                if cell_value:
                    present[name] = present.get(name, 0) + cell_repeat * row_repeat
            elif token.startswith((b"<table:table-cell", b"<table:covered-table-cell")):
                attrs = m.group(3) or b""
                cell_repeat = _repeat(_COLUMNS, attrs)
                cell_value = bool(_VALUE.search(attrs))
                if b"-spanned=" in attrs:  # a merged range starts here
                    down, across = _repeat(_SPAN_ROWS, attrs), _repeat(_SPAN_COLUMNS, attrs)
                    if down > 1 or across > 1:
                        merges.setdefault(name, []).append(
                            (row, col, row + down - 1, col + across - 1)
                        )
                if m.group(4):  # an empty element: it ends here
                    col += cell_repeat
                    row_width = max(row_width, col) if cell_value else row_width
                    if cell_value:
                        present[name] = present.get(name, 0) + cell_repeat * row_repeat
            elif token.startswith(b"<table:table"):
                found = _NAME.search(m.group(5) or b"")
                name = found.group(1).decode("utf-8", "replace") if found else ""
                row = 0
            else:  # text inside a cell: a value
                cell_value = True
        carry = data[cut:]
    return extents


def scan_ods(path: Path, limits: ReadLimits) -> dict[str, list[Merge]]:
    """Raise the limits message for a sheet of ``path`` whose expanded grid passes a cap; else
    return each sheet's merged ranges (fastexcel does not tell them)."""
    merges: dict[str, list[Merge]] = {}
    present: dict[str, int] = {}
    for sheet, (rows, columns) in _extents(_blocks(path), merges, present).items():
        if rows > limits.rows:
            raise limit_error(path, sheet, "rows", rows, limits)
        if columns > limits.columns:
            raise limit_error(path, sheet, "columns", columns, limits)
        grid = rows * max(columns, 26)
        if grid > limits.cells:
            raise limit_error(path, sheet, "cells", grid, limits)
        per_cell = grid // max(present.get(sheet, 0), 1)
        if grid > limits.sparse_from_cells and per_cell > limits.sparse:
            raise limit_error(path, sheet, "sparse", per_cell, limits)
    return merges
