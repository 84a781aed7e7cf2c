"""The rows of a returned workbook: every sheet whose header holds the list's labels (title rows
above, any sheet order), with sheet and Excel row number; a record id accepted only if it was
sent, once; the problems found, each naming the sheet, the row and the column to look at."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from vaxutils.io import normalize_header
from vaxutils.io.readers import iter_grids
from vaxutils.kernel.cells import column_or_na, stripped_text

PROBLEM_COLUMNS = ("severity", "sheet", "row", "column", "record_id", "value", "message")
HEADER_ROWS = 15  # the header is looked for in the first rows of a sheet


class Problems:
    """Problems as they are found; a frame at the end."""

    def __init__(self) -> None:
        self.rows: list[tuple] = []

    def add(self, severity, where, column, record_id, value, message) -> None:
        sheet, row = where
        self.rows.append((severity, sheet, row, column, record_id, value, message))

    def add_rows(self, rows: pd.DataFrame, mask, severity, column, values, message) -> None:
        """One problem per row of ``rows`` where ``mask`` holds (problem rows only are visited)."""
        for i in np.flatnonzero(np.asarray(mask, dtype=bool)):
            text = message(values.iat[i]) if callable(message) else message
            where = (rows["sheet"].iat[i], rows["sheet_row"].iat[i])
            self.add(severity, where, column, rows["record_id"].iat[i], values.iat[i], text)

    def frame(self) -> pd.DataFrame:
        table = pd.DataFrame(self.rows, columns=list(PROBLEM_COLUMNS))
        return table.astype({c: "Int64" if c == "row" else "string" for c in PROBLEM_COLUMNS})


def cell_text(rows: pd.DataFrame, name: str) -> pd.Series:
    """A returned column as stripped text, ``<NA>`` when blank or absent."""
    return stripped_text(column_or_na(rows, name))


def choice(raw: pd.Series, allowed: Iterable[str]) -> pd.Series:
    """Typed choices folded to the allowed spelling ("dung", "ĐÚNG" → "Đúng"); NA when not one."""
    spelled = {normalize_header(a): a for a in allowed}
    return raw.map(normalize_header, na_action="ignore").map(spelled).astype("string")


def returned_rows(
    path: Path,
    columns: dict[str, str],
    required: Iterable[str],
    problems: Problems,
    *,
    what: str,
    skip_sheets: Iterable[str] = (),
) -> pd.DataFrame:
    """The data rows of every sheet of ``path`` whose header holds the ``required`` labels.

    ``columns`` maps a header label to the name of its column in the result; the result also has
    ``sheet``, ``sheet_row`` (the row number Excel shows) and ``record_id`` (from the column named
    ``record_id``). ``what`` names the list in messages ("sổ rà soát", "danh sách đối chiếu").
    """
    folded = {normalize_header(label): name for label, name in columns.items()}
    wanted = {normalize_header(label) for label in required}
    parts = []
    for grid in iter_grids(path):
        cells = grid.cells
        header = next(
            (
                i
                for i in range(min(HEADER_ROWS, len(cells)))
                if wanted <= {normalize_header(v) for v in cells.iloc[i].dropna()}
            ),
            None,
        )
        if header is None:
            if grid.sheet not in set(skip_sheets) and cells.notna().to_numpy().any():
                listed = ", ".join(f"'{label}'" for label in required)
                problems.add(
                    "warning", (grid.sheet, None), None, None, None,
                    f"Bỏ qua trang tính không có dòng tiêu đề của {what} (cần cột {listed}). Nếu đây là "
                    "một phần của danh sách, đừng đổi tên hay xóa các cột.",
                )  # fmt: skip
            continue
        names_ = [folded.get(normalize_header(v)) for v in cells.iloc[header]]
        keep = [i for i, n in enumerate(names_) if n is not None]
        body = cells.iloc[header + 1 :]
        body = body[body.notna().any(axis=1)]
        rows = body.iloc[:, keep].set_axis([names_[i] for i in keep], axis=1)
        rows = rows.loc[:, ~rows.columns.duplicated()].reset_index(drop=True)
        rows["sheet"] = grid.sheet
        rows["sheet_row"] = body.index.to_numpy() + 1
        parts.append(rows)
    if not parts:
        problems.add(
            "error", (None, None), None, None, None,
            f"Tệp '{path.name}' không có trang tính nào của {what}: hãy gửi lại đúng tệp đã nhận.",
        )  # fmt: skip
        return pd.DataFrame({"record_id": pd.Series(dtype="string"), "sheet": [], "sheet_row": []})
    rows = pd.concat(parts, ignore_index=True)
    rows["record_id"] = cell_text(rows, "record_id")
    return rows


def usable_rows(rows: pd.DataFrame, sent: pd.Index, problems: Problems, label: str) -> np.ndarray:
    """Rows with a record id that was sent, the first time it appears (``label``: its column)."""
    rid = rows["record_id"]
    blank, unknown = rid.isna(), rid.notna() & ~rid.isin(sent)
    repeated = rid.notna() & rid.duplicated(keep="first")
    problems.add_rows(
        rows, blank, "error", label, rid,
        "Dòng không có mã đối tượng: điền lại đúng mã như trong tệp đã gửi, không thêm dòng mới.",
    )  # fmt: skip
    problems.add_rows(
        rows, unknown, "error", label, rid,
        "Mã đối tượng không có trong danh sách đã gửi: kiểm tra lại mã (không sửa cột này).",
    )  # fmt: skip
    problems.add_rows(
        rows,
        repeated,
        "error",
        label,
        rid,
        "Mã đối tượng xuất hiện nhiều lần: giữ một dòng cho mỗi người.",
    )
    return (~blank & ~unknown & ~repeated).to_numpy(dtype=bool)
