"""How much a reader may take from one file: caps checked before and while a file is inflated.

An xlsx of a few megabytes can inflate to gigabytes (a sheet of whitespace, one giant cell, a
giant shared string), and a one-line CSV can split into millions of columns. Every reader checks
these caps before it builds anything (zip member sizes from the central directory, the compression
ratio, a Parquet file's metadata, a text file's size), while it inflates (a capped streaming
inflate of the parts the parser will read) and on what it built (rows, columns, longest cell).
Past a cap the read stops with one message naming the file, the sheet, the cap and how to raise it.

The defaults are generous: a province's single sheet (a million rows) fits. Each cap can be raised
for one run with an environment variable, e.g. ``VAXUTILS_MAX_SHEET_MB=4096``.

>>> limits = ReadLimits.from_env({"VAXUTILS_MAX_CELL_CHARS": "100000"})
>>> limits.cell_chars, limits.sheet_bytes == 1024 * 2**20
(100000, True)
>>> print(limit_error("ds.xlsx", "Danh sách", "cell_chars", 250_000, limits).message_en)
File 'ds.xlsx', sheet 'Danh sách': a cell holds 250,000 characters, more than the limit of 100,000 characters. If the file is genuine, raise the limit: set VAXUTILS_MAX_CELL_CHARS (e.g. VAXUTILS_MAX_CELL_CHARS=312500) and run again.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

from vaxutils.io.errors import IngestError

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
_MB = 2**20


@dataclass(frozen=True)
class ReadLimits:
    """Caps on what one file may inflate to (bytes) or hold (rows, columns, characters)."""

    sheet_bytes: int = 1024 * _MB  # one sheet's XML, inflated (a million rows × 20 columns ≈ 1 GB)
    strings_bytes: int = 512 * _MB  # the shared-strings part, inflated
    ratio: int = 200  # inflated / compressed, for a part bigger than ratio_from_bytes
    ratio_from_bytes: int = 64 * _MB
    text_bytes: int = 1024 * _MB  # a CSV/text file, or a Parquet file's uncompressed data
    cell_chars: int = 1_000_000  # Excel stops at 32,767; a pasted note may be longer in a CSV
    rows: int = EXCEL_MAX_ROWS
    columns: int = EXCEL_MAX_COLUMNS
    cells: int = 50_000_000  # rows × columns of the grid a parser builds (a million × 50)
    # A grid far bigger than the cells the sheet holds (A1 and a stray value in row 1,048,576):
    # each empty grid cell still costs the parser ~90 bytes, so a 1 kB sheet can take a GB.
    # Refused past ``sparse`` grid cells per cell present, once the grid has ``sparse_from_cells``.
    sparse: int = 100
    sparse_from_cells: int = 5_000_000

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ReadLimits:
        """The defaults, each replaced by its environment variable when set to a number."""
        environ = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            name, scale = _ENV[f.name]
            raw = environ.get(name, "").strip()
            if raw:
                try:
                    values[f.name] = int(float(raw) * scale)
                except ValueError:
                    pass  # a typo keeps the default rather than stopping every read
        return cls(**values)


# field -> (environment variable, multiplier from its unit to bytes/count)
_ENV = {
    "sheet_bytes": ("VAXUTILS_MAX_SHEET_MB", _MB),
    "strings_bytes": ("VAXUTILS_MAX_STRINGS_MB", _MB),
    "ratio": ("VAXUTILS_MAX_RATIO", 1),
    "ratio_from_bytes": ("VAXUTILS_RATIO_FROM_MB", _MB),
    "text_bytes": ("VAXUTILS_MAX_TEXT_MB", _MB),
    "cell_chars": ("VAXUTILS_MAX_CELL_CHARS", 1),
    "rows": ("VAXUTILS_MAX_ROWS", 1),
    "columns": ("VAXUTILS_MAX_COLUMNS", 1),
    "cells": ("VAXUTILS_MAX_CELLS", 1),
    "sparse": ("VAXUTILS_MAX_SPARSE", 1),
    "sparse_from_cells": ("VAXUTILS_SPARSE_FROM_CELLS", 1),
}

# field -> (what exceeded it, in Vietnamese and English; the unit of the value)
_WHAT = {
    "sheet_bytes": (
        "nội dung trang tính khi giải nén",
        "the sheet's content, once inflated,",
        "MB",
    ),
    "strings_bytes": (
        "bảng chuỗi dùng chung (sharedStrings) khi giải nén",
        "the shared-strings part, once inflated,",
        "MB",
    ),
    "ratio": ("tỉ lệ nén của trang tính", "the sheet's compression ratio", "x"),
    "text_bytes": ("dữ liệu của tệp", "the file's data", "MB"),
    "cell_chars": ("một ô có", "a cell holds", "chars"),
    "rows": ("trang tính có", "the sheet has", "rows"),
    "columns": ("trang tính có", "the sheet has", "columns"),
    "sparse": (
        "vùng dữ liệu của trang tính (từ ô A1 đến ô xa nhất) so với số ô thực có dữ liệu: gấp",
        "the sheet's range (from A1 to its farthest cell) against the cells it really holds:",
        "x",
    ),
    "cells": (
        "vùng dữ liệu của trang tính (từ ô A1 đến ô xa nhất) gồm",
        "the sheet's range (from A1 to its farthest cell) spans",
        "cells",
    ),
}
_UNIT = {
    "MB": ("MB", "MB"),
    "x": ("lần", "times"),
    "chars": ("ký tự", "characters"),
    "rows": ("dòng", "rows"),
    "columns": ("cột", "columns"),
    "cells": ("ô", "cells"),
}


def _amount(value: int, unit: str, lang: int) -> str:
    if unit == "MB":
        return f"{value / _MB:,.0f} MB"
    return f"{value:,} {_UNIT[unit][lang]}"


def limit_error(
    path, sheet: str | None, which: str, value: int, limits: ReadLimits, *, at_least: bool = False
) -> IngestError:
    """The one message for a file past cap ``which`` (a :class:`ReadLimits` field name).

    ``at_least``: ``value`` is where reading stopped, the real amount is bigger.
    """
    what_vi, what_en, unit = _WHAT[which if which != "ratio_from_bytes" else "ratio"]
    name, scale = _ENV[which]
    limit = getattr(limits, which)
    more_vi, more_en = ("hơn ", "more than ") if at_least else ("", "")
    suggested = max(limit * 2, int(value * 1.25)) // scale
    hint_vi = (
        f"Nếu tệp đúng là như vậy, hãy nâng giới hạn: đặt biến môi trường {name} "
        f"(ví dụ {name}={suggested}) rồi chạy lại. Nếu không, tệp có thể bị hỏng hoặc bị làm giả: "
        "xuất lại dữ liệu từ hệ thống."
    )
    hint_en = f"If the file is genuine, raise the limit: set {name} (e.g. {name}={suggested}) and run again."
    return IngestError(
        f"limit_{which}",
        f"{what_vi} {more_vi}{_amount(value, unit, 0)}, vượt giới hạn {_amount(limit, unit, 0)}",
        f"{what_en} {more_en}{_amount(value, unit, 1)}, more than the limit of {_amount(limit, unit, 1)}",
        path=path,
        sheet=sheet,
        hint_vi=hint_vi,
        hint_en=hint_en,
    )
