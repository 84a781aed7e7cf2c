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
from datetime import date

import numpy as np
import pandas as pd

from vaxutils.workflow.returned import (
    CORRECTABLE_FIELDS,
    ListSpec,
    Problems,
    cell_text,
    change_log,
    choice,
    read_back,
    screened_values,
)
from vaxutils.workflow.review.columns import (
    DECISIONS,
    DUPLICATE,
    FILLED,
    FIX,
    LABEL_OF_FILLED,
    SHOWN,
)
from vaxutils.workflow.review.workbook import INSTRUCTIONS_SHEET, flagged_records

REVIEW_COLUMNS = (
    "record_id",
    "village",
    "full_name",
    "dob",
    "sex",
    "id_number",
    "decision",
    "note",
    "duplicate_of",
    "reviewer",
    "changed",
    "sheet",
    "sheet_row",
)
SOURCE = "rà soát thôn"  # village review, in the change log
# whoever answers "Sửa" vouches for the whole record: screened even when nothing changed (strict)
SPEC = ListSpec(SHOWN, FILLED, answer="decision", what="sổ rà soát", strict=True,
                skip_sheets=(INSTRUCTIONS_SHEET,),
                not_returned="Hồ sơ đã gửi đi rà soát nhưng không có trong tệp gửi lại.")  # fmt: skip


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


def _decisions(rows: pd.DataFrame, corrected: pd.DataFrame, problems: Problems) -> pd.Series:
    raw = cell_text(rows, "filled_decision")
    decision = choice(raw, DECISIONS)
    label = LABEL_OF_FILLED["decision"]
    listed = ", ".join(f"'{d}'" for d in DECISIONS)
    gives = corrected.notna().any(axis=1).to_numpy()
    fix = decision.eq(FIX).fillna(False).to_numpy(dtype=bool)
    problems.add_rows(
        rows, raw.isna(), "warning", label, raw,
        "Chưa có kết luận của tổ: chọn một giá trị trong danh sách.",
    )  # fmt: skip
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


def _duplicate_of(
    rows: pd.DataFrame, decision: pd.Series, known: pd.Index, problems: Problems
) -> pd.Series:
    """For a "Trùng" row, the record it duplicates: a record id of the commune, from the column
    'Trùng với mã đối tượng' or else written in the note; without one the row goes back."""
    written = cell_text(rows, "filled_duplicate_of")
    note = cell_text(rows, "filled_note")
    tokens = note.str.extractall(r"([0-9A-Za-z][0-9A-Za-z_./-]*[0-9A-Za-z])")[0].astype("string")
    tokens = tokens[tokens.isin(known)]
    from_note = tokens.groupby(level=0).first().reindex(rows.index).astype("string")
    other = written.where(written.isin(known).fillna(False), from_note)
    other = other.where(other.ne(rows["record_id"]).fillna(True))
    duplicate = decision.eq(DUPLICATE).fillna(False).to_numpy(dtype=bool)
    label = LABEL_OF_FILLED["duplicate_of"]
    problems.add_rows(
        rows, duplicate & other.isna().to_numpy(), "error", label, written.fillna(note),
        "Chọn 'Trùng' nhưng chưa ghi mã đối tượng của hồ sơ còn lại (một mã có trong danh sách xuất "
        "của xã, khác mã của dòng này): ghi vào cột 'Trùng với mã đối tượng'.",
    )  # fmt: skip
    return other.where(duplicate)


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
    sent = flagged_records(findings)

    def decide(rows, corrected, unsure, problems):
        decision = _decisions(
            rows, corrected.assign(_unsure=np.where(unsure, True, pd.NA)), problems
        )
        duplicate_of = _duplicate_of(rows, decision, pd.Index(records["record_id"]), problems)
        fixing = decision.eq(FIX).fillna(False).to_numpy(dtype=bool)
        return fixing, {"decision": decision, "duplicate_of": duplicate_of}

    back = read_back(
        path, SPEC, sent, lambda rows: screened_values(rows, records),
        export_date=export_date, decide=decide,
    )  # fmt: skip
    rows, before, after, changed = back.rows, back.before, back.after, back.changed
    decision, duplicate_of = back.answers["decision"], back.answers["duplicate_of"]
    flags = changed.to_numpy()
    # who: the reviewer a team wrote down, else the team of the village sheet
    who = cell_text(rows, "filled_reviewer").fillna("Tổ " + rows["sheet"].astype("string"))
    review = after.assign(
        record_id=rows["record_id"],
        village=before["village"],
        decision=decision,
        note=cell_text(rows, "filled_note"),
        duplicate_of=duplicate_of.astype("string"),
        reviewer=who,
        changed=pd.array(
            [
                ", ".join(f for f, hit in zip(CORRECTABLE_FIELDS, row, strict=True) if hit) or pd.NA
                for row in flags
            ],
            dtype="string",
        ),
        sheet=rows["sheet"].astype("string"),
        sheet_row=rows["sheet_row"].astype("Int64"),
    )[list(REVIEW_COLUMNS)]
    changes = change_log(rows, before, after, changed, source=SOURCE, who=who)
    return ReviewResult(review, changes, back.problems.frame())
