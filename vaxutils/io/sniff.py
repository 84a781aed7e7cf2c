"""Tell what a file really is from its bytes, not its name.

Commune spreadsheets travel by e-mail and Zalo and get renamed: a ``.xlsx`` may be a PDF, a Word
file or an HTML page, and an Excel file protected with a password is an OLE2 container holding an
``EncryptionInfo`` stream instead of a workbook. Text files come in UTF-8 (with or without BOM),
UTF-16 (Excel's "Unicode text") or Windows-1258, separated by commas, semicolons or tabs.

>>> detect_format(b"PK\\x03\\x04...xl/workbook.xml...PK\\x05\\x06...", "a.xlsx")
'xlsx'
>>> detect_format(b"%PDF-1.7 ...", "a.xlsx")
'pdf'
>>> decode_text("Họ và tên".encode("utf-8-sig"))
('Họ và tên', 'utf-8-sig')
>>> sniff_delimiter("DANH SÁCH\\nHọ và tên;Ngày sinh;CCCD\\nAn;1990;001\\n")
';'
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import unicodedata
from collections import Counter

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ZIP_END = b"PK\x05\x06"
PARQUET_MAGIC = b"PAR1"
DELIMITERS = (",", ";", "\t", "|")
TEXT_EXTENSIONS = {".csv", ".txt", ".tsv", ""}


def detect_format(head: bytes, name: str) -> str:
    """Return the real format of a file from its first and last bytes (``head``).

    A zip's directory is at its end, so for big files pass the first and last 64 KiB joined.

    One of ``xlsx``, ``xlsb``, ``ods``, ``xls``, ``encrypted``, ``parquet``, ``text``, what it
    is instead of a spreadsheet: ``pdf``, ``zip``, ``html``, ``binary``, or a file cut short on
    its way (a download or copy that did not finish): ``truncated_zip`` (its zip directory, at
    the end, is missing: an xlsx/ods/docx alike) or ``truncated_parquet``.

    >>> detect_format(b"PK\\x03\\x04[Content_Types].xml...", "a.xlsx")
    'truncated_zip'
    >>> detect_format(b"PAR1...", "a.parquet")
    'truncated_parquet'
    """
    if head.startswith(ZIP_MAGIC):
        if ZIP_END not in head[-65_557:]:  # the end-of-directory record sits in the last 64 KiB
            return "truncated_zip"
        if b"xl/workbook.bin" in head:
            return "xlsb"
        if b"xl/workbook.xml" in head:
            return "xlsx"
        if b"opendocument.spreadsheet" in head:
            return "ods"
        return "zip"
    if head.startswith(ZIP_END):
        return "zip"  # an empty archive: its directory and nothing else
    if head.startswith(OLE2_MAGIC):
        # An OOXML file saved with a password is an OLE2 compound file whose directory names the
        # streams "EncryptionInfo" and "EncryptedPackage" (names are stored as UTF-16LE).
        if "EncryptionInfo".encode("utf-16-le") in head:
            return "encrypted"
        return "xls"
    if head.startswith(PARQUET_MAGIC):
        return "parquet" if head.endswith(PARQUET_MAGIC) else "truncated_parquet"
    if head.startswith(b"%PDF"):
        return "pdf"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")):
        return "html"
    return "text" if _looks_like_text(head) else "binary"


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    sample = head[:65536]
    if not sample:
        return True
    nul = sample.count(b"\x00")
    # UTF-16 without a BOM: every other byte is NUL for Latin text.
    if nul and (
        sample[1::2].count(b"\x00") > 0.3 * len(sample) / 2
        or sample[0::2].count(0) > 0.3 * len(sample) / 2
    ):
        return True
    control = sum(sample.count(bytes([c])) for c in range(32) if c not in (9, 10, 13))
    return control <= 0.01 * len(sample)


def marked_encoding(head: bytes) -> str | None:
    """The encoding the first bytes of a text file tell by themselves (a BOM, or UTF-16's NULs).

    >>> marked_encoding(codecs.BOM_UTF8 + b"a"), marked_encoding("Hoa".encode("utf-16-le")), marked_encoding(b"Hoa")
    ('utf-8-sig', 'utf-16-le', None)
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:65536]
    if sample and sample.count(b"\x00") > len(sample) // 4:
        return (
            "utf-16-le"
            if sample[1::2].count(b"\x00") > sample[0::2].count(b"\x00")
            else "utf-16-be"
        )
    return None


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode a text file; return ``(text, encoding)``. Raise ``UnicodeError`` when nothing fits.

    cp1258 writes tone marks as combining characters, so its text is NFC-composed to look and
    compare like the same name typed in UTF-8.
    """
    encoding = marked_encoding(data[:65536])
    if encoding:
        return data.decode(encoding), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1258")  # raises UnicodeDecodeError on its 9 undefined bytes
    if "\x00" in text:
        raise UnicodeError("NUL characters in text")
    return unicodedata.normalize("NFC", text), "cp1258"


@contextlib.contextmanager
def long_csv_fields():
    """Let the csv module read cells longer than its 128 KiB default (a pasted note, junk)."""
    old = csv.field_size_limit(2**31 - 1)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def sniff_delimiter(text: str, candidates: tuple[str, ...] = DELIMITERS) -> str:
    """Pick the delimiter that splits most of the first lines into the same number of fields.

    Title lines above the header ("DANH SÁCH ...") have one field whatever the delimiter, so
    only lines that split count.
    """
    lines = text[:200_000].splitlines()[:60]
    best, best_score = ",", 0
    for delimiter in candidates:
        with long_csv_fields():
            try:
                rows = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
                widths = [len(row) for row in rows]
            except csv.Error:  # the sample may end inside a quoted cell
                continue
        counts = Counter(w for w in widths if w > 1)
        if not counts:
            continue
        width, lines_with_width = counts.most_common(1)[0]
        score = width * lines_with_width
        if score > best_score:
            best, best_score = delimiter, score
    return best
