"""Read one big xlsx sheet on every core: cut its XML between rows, parse the pieces at once.

A Rust reader (fastexcel, on calamine) parses a sheet on one core and lets go of the GIL while it
does. A worksheet's XML is a flat list of ``<row r="…">`` elements, so it can be cut between two
rows into smaller, valid worksheets; each piece goes into a small uncompressed copy of the
workbook (with the same shared strings, styles and date formats) and is parsed in a thread of its
own. Rows keep their numbers, so the pieces are put back together by position: the grid is cell
for cell the one a single read gives (tested on random workbooks).

The sheet is inflated while the first piece is already being parsed. Anything unusual — a sheet
under :data:`MIN_BYTES` or over :data:`MAX_BYTES` of XML (a bigger one would be held in memory
twice), rows without an ``r`` attribute, a prefixed namespace (``<x:row>``), a part that cannot be
found — makes :func:`read_sheet_split` return ``None``: the caller reads the whole sheet.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd

MIN_BYTES = 16 * 2**20  # ~15,000 rows: below this, one thread is as fast
MAX_BYTES = 512 * 2**20  # ~500,000 rows × 20 columns: above this, memory matters more than time
_BLOCK = 4 * 2**20
_END = b"</sheetData></worksheet>"
_ROW_NUMBER = re.compile(rb'<row\b[^>]*?\sr="(\d+)"')
# What a piece needs of the rest of the workbook: the package and workbook parts, shared strings
# and styles always; other small parts as they are. Other sheets, media, drawings and any other
# big part (pivot caches, embedded files) are left out: the reader never looks at them.
_SKIPPED = re.compile(
    r"^xl/(worksheets/[^/]+\.xml$|media/|drawings/|charts/|embeddings/|printerSettings/)"
)
_ESSENTIAL = re.compile(
    r"(^|/)(\[Content_Types\]\.xml|_rels/.*|workbook\.xml|styles\.xml|sharedStrings\.xml)$"
)
_SMALL_PART = 2**20

Piece = Callable[[bytes, str, int], pd.DataFrame]


def _sheet_part(book: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding ``sheet`` (``xl/worksheets/sheet1.xml``), via workbook.xml and its rels."""
    try:
        workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return None
    rel_id = next(
        (
            value
            for node in workbook.iterfind(".//{*}sheet")
            if node.get("name") == sheet
            for key, value in node.attrib.items()
            if key.endswith("}id")
        ),
        None,
    )
    target = next(
        (
            node.get("Target")
            for node in rels.iterfind("{*}Relationship")
            if node.get("Id") == rel_id
        ),
        None,
    )
    if rel_id is None or target is None:
        return None
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")


def _workbook_copy(parts: dict[str, bytes], name: str, xml: list) -> io.BytesIO:
    """A stored (uncompressed) workbook whose sheet ``name`` is the concatenation of ``xml``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as out:
        for member, data in parts.items():
            out.writestr(member, data)
        with out.open(name, "w", force_zip64=True) as sheet:
            for chunk in xml:
                sheet.write(chunk)
    buffer.seek(0)
    return buffer


def _pieces(stream, size: int, workers: int, submit) -> bool:
    """Inflate the sheet block by block and ``submit(xml_chunks, first_row)`` each piece once whole.

    Returns ``False`` (nothing submitted) when the sheet cannot be cut safely.
    """
    data, head, offset, first_row = bytearray(), None, 0, 0
    # Where pieces should end, roughly: a little after the even split, because the first pieces
    # start parsing while the rest is still being inflated.
    cuts = [size * k // workers + size // (20 * workers) for k in range(1, workers)]
    while block := stream.read(_BLOCK):
        data += block
        if head is None:
            start = data.find(b"<sheetData")
            opened = data.find(b">", start) + 1 if start >= 0 else 0
            if not opened:
                if len(data) > 4 * _BLOCK:
                    return False  # no rows where they should be
                continue
            if data[opened - 2 : opened] == b"/>" or b"<worksheet" not in data[:start]:
                return False  # an empty sheet, or a prefixed namespace (<x:worksheet>)
            head = bytes(data[:opened])
            del data[:opened]
            offset = opened
        while cuts and offset + len(data) > cuts[0]:
            cut = data.find(b"<row", max(cuts[0] - offset, 1))
            if cut < 0 or data.find(b">", cut) < 0:
                break  # the next row tag is not (wholly) inflated yet
            if data.find(b"</sheetData>", 0, cut) >= 0:
                cuts.clear()  # the rows ended before this cut: the last piece takes the rest
                break
            number = _ROW_NUMBER.match(data, cut)
            if not number:
                return False  # rows without numbers: only a single read knows where they are
            submit([head, bytes(memoryview(data)[:cut]), _END], first_row)  # data changes next
            first_row = int(number.group(1)) - 1
            del data[:cut]
            offset += cut
            cuts.pop(0)
    if head is None:
        return False
    submit([head, data], first_row)
    return True


def read_sheet_split(
    path: Path, sheet: str, read_piece: Piece, pieces: int | None = None
) -> pd.DataFrame | None:
    """Read ``sheet`` of the xlsx at ``path`` in pieces, or ``None`` when it should not be split.

    ``read_piece(workbook, sheet, first_row)`` reads the sheet of an in-memory workbook from sheet
    row ``first_row`` (0-based) on, into a frame indexed by sheet row with one column per sheet
    column (0 = A). The pieces are concatenated; rows or columns missing between them are ``<NA>``,
    as in a single read. Errors of ``read_piece`` reach the caller. ``pieces`` defaults to the
    number of cores (at most 8).
    """
    workers = pieces or min(os.cpu_count() or 1, 8)
    if workers < 2:
        return None
    with zipfile.ZipFile(path) as book:
        part = _sheet_part(book, sheet)
        if part is None or part not in book.NameToInfo:
            return None
        size = book.getinfo(part).file_size
        if not MIN_BYTES <= size <= MAX_BYTES:
            return None
        # The sheet itself is written into each piece under its own name.
        parts = {
            info.filename: book.read(info)
            for info in book.infolist()
            if _ESSENTIAL.search(info.filename)
            or (info.file_size <= _SMALL_PART and not _SKIPPED.match(info.filename))
        }
        with book.open(part) as stream, ThreadPoolExecutor(workers) as pool:
            futures = []

            def read(xml: list, first_row: int) -> pd.DataFrame:
                return read_piece(_workbook_copy(parts, part, xml).getvalue(), sheet, first_row)

            def submit(xml: list, first_row: int) -> None:
                futures.append(pool.submit(read, xml, first_row))

            whole = _pieces(stream, size, workers, submit)
            for future in futures if not whole else ():
                future.cancel()
            frames = [f.result() for f in futures] if whole else []
    if not whole:
        return None
    grid = pd.concat(frames)
    rows = pd.RangeIndex(int(grid.index.max()) + 1 if len(grid) else 0)
    columns = pd.RangeIndex(int(max(grid.columns, default=-1)) + 1)
    return grid.reindex(index=rows, columns=columns)
