"""What people do to the workbooks the workflow sends them, for the tests of S2–S4."""

from __future__ import annotations

from pathlib import Path

import openpyxl

RECORD_ID_LABEL = "Mã đối tượng"


def fill(path: Path, out: Path, answer) -> Path:
    """Fill every list sheet as a person would: ``answer(record_id) -> {column label: value}``.

    A list sheet is one whose header (within its first rows) starts with "Mã đối tượng".
    """
    book = openpyxl.load_workbook(path)
    for ws in book.worksheets:
        header = next((r for r in range(1, 10) if ws.cell(r, 1).value == RECORD_ID_LABEL), None)
        if header is None:
            continue
        column = {ws.cell(header, c).value: c for c in range(1, ws.max_column + 1)}
        for r in range(header + 1, ws.max_row + 1):
            for label, value in answer(ws.cell(r, 1).value).items():
                ws.cell(r, column[label], value)
    book.save(out)
    return out


def screen_dir(folder: Path, **frames) -> Path:
    """A folder as ``vaxutils screen --out`` leaves it: ``<name>.parquet`` per frame."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        frame.to_parquet(folder / f"{name}.parquet")
    return folder
