"""What a sheet hides from a parser, made visible: merged ranges and formulas without values.

**Merged cells.** A village column merged over its people's rows holds the village in the range's
first cell only; every parser reads the other rows as blank, so 193 of 202 people would lose their
village. :func:`fill_merged` writes the range's value on every row it covers (in the range's first
column: a range spanning columns does not copy a name into the next field) and lists the cells it
filled, so screening can say so (an ``info`` finding, ``merged_cell_filled``). Only ranges wholly
under the header are filled: a merged header is the header reader's business.

**Formulas without a cached value.** A workbook written by a program and never opened in Excel
stores ``=A2&B2`` but not its result; parsers read those cells as blank. A column of them would
be screened as "100% IDs missing". :func:`formula_problems` turns them into one clear message.

>>> cells = pd.DataFrame({0: ["Thôn", "Thôn 1", None, None, "Thôn 2"], 1: ["Tên", "An", "Bình", "Chi", "Dũng"]},
...                      dtype="string")
>>> body, filled = fill_merged(cells.iloc[1:], cells, [(1, 0, 3, 0)], first_body_row=1)
>>> body[0].tolist(), filled.to_dict("records")
(['Thôn 1', 'Thôn 1', 'Thôn 1', 'Thôn 2'], [{'row': 2, 'column': 0, 'value': 'Thôn 1'}, {'row': 3, 'column': 0, 'value': 'Thôn 1'}])
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vaxutils.io.errors import IngestError, IngestWarning

FILLED_COLUMNS = ("row", "column", "value")


def _no_fill() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": pd.Series(dtype="int64"),
            "column": pd.Series(dtype="int64"),
            "value": pd.Series(dtype="string"),
        }
    )


def fill_merged(
    body: pd.DataFrame, cells: pd.DataFrame, merges, first_body_row: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``body`` (rows of ``cells`` under the header) with merged ranges filled down.

    ``merges`` holds ``(r1, c1, r2, c2)`` (0-based sheet rows/columns, inclusive; the index of
    ``cells`` is the sheet row). Returns the new body and one row per filled cell: ``row`` (sheet
    row, 0-based), ``column`` (0-based) and the ``value`` written. A cell that holds something is
    never overwritten. The inputs are not modified.
    """
    ranges = np.asarray(list(merges), dtype=np.int64).reshape(-1, 4)
    keep = (
        (ranges[:, 0] >= first_body_row)
        & (ranges[:, 2] > ranges[:, 0])
        & (ranges[:, 1] < body.shape[1])
        & (ranges[:, 0] < len(cells))
    )
    ranges = ranges[keep]
    if not len(ranges) or body.empty:
        return body, _no_fill()
    body = body.copy()
    rows = body.index.to_numpy()
    filled = []
    for column in np.unique(ranges[:, 1]):  # a loop over columns, not over rows or ranges
        mine = ranges[ranges[:, 1] == column]
        mine = mine[np.argsort(mine[:, 0])]
        top = cells.iloc[mine[:, 0], int(column)].to_numpy(dtype=object)
        # The range a row falls in: the last one starting at or above it (merges never overlap).
        k = np.searchsorted(mine[:, 0], rows, side="right") - 1
        at = k.clip(0)
        current = body.iloc[:, int(column)]
        inside = (k >= 0) & (rows > mine[at, 0]) & (rows <= mine[at, 2])
        inside &= current.isna().to_numpy() & pd.notna(top[at])
        if not inside.any():
            continue
        values = pd.array(top[at][inside], dtype="string")
        updated = current.copy()
        updated.iloc[np.flatnonzero(inside)] = values
        body.isetitem(int(column), updated)
        filled.append(pd.DataFrame({"row": rows[inside], "column": int(column), "value": values}))
    if not filled:
        return body, _no_fill()
    return body, pd.concat(filled, ignore_index=True).astype({"row": "int64", "column": "int64"})


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def formulas_error(path, sheet: str | None, count: int, column: str | None = None) -> IngestError:
    """Cells that are formulas with no value saved: the file must be opened and saved once."""
    where_vi = f"cột '{column}' có" if column else "trang tính có"
    where_en = f"column '{column}' has" if column else "the sheet has"
    return IngestError(
        "formulas_without_values",
        f"{where_vi} {count:,} ô là công thức chưa được tính (tệp do phần mềm tạo ra, chưa từng "
        "được mở và lưu bằng Excel) nên không có giá trị để đọc — dữ liệu không phải bị thiếu",
        f"{where_en} {count:,} formula cells whose values were never calculated (the file was "
        "written by a program and never opened and saved in Excel), so there is nothing to read "
        "— the data is not missing",
        path=path,
        sheet=sheet,
        column=None,
        hint_vi="Mở tệp bằng Excel hoặc LibreOffice, bấm Lưu (Save), đóng lại rồi chạy lại.",
        hint_en="Open the file in Excel or LibreOffice, Save it, close it and run again.",
    )


def formula_problems(
    path, sheet: str | None, uncached: dict[int, int], mapped: dict[int, str], n_rows: int
) -> list[IngestWarning]:
    """Raise when a mapped column is mostly formulas without values; else warn about any.

    ``uncached``: formula cells without a value per sheet column (0-based); ``mapped``: the
    columns read as fields, with their header; ``n_rows``: data rows under the header.
    """
    for column, label in mapped.items():
        count = uncached.get(column, 0)
        if count and count * 2 >= max(n_rows, 1):
            raise formulas_error(path, sheet, count, label)
    total = sum(uncached.values())
    if not total:
        return []
    columns = ", ".join(_column_letter(c) for c in sorted(uncached) if c >= 0)
    return [
        IngestWarning(
            "formulas_without_values",
            f"Có {total:,} ô công thức chưa được tính (cột {columns or '?'}), đọc thành ô trống. Mở tệp "
            f"bằng Excel/LibreOffice, Lưu lại rồi chạy lại để có giá trị của chúng. — {total:,} formula "
            "cells have no calculated value and read as blank; open and save the file in "
            "Excel/LibreOffice, then run again.",
        )
    ]


def filled_by_record(
    filled: pd.DataFrame, fields: dict[int, str], records: pd.DataFrame, doses: pd.DataFrame
) -> pd.DataFrame:
    """The filled cells of mapped columns as ``record_id, source_row, field, value``.

    ``fields``: sheet column → field name; a row's record is the record or dose read from it.
    """
    columns = {"record_id": "string", "source_row": "Int64", "field": "string", "value": "string"}
    mapped = filled[filled["column"].isin(list(fields))]
    rows = pd.concat(
        [records[["source_row", "record_id"]], doses[["source_row", "record_id"]]],
        ignore_index=True,
    ).drop_duplicates("source_row")
    table = pd.DataFrame(
        {
            "source_row": mapped["row"].to_numpy() + 1,
            "field": mapped["column"].map(fields).to_numpy(),
            "value": mapped["value"].to_numpy(),
        }
    ).merge(rows.astype({"source_row": "int64"}), on="source_row", how="inner")
    return table[list(columns)].astype(columns).reset_index(drop=True)


def empty_filled() -> pd.DataFrame:
    """No filled cell: the ``Export.filled`` table with its columns and types."""
    return filled_by_record(_no_fill(), {}, _RECORDS, _RECORDS)


_RECORDS = pd.DataFrame(
    {"source_row": pd.Series(dtype="int64"), "record_id": pd.Series(dtype="string")}
)
