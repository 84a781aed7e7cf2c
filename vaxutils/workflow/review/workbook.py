"""Write the village review workbook (S2, out): one sheet per village of the records to review.

A record is sent when screening found an error or a warning a village team can settle: no ID, a
malformed ID, wrong basic information, or a possible duplicate (dose problems stay with the health
station). Each row shows the record as screened, what is wrong (the catalogue's Vietnamese
message per field) and the suggested fix; the yellow columns are for the team: a decision from a
dropdown and the corrected values. Every cell is text, so a typed ID keeps its leading zero.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pandas as pd

from vaxutils.io import write_xlsx
from vaxutils.schema import FIELD_LABELS_VI
from vaxutils.workflow.fields import column, dob_text
from vaxutils.workflow.review.columns import (
    DECISIONS,
    FILLED,
    INSTRUCTIONS,
    LABEL_OF_FILLED,
    REVIEWED_CATEGORIES,
    SHOWN,
)

INSTRUCTIONS_SHEET = "Hướng dẫn"
NO_VILLAGE = "Chưa rõ thôn"


def flagged_records(findings: pd.DataFrame) -> pd.Index:
    """The record ids a village team should review (errors and warnings of the S1 lists)."""
    wanted = findings["category"].isin(REVIEWED_CATEGORIES) & findings["severity"].isin(
        ["error", "warning"]
    )
    return pd.Index(findings.loc[wanted, "record_id"].dropna().unique(), name="record_id")


def _joined(lines: pd.DataFrame, column: str) -> pd.Series:
    """One text per record: its distinct ``field label: text`` lines, one per line."""
    lines = lines.dropna(subset=[column])
    label = lines["field"].map(FIELD_LABELS_VI).fillna("Hồ sơ")
    text = pd.DataFrame(
        {"record_id": lines["record_id"], "text": label + ": " + lines[column].astype(str)}
    ).drop_duplicates()
    # one join per record (a commune has thousands at most), not per finding
    return text.groupby("record_id", sort=False)["text"].agg("\n".join)


def problem_lines(findings: pd.DataFrame, column: str = "message") -> pd.Series:
    """Per record id, what a person should look at: ``field label: message`` lines (or the
    suggestions) of its errors and warnings on the lists a village or the police can settle."""
    wanted = findings["category"].isin(REVIEWED_CATEGORIES) & findings["severity"].isin(
        ["error", "warning"]
    )
    lines = findings[wanted]
    if column == "message" and "related" in lines.columns:
        # a duplicate names the other record(s): the team needs them, not a column it cannot see
        related = lines["related"].astype("string")
        told = lines[column].astype("string")
        lines = lines.assign(
            message=told.where(related.isna(), told + " (hồ sơ liên quan: " + related + ")")
        )
    return _joined(lines, column)


def review_sheets(records: pd.DataFrame, findings: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """``{village: rows to review}`` from screening's records and findings, villages in order.

    Columns are the Vietnamese labels of :data:`vaxutils.workflow.review.columns.SHOWN` then ``FILLED``
    (empty, for the village team).
    """
    sent = flagged_records(findings)
    chosen = records[records["record_id"].isin(sent)].sort_values("source_row", kind="stable")
    flagged = findings[findings["record_id"].isin(sent)]
    values = {
        "record_id": chosen["record_id"].astype("string"),
        "source_row": column(chosen, "source_row").astype("Int64").astype("string"),
        "village": column(chosen, "village").str.strip(),
        "full_name": column(chosen, "full_name"),
        "dob": dob_text(column(chosen, "dob"), column(chosen, "dob_precision", "day")),
        "sex": column(chosen, "sex"),
        "id_number": column(chosen, "id_raw").fillna(column(chosen, "id_compact")),
        "phone": column(chosen, "phone"),
        "problems": problem_lines(flagged).reindex(chosen["record_id"]).to_numpy(),
        "suggestions": problem_lines(flagged, "suggestion").reindex(chosen["record_id"]).to_numpy(),
    }
    table = pd.DataFrame({label: values[field] for field, label in SHOWN}, index=chosen.index)
    for _, label in FILLED:
        table[label] = pd.Series(pd.NA, index=chosen.index, dtype="string")
    village = values["village"].fillna(NO_VILLAGE).replace("", NO_VILLAGE)
    return {
        str(name): rows.reset_index(drop=True)
        for name, rows in table.groupby(village.to_numpy(), sort=True)
    }


def write_review_workbook(
    path: str | os.PathLike,
    records: pd.DataFrame,
    findings: pd.DataFrame,
    *,
    commune: str | None = None,
    made_on: date | None = None,
    villages: dict[str, pd.DataFrame] | None = None,
) -> Path:
    """Write the review workbook for one commune (atomically); returns its path.

    The first sheet is the instructions; then one sheet per village (see :func:`review_sheets`;
    ``villages`` when the caller made them already).
    """
    if villages is None:
        villages = review_sheets(records, findings)
    made_on = made_on or date.today()
    where = f"{commune} · " if commune else ""
    sheets = {INSTRUCTIONS_SHEET: pd.DataFrame({"Hướng dẫn rà soát": list(INSTRUCTIONS)})}
    titles = {
        INSTRUCTIONS_SHEET: [
            f"HƯỚNG DẪN RÀ SOÁT THÔNG TIN TIÊM CHỦNG — {where}lập ngày {made_on:%d/%m/%Y}"
        ]
    }
    for village, rows in villages.items():
        sheets[village] = rows
        titles[village] = [
            f"DANH SÁCH ĐỐI TƯỢNG CẦN RÀ SOÁT THÔNG TIN TIÊM CHỦNG — {village}",
            f"{where}{len(rows)} đối tượng · lập ngày {made_on:%d/%m/%Y}",
        ]
    every_label = [label for _, label in SHOWN] + [label for _, label in FILLED]
    return write_xlsx(
        path,
        sheets,
        titles,
        text_columns=every_label,
        choices={
            LABEL_OF_FILLED["decision"]: list(DECISIONS),
            LABEL_OF_FILLED["sex"]: ["Nam", "Nữ"],
        },
        fill_in=[label for _, label in FILLED],
    )


__all__ = ["flagged_records", "problem_lines", "review_sheets", "write_review_workbook"]
