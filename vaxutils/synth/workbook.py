"""Write a synthetic export the way commune spreadsheets really hold it: some numbers are numbers.

:func:`vaxutils.io.write_xlsx` writes workbooks for people and keeps every identifier as text, on
purpose. The files the product *reads* are messier: a number typed or pasted into a General
cell is stored as a number, and an ID, phone or insurance number that started with ``0`` has lost
it. The synthetic export marks such cells as Python ``int`` (see :mod:`vaxutils.synth.inject`);
this writer stores them as numeric cells, so that the reader's numeric path is exercised end to
end. Every other cell is text, and text is never a formula (quote prefix, as the io writer does).

>>> import tempfile, pathlib, openpyxl
>>> frame = pd.DataFrame({"Số CCCD": ["004090012345", 4090012346, None], "Ghi chú": ["=1+1", "", "x"]})
>>> path = write_export_xlsx(pathlib.Path(tempfile.mkdtemp()) / "e.xlsx", frame, ["DANH SÁCH"])
>>> ws = openpyxl.load_workbook(path).active
>>> [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
[['Số CCCD', 'Ghi chú'], ['004090012345', '=1+1'], [4090012346, None], [None, 'x']]
>>> ws["A4"].data_type, ws["B3"].data_type
('n', 's')
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

SHEET = "Danh sách"


def _cells(ws, column: pd.Series) -> list:
    """Cell values of one column: int stays a number, text stays text (never a formula)."""
    from openpyxl.cell import WriteOnlyCell

    from vaxutils.io import formula_like

    values = column.to_numpy(dtype=object, copy=True)
    values[pd.isna(values)] = None
    values[values == ""] = None  # an empty string is an empty cell, as Excel saves it
    risky = formula_like(pd.Series(values, dtype=object)).to_numpy(dtype=bool)
    for i in np.flatnonzero(risky):
        cell = WriteOnlyCell(ws, value=values[i])
        cell.data_type, cell.quotePrefix = "s", True
        values[i] = cell
    return values.tolist()


def write_export_xlsx(
    path: str | os.PathLike, frame: pd.DataFrame, titles: list[str] | tuple[str, ...] = ()
) -> Path:
    """Write ``frame`` on one sheet under ``titles``, atomically; ``int`` cells stay numeric."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from vaxutils.io import write_atomic

    def write(tmp: Path) -> None:
        book = Workbook(write_only=True)
        ws = book.create_sheet(SHEET)
        for line in titles:
            cell = WriteOnlyCell(ws, value=str(line))
            cell.data_type, cell.font = "s", Font(bold=True)
            ws.append([cell])
        ws.append([str(c) for c in frame.columns])
        columns = [_cells(ws, frame.iloc[:, i]) for i in range(frame.shape[1])]
        for row in zip(*columns, strict=True):
            ws.append(row)
        book.save(tmp)

    return write_atomic(path, write)
