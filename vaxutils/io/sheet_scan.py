"""Look inside an xlsx before a parser does: sizes, a capped inflate, and what the cells hide.

A Rust parser (fastexcel, python-calamine) inflates the parts it reads without a bound: a 5 MB
workbook holding a gigabyte of whitespace or one giant shared string takes gigabytes, or panics.
So before a workbook is handed over, :func:`check_workbook` reads its zip directory (the sizes a
member declares and their compression ratio, against :class:`~vaxutils.io.limits.ReadLimits`) and
inflates the parts read when the workbook is opened (workbook, relationships, styles, shared
strings) with a cap, without keeping them. A declared size that lies is caught there too: the
inflate stops at the declared size and the zip checksum then fails. :func:`scan_sheet` does the
same for one sheet just before it is parsed, and on the way notes what the parser cannot say:

- merged ranges (``<mergeCell ref="A5:A20"/>``): the value sits in the first cell only;
- formula cells without a cached value (a workbook written by a program and never opened in
  Excel): the parser reads them as blanks;
- whether the sheet holds any value at all (for hidden sheets).

Inflating is far cheaper than parsing (≈ 0.4 s for the 100 MB of XML of a 100,000-row sheet,
against ≈ 2.5 s to parse it), and the text is looked at block by block, never held whole.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from vaxutils.io.errors import IngestError
from vaxutils.io.limits import ReadLimits, limit_error

_BLOCK = 1 << 20
_CARRY_MAX = 4 << 20
# Parts a parser reads when it opens a workbook (besides the sheets it is asked for).
_OPENED = re.compile(
    r"(^|/)(workbook\.(xml|bin)|styles\.(xml|bin)|sharedStrings\.(xml|bin)|\[Content_Types\]\.xml"
    r"|[^/]*\.rels)$",
    re.IGNORECASE,
)
# Sheet parts: an xlsx's (and xlsb's) worksheets; an ods holds every sheet in content.xml.
_WORKSHEET = re.compile(r"^(xl/worksheets/[^/]+\.(xml|bin)|content\.xml)$", re.IGNORECASE)
_MERGE = re.compile(
    rb'<(?:\w+:)?mergeCell\s[^>]*?ref="\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?"'
)
# A formula cell with no value, or an empty one (<v/>, <v></v>): written by a program, never
# calculated. Attributes are group 1 (its reference is r="B12").
_UNCACHED = re.compile(
    rb"<(?:\w+:)?c\b([^>]*?)(?<!/)>\s*<(?:\w+:)?f\b[^>]*?(?:/>|>[^<]*</(?:\w+:)?f>)\s*"
    rb"(<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>"
)
# Excel stores a formula whose result is the empty string as t="str" with an empty value: that
# is a calculated cell (=IF(A2="";"";…)), not a missing value.
_STRING_TYPE = re.compile(rb'\bt="str"')
_REF = re.compile(rb'\br="\$?([A-Z]{1,3})\d+"')
_VALUE = re.compile(rb"<(?:\w+:)?(?:v|t)\b[^>]*>[^<]")
# Cell references past column Z (a literal prefix keeps the search fast), and a row's number.
_WIDE_REF = re.compile(rb'r="([A-Z]{2,3})\d')
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="(\d+)"')


def column_index(letters: bytes | str) -> int:
    """0-based column of ``"A"`` (0), ``"Z"`` (25), ``"AA"`` (26).

    >>> column_index("A"), column_index(b"AB"), column_index("XFD")
    (0, 27, 16383)
    """
    n = 0
    for ch in letters if isinstance(letters, str) else letters.decode("ascii"):
        n = n * 26 + ord(ch) - 64
    return n - 1


@dataclass
class SheetScan:
    """What :func:`scan_sheet` saw in one sheet's XML."""

    part: str | None = None
    inflated: int = 0
    merges: list[tuple[int, int, int, int]] = field(
        default_factory=list
    )  # r1, c1, r2, c2 (0-based)
    uncached_formulas: dict[int, int] = field(default_factory=dict)  # column (0-based, -1 unknown)
    has_values: bool = False
    # The grid a parser will build spans rows 1..max_row and columns A..max_column (it is dense:
    # two far-apart cells make a huge grid), known before parsing.
    max_row: int = 0
    max_column: int = 0
    present_cells: int = 0  # <c> elements in the XML (with a value or only a style)


def corrupt_zip_error(path: Path, sheet: str | None = None) -> IngestError:
    """A workbook whose zip is broken inside (checksum, stream ended early, bad part)."""
    return IngestError(
        "corrupt_file",
        "tệp Excel bị hỏng: một phần nội dung nén không giải nén được (tệp chép hoặc tải về chưa trọn)",
        "the Excel file is damaged: part of its compressed content cannot be inflated "
        "(an incomplete copy or download)",
        path=path,
        sheet=sheet,
        hint_vi="Chép hoặc tải lại tệp gốc; nếu Excel mở được thì Lưu thành (Save As) .xlsx mới.",
        hint_en="Copy or download the original again; if Excel opens it, Save As a new .xlsx.",
    )


def _open(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise corrupt_zip_error(path) from None


def _cap_for(info: zipfile.ZipInfo, limits: ReadLimits) -> tuple[int, str]:
    if _WORKSHEET.match(info.filename):
        return limits.sheet_bytes, "sheet_bytes"
    return limits.strings_bytes, "strings_bytes"


def _check_declared(
    path: Path, info: zipfile.ZipInfo, limits: ReadLimits, sheet: str | None
) -> None:
    cap, which = _cap_for(info, limits)
    if info.file_size > cap:
        raise limit_error(path, sheet, which, info.file_size, limits)
    if info.file_size > limits.ratio_from_bytes:
        ratio = info.file_size // max(info.compress_size, 1)
        if ratio > limits.ratio:
            raise limit_error(path, sheet, "ratio", ratio, limits)


def _inflate(
    book: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    path: Path,
    cap: int,
    which: str,
    limits: ReadLimits,
    sheet: str | None,
    on_block=None,
) -> int:
    """Inflate a member block by block (nothing kept unless ``on_block`` keeps it); its size."""
    total = 0
    try:
        with book.open(info) as stream:
            while block := stream.read(_BLOCK):
                total += len(block)
                if total > cap:
                    raise limit_error(path, sheet, which, total, limits, at_least=True)
                if on_block is not None:
                    on_block(block)
    except (zipfile.BadZipFile, EOFError, zlib.error, OSError, NotImplementedError, RuntimeError):
        raise corrupt_zip_error(path, sheet) from None
    return total


def check_workbook(path: Path, limits: ReadLimits, kind: str = "xlsx") -> None:
    """Check the parts a parser reads when it opens the workbook; raise :class:`IngestError`.

    An xlsx sheet is checked by :func:`scan_sheet` when it is read (a sheet nobody reads is
    no reason to refuse the file); the sheets of an xlsb or ods are inflated here.
    """
    with _open(path) as book:
        for info in book.infolist():
            if _WORKSHEET.match(info.filename):
                if kind != "xlsx":  # an xlsx sheet is checked when read, under its name
                    _check_declared(path, info, limits, None)
                    _inflate(book, info, path, limits.sheet_bytes, "sheet_bytes", limits, None)
            elif _OPENED.search(info.filename):
                _check_declared(path, info, limits, None)
                cap, which = _cap_for(info, limits)
                _inflate(book, info, path, cap, which, limits, None)


def sheet_part(book: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding ``sheet`` (``xl/worksheets/sheet1.xml``), via workbook.xml and its rels."""
    try:
        workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, EOFError, zlib.error):
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


class _Scanner:
    """Feeds blocks of sheet XML; cut at element ends so no cell or mergeCell is split."""

    def __init__(self, scan: SheetScan, values_only: bool) -> None:
        self.scan, self.values_only, self.carry = scan, values_only, b""

    def __call__(self, block: bytes) -> None:
        data = self.carry + block
        cut = data.rfind(b"</c>") + 4
        if cut < 4 or len(data) - cut > _CARRY_MAX:
            cut = data.rfind(b">") + 1
        if not cut and len(data) > _CARRY_MAX:
            cut = len(data) - 64  # junk without tags: keep only what a tag could start in
        self.look(data[:cut])
        self.carry = data[cut:]

    def look(self, data: bytes) -> None:
        scan = self.scan
        if not scan.has_values and _VALUE.search(data):
            scan.has_values = True
        if self.values_only:
            return
        scan.present_cells += data.count(b"<c ") + data.count(b"<c>") + data.count(b":c r=")
        last = max(data.rfind(b"<row"), data.rfind(b":row"))  # rows come in order
        if last >= 0 and (number := _ROW_NUMBER.match(data, data.rfind(b"<", 0, last + 1))):
            scan.max_row = max(scan.max_row, int(number.group(1)))
        if wide := set(_WIDE_REF.findall(data)):
            scan.max_column = max(scan.max_column, *(column_index(w) + 1 for w in wide))
        if b"<f" in data or b":f" in data:
            for match in _UNCACHED.finditer(data):
                if match.group(2) and _STRING_TYPE.search(match.group(1)):
                    continue
                ref = _REF.search(match.group(1))
                column = column_index(ref.group(1)) if ref else -1
                scan.uncached_formulas[column] = scan.uncached_formulas.get(column, 0) + 1
        if b"mergeCell" in data:
            for m in _MERGE.finditer(data):
                r1, c1 = int(m.group(2)) - 1, column_index(m.group(1))
                r2 = int(m.group(4)) - 1 if m.group(4) else r1
                c2 = column_index(m.group(3)) if m.group(3) else c1
                scan.merges.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))

    def finish(self) -> None:
        self.look(self.carry)
        self.carry = b""


def scan_sheet(
    path: Path, sheet: str, limits: ReadLimits, *, values_only: bool = False
) -> SheetScan:
    """Check sheet ``sheet`` against the caps while inflating it, and note what it hides.

    ``values_only``: only tell whether the sheet holds a value (stops at the first one).
    """
    with _open(path) as book:
        part = sheet_part(book, sheet)
        scan = SheetScan(part)
        if (
            part is None
        ):  # parts not where they usually are: check every XML part the parser may read
            for info in book.infolist():
                if info.filename.lower().endswith(".xml") and not _OPENED.search(info.filename):
                    _check_declared(path, info, limits, sheet)
                    _inflate(book, info, path, limits.sheet_bytes, "sheet_bytes", limits, sheet)
            return scan
        if part not in book.NameToInfo:
            raise corrupt_zip_error(path, sheet)
        info = book.getinfo(part)
        if not values_only:  # a sheet only peeked at (hidden, not read) may be big
            _check_declared(path, info, limits, sheet)
        scanner = _Scanner(scan, values_only)
        if values_only:

            def on_block(block: bytes) -> None:
                scanner(block)
                if scan.has_values:
                    raise _Found

            try:
                _inflate(
                    book, info, path, limits.sheet_bytes, "sheet_bytes", limits, sheet, on_block
                )
            except _Found:
                return scan
        else:
            scan.inflated = _inflate(
                book, info, path, limits.sheet_bytes, "sheet_bytes", limits, sheet, scanner
            )
        scanner.finish()
    return scan


class _Found(Exception):
    """Stop inflating: what was looked for is found."""
