"""Read a village review workbook back (S2, in) and check it before it goes any further.

Every village sheet is read as text (any sheet order; title rows skipped; the header found by its
labels). Each returned row must carry a record id that was sent, once, and a decision from the
list; a row marked "Sửa" must give at least one corrected value, and the corrected record is
screened again: a corrected ID that is still malformed, a birth date that does not exist, an ID
whose sex digit contradicts the corrected sex are the village's to fix. Problems name the sheet,
the row and the column a person must look at. The workbook itself is never modified.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from vaxutils import dates, ids, sex
from vaxutils.io import Export, normalize_header
from vaxutils.io.readers import iter_grids
from vaxutils.text import names
from vaxutils.workflow.review.columns import (
    CORRECTABLE,
    DECISIONS,
    FILLED,
    FIX,
    LABEL_OF_FILLED,
    LABEL_OF_SHOWN,
    SHOWN,
)
from vaxutils.workflow.review.workbook import INSTRUCTIONS_SHEET, column, dob_text, flagged_records

PROBLEM_COLUMNS = ("severity", "sheet", "row", "column", "record_id", "value", "message")
REVIEW_COLUMNS = (
    "record_id",
    "village",
    "full_name",
    "dob",
    "sex",
    "id_number",
    "decision",
    "note",
    "changed",
    "sheet",
    "sheet_row",
)
# The change log of DESIGN §3.3: every changed cell, where the change came from, who, when.
CHANGE_COLUMNS = (
    "record_id",
    "field",
    "old_value",
    "new_value",
    "source",
    "who",
    "when",
    "sheet",
    "sheet_row",
)
SOURCE = "rà soát thôn"  # village review
_HEADER_ROWS = 15  # the header is looked for in the first rows of a sheet
# Header label (folded) -> column of the returned rows; shown and filled labels differ.
_COLUMN_OF = {normalize_header(label): f"shown_{field}" for field, label in SHOWN} | {
    normalize_header(label): f"filled_{field}" for field, label in FILLED
}
_DECISION_OF = {normalize_header(d): d for d in DECISIONS}
_REQUIRED = {
    normalize_header(LABEL_OF_SHOWN["record_id"]),
    normalize_header(LABEL_OF_FILLED["decision"]),
}


@dataclass
class ReviewResult:
    """What came back: ``review`` (one row per returned record, with the final values), ``changes``
    (the change log of DESIGN §3.3, field by field: old and new value, source, who, when; the
    direct-edit list of step S5) and ``problems`` (severity, sheet, row, column, record id, value,
    Vietnamese message)."""

    review: pd.DataFrame
    changes: pd.DataFrame
    problems: pd.DataFrame

    @property
    def ok(self) -> bool:
        """No problem of severity ``error``."""
        return not self.problems["severity"].eq("error").any()


class _Problems:
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


def _text(rows: pd.DataFrame, name: str) -> pd.Series:
    if name in rows.columns:
        return rows[name].astype("string").str.strip().replace("", pd.NA)
    return pd.Series(pd.NA, index=rows.index, dtype="string")


def _sheet_rows(grid, problems: _Problems) -> pd.DataFrame | None:
    """The rows of one returned sheet, columns named ``shown_*``/``filled_*``, plus sheet/row."""
    cells = grid.cells
    header = next(
        (
            i
            for i in range(min(_HEADER_ROWS, len(cells)))
            if _REQUIRED <= {normalize_header(v) for v in cells.iloc[i].dropna()}
        ),
        None,
    )
    if header is None:
        if grid.sheet != INSTRUCTIONS_SHEET and cells.notna().to_numpy().any():
            problems.add(
                "warning",
                (grid.sheet, None),
                None,
                None,
                None,
                "Bỏ qua trang tính không có dòng tiêu đề của danh sách rà soát (cần cột "
                f"'{LABEL_OF_SHOWN['record_id']}' và '{LABEL_OF_FILLED['decision']}'). Nếu đây là "
                "danh sách của một thôn, đừng đổi tên hay xóa các cột.",
            )
        return None
    names_ = [_COLUMN_OF.get(normalize_header(v)) for v in cells.iloc[header]]
    keep = [i for i, n in enumerate(names_) if n is not None]
    body = cells.iloc[header + 1 :]
    body = body[body.notna().any(axis=1)]
    rows = body.iloc[:, keep].set_axis([names_[i] for i in keep], axis=1)
    rows = rows.loc[:, ~rows.columns.duplicated()].reset_index(drop=True)
    rows["sheet"] = grid.sheet
    rows["sheet_row"] = body.index.to_numpy() + 1  # the row number Excel shows
    return rows


def _returned_rows(path: Path, problems: _Problems) -> pd.DataFrame:
    parts = [r for g in iter_grids(path) if (r := _sheet_rows(g, problems)) is not None]
    if not parts:
        problems.add(
            "error", (None, None), None, None, None,
            f"Tệp '{path.name}' không có trang tính rà soát nào: hãy gửi lại đúng sổ rà soát đã nhận "
            "(tạo bằng 'vaxutils review out').",
        )  # fmt: skip
        return pd.DataFrame({"record_id": pd.Series(dtype="string"), "sheet": [], "sheet_row": []})
    rows = pd.concat(parts, ignore_index=True)
    rows["record_id"] = _text(rows, "shown_record_id")
    return rows


def _usable(rows: pd.DataFrame, sent: pd.Index, problems: _Problems) -> np.ndarray:
    """Rows with a record id that was sent, the first time it appears."""
    rid = rows["record_id"]
    label = LABEL_OF_SHOWN["record_id"]
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


def _decisions(rows: pd.DataFrame, corrected: pd.DataFrame, problems: _Problems) -> pd.Series:
    raw = _text(rows, "filled_decision")
    decision = raw.map(normalize_header, na_action="ignore").map(_DECISION_OF).astype("string")
    label = LABEL_OF_FILLED["decision"]
    listed = ", ".join(f"'{d}'" for d in DECISIONS)
    gives = corrected.notna().any(axis=1).to_numpy()
    fix = decision.eq(FIX).fillna(False).to_numpy(dtype=bool)
    problems.add_rows(
        rows,
        raw.isna(),
        "warning",
        label,
        raw,
        "Chưa có kết luận của tổ: chọn một giá trị trong danh sách.",
    )
    problems.add_rows(
        rows, raw.notna() & decision.isna(), "error", label, raw,
        lambda v: f"Kết luận '{v}' không hợp lệ: chọn một trong {listed}.",
    )  # fmt: skip
    problems.add_rows(
        rows, fix & ~gives, "error", label, raw,
        "Chọn 'Sửa' nhưng chưa ghi thông tin đúng vào các cột tô vàng.",
    )  # fmt: skip
    problems.add_rows(
        rows, decision.notna().to_numpy() & ~fix & gives, "warning", label, raw,
        lambda v: f"Có ghi thông tin sửa nhưng kết luận là '{v}': thông tin sửa không được dùng "
        "(chọn 'Sửa' nếu cần sửa).",
    )  # fmt: skip
    return decision


def _corrections(rows: pd.DataFrame) -> pd.DataFrame:
    """The corrected values as typed, put in the form screening writes them when they can be read
    (a name in title case, a date as dd/mm/yyyy, Nam/Nữ, an ID without separators); a value that
    cannot be read is kept as typed, and screening says why."""
    typed = pd.DataFrame({f: _text(rows, f"filled_{f}") for f in CORRECTABLE})
    parsed = dates.parse_dates(typed["dob"])
    dob = dob_text(parsed["date"], parsed["precision"])
    id_info = ids.classify_ids(typed["id_number"])
    id_ok = id_info["id_kind"].isin(["cccd", "cmnd", "passport"]).to_numpy()
    return pd.DataFrame(
        {
            "full_name": names.normalize_series(typed["full_name"]).astype("string"),
            "dob": dob.fillna(typed["dob"]),
            "sex": sex.normalize_series(typed["sex"]).astype("string").fillna(typed["sex"]),
            "id_number": id_info["id_compact"].astype("string").where(id_ok, typed["id_number"]),
        },
        index=rows.index,
    ).where(typed.notna())


def _before(rows: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    base = records.set_index("record_id").reindex(rows["record_id"].to_numpy())
    return pd.DataFrame(
        {
            "full_name": column(base, "full_name").to_numpy(),
            "dob": dob_text(column(base, "dob"), column(base, "dob_precision", "day")).to_numpy(),
            "sex": column(base, "sex").to_numpy(),
            "id_number": column(base, "id_raw").fillna(column(base, "id_compact")).to_numpy(),
            "village": column(base, "village").to_numpy(),
        },
        index=rows.index,
    ).astype("string")


def _screen_corrections(rows, after, changed, export_date, problems: _Problems) -> None:
    """Screen every corrected record again; what is still wrong goes back to the village."""
    from vaxutils.screen import screen  # a layer-3 sibling

    fixed = changed.any(axis=1).to_numpy()
    if not fixed.any():
        return
    records = after.loc[fixed, list(CORRECTABLE)].assign(
        record_id=rows.loc[fixed, "record_id"].to_numpy(),
        source_row=np.flatnonzero(fixed),  # position in ``rows``, to find the row again
    )
    found = screen(Export(records=records, doses=pd.DataFrame()), export_date=export_date).findings
    found = found[
        found["severity"].isin(["error", "warning"])
        & found["field"].isin(CORRECTABLE)
        & found["category"].isin(["missing_id", "id_format", "personal_info"])
    ]
    at = found["source_row"].to_numpy(dtype=np.int64)
    column = found["field"].map(LABEL_OF_FILLED).to_numpy(dtype=object)
    touched = changed.to_numpy()[at, [list(CORRECTABLE).index(f) for f in found["field"]]]
    for i, row in enumerate(found.itertuples(index=False)):  # a handful per commune
        where = (rows["sheet"].iat[at[i]], rows["sheet_row"].iat[at[i]])
        if touched[i]:
            text, severity = f"Thông tin sửa chưa đúng: {row.message}", row.severity
        else:
            text, severity = f"Hồ sơ đã sửa vẫn còn lỗi chưa sửa: {row.message}", "warning"
        problems.add(severity, where, column[i], row.record_id, row.value, text)


def _changes(
    review: pd.DataFrame, before: pd.DataFrame, changed: pd.DataFrame, who: pd.Series, when: str
) -> pd.DataFrame:
    parts = [
        pd.DataFrame(
            {
                "record_id": review["record_id"],
                "field": field,
                "old_value": before[field],
                "new_value": review[field],
                "source": SOURCE,
                "who": who,
                "when": when,
                "sheet": review["sheet"],
                "sheet_row": review["sheet_row"],
            }
        )[changed[field].to_numpy()]
        for field in CORRECTABLE
    ]
    table = pd.concat(parts, ignore_index=True).sort_values(["sheet", "sheet_row"], kind="stable")
    types = {c: "Int64" if c == "sheet_row" else "string" for c in CHANGE_COLUMNS}
    return table.reset_index(drop=True).astype(types)


def read_review_workbook(
    path: str | os.PathLike,
    records: pd.DataFrame,
    findings: pd.DataFrame,
    *,
    export_date: date | None = None,
) -> ReviewResult:
    """Read a returned review workbook against the screening that produced it.

    ``records`` and ``findings`` are screening's (``records.parquet``, ``findings.parquet``);
    ``export_date`` is the export's date (a corrected birth date after it is in the future).
    """
    problems = _Problems()
    sent = flagged_records(findings)
    rows = _returned_rows(Path(path), problems)
    rows = rows[_usable(rows, sent, problems)].reset_index(drop=True)
    corrected = _corrections(rows)
    decision = _decisions(rows, corrected, problems)
    before = _before(rows, records)
    after = before[list(CORRECTABLE)].copy()
    fixing = decision.eq(FIX).fillna(False).to_numpy(dtype=bool)
    for field in CORRECTABLE:
        given = fixing & corrected[field].notna().to_numpy()
        after.loc[given, field] = corrected.loc[given, field]
    changed = pd.DataFrame(
        {
            f: (after[f].ne(before[f]).fillna(after[f].notna())).to_numpy(dtype=bool)
            for f in CORRECTABLE
        },
        index=rows.index,
    )
    _screen_corrections(rows, after, changed, export_date, problems)
    for rid in sent.difference(rows["record_id"]):
        problems.add(
            "warning",
            (None, None),
            None,
            rid,
            None,
            "Hồ sơ đã gửi đi rà soát nhưng không có trong tệp gửi lại.",
        )
    flags = changed.to_numpy()
    review = after.assign(
        record_id=rows["record_id"],
        village=before["village"],
        decision=decision,
        note=_text(rows, "filled_note"),
        changed=pd.array(
            [", ".join(np.array(CORRECTABLE)[f]) or pd.NA for f in flags], dtype="string"
        ),
        sheet=rows["sheet"].astype("string"),
        sheet_row=rows["sheet_row"].astype("Int64"),
    )[list(REVIEW_COLUMNS)]
    # who: the reviewer a team wrote down, else the team of the village sheet
    who = _text(rows, "filled_reviewer").fillna("Tổ " + rows["sheet"].astype("string"))
    when = datetime.now(UTC).isoformat(timespec="seconds")
    return ReviewResult(review, _changes(review, before, changed, who, when), problems.frame())
