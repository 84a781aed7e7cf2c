"""Steps S3–S4: the commune police check the list against the National Population Database.

Out: one list (after the village review when there was one, else screening's S1 lists) with what
the commune knows of each person and yellow columns for the police: checked in the database
(Có/Không), the 12-digit personal ID number and the name, birth date and sex the database holds,
and the officer. Back: every row is checked (a record that was sent, once; a result; an officer;
a checked person has a valid 12-digit number consistent with sex and birth year), the corrected
records are screened again, every change goes to the change log, and the sign-off (S4) records
who signed, when, and the SHA-256 of the returned file, which is kept as evidence.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from vaxutils import ids
from vaxutils.io import file_sha256, write_atomic, write_xlsx
from vaxutils.workflow.fields import column
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
from vaxutils.workflow.review.workbook import flagged_records, problem_lines

YES, NO = "Có", "Không"
SHEET = "Danh sách đối chiếu"
INSTRUCTIONS_SHEET = "Hướng dẫn"
SOURCE = "công an xã"  # in the change log
SHOWN: tuple[tuple[str, str], ...] = (
    ("record_id", "Mã đối tượng"),
    ("village", "Thôn/Ấp/Tổ"),
    ("full_name", "Họ và tên"),
    ("dob", "Ngày sinh"),
    ("sex", "Giới tính"),
    ("id_number", "Số CMND/CCCD"),
    ("decision", "Kết luận của thôn"),
    ("problems", "Vấn đề"),
)
FILLED: tuple[tuple[str, str], ...] = (
    ("verified", "Đã đối chiếu CSDL dân cư"),
    ("id_number", "Số định danh cá nhân (12 số)"),
    ("full_name", "Họ và tên theo CSDL"),
    ("dob", "Ngày sinh theo CSDL"),
    ("sex", "Giới tính theo CSDL"),
    ("note", "Ghi chú"),
    ("officer", "Cán bộ đối chiếu"),
)
LABEL_OF_SHOWN, LABEL_OF_FILLED = dict(SHOWN), dict(FILLED)
VERIFIED_COLUMNS = (
    "record_id",
    "full_name",
    "dob",
    "sex",
    "id_number",
    "verified",
    "officer",
    "note",
    "sheet",
    "sheet_row",
)
SPEC = ListSpec(SHOWN, FILLED, answer="verified", what="danh sách đối chiếu",
                skip_sheets=(INSTRUCTIONS_SHEET,),
                not_returned="Hồ sơ đã gửi công an đối chiếu nhưng không có trong tệp gửi lại.")  # fmt: skip
INSTRUCTIONS: tuple[str, ...] = (
    "Công an xã đối chiếu từng người trong danh sách với Cơ sở dữ liệu quốc gia về dân cư.",
    f"Cột '{LABEL_OF_FILLED['verified']}': chọn '{YES}' khi đã tìm thấy và đối chiếu, '{NO}' khi không "
    "có trong CSDL dân cư (ghi lý do vào Ghi chú): hồ sơ đó chưa được nhập lên nền tảng.",
    f"Khi chọn '{YES}': ghi số định danh cá nhân 12 chữ số (hoặc số CMND 9 số nếu CSDL chỉ có số đó);"
    " chỉ ghi họ tên, ngày sinh, giới tính khi CSDL khác với danh sách.",
    f"Ghi tên cán bộ đối chiếu vào cột '{LABEL_OF_FILLED['officer']}' ở mọi dòng.",
    "Không sửa cột 'Mã đối tượng', không thêm hay xóa dòng. Ký xác nhận rồi gửi lại trạm y tế xã.",
)


@dataclass
class PoliceResult:
    """What came back: ``verified`` (the police_verified table), ``changes`` (change log),
    ``problems`` (sheet, row, column, message) and ``signoff`` (S4: who, when, file SHA-256)."""

    verified: pd.DataFrame
    changes: pd.DataFrame
    problems: pd.DataFrame
    signoff: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """No problem of severity ``error``."""
        return not self.problems["severity"].eq("error").any()


def _sent_values(
    records: pd.DataFrame, review: pd.DataFrame | None, sent: pd.Index
) -> pd.DataFrame:
    """What the commune knows of each person sent to the police: the village's values if reviewed."""
    rows = pd.DataFrame({"record_id": pd.array(sent, dtype="string")})
    values = screened_values(rows, records)
    values["decision"] = pd.array([pd.NA] * len(rows), dtype="string")
    if review is not None:
        reviewed = review.drop_duplicates("record_id").set_index("record_id").reindex(sent)
        for name in (*CORRECTABLE_FIELDS, "decision"):
            village = pd.Series(column(reviewed, name).to_numpy(), index=values.index)
            values[name] = village.fillna(values[name])  # what the village left blank stays
    return values.assign(record_id=rows["record_id"])


def police_sent(findings: pd.DataFrame, review: pd.DataFrame | None = None) -> pd.Index:
    """The record ids on the police list: every reviewed record, else screening's S1 lists."""
    if review is not None:
        return pd.Index(review["record_id"].dropna().astype("string").unique(), name="record_id")
    on_lists = findings[findings["category"].isin(["missing_id", "id_format", "personal_info"])]
    return flagged_records(on_lists)


def police_list(
    records: pd.DataFrame, findings: pd.DataFrame, review: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The list for the police, columns labelled in Vietnamese (the yellow ones empty)."""
    sent = police_sent(findings, review)
    values = _sent_values(records, review, sent)
    values["problems"] = (
        problem_lines(findings[findings["record_id"].isin(sent)]).reindex(sent).to_numpy()
    )
    table = pd.DataFrame({label: values[name].to_numpy() for name, label in SHOWN})
    for _, label in FILLED:
        table[label] = pd.Series(pd.NA, index=table.index, dtype="string")
    return table.sort_values([LABEL_OF_SHOWN["village"], LABEL_OF_SHOWN["record_id"]]).reset_index(
        drop=True
    )


def write_police_list(
    path: str | os.PathLike,
    records: pd.DataFrame,
    findings: pd.DataFrame,
    review: pd.DataFrame | None = None,
    *,
    commune: str | None = None,
    made_on: date | None = None,
) -> Path:
    """Write the police list (instructions, then one sheet) atomically; returns its path."""
    table = police_list(records, findings, review)
    made_on = made_on or date.today()
    where = f"{commune} · " if commune else ""
    labels = [label for _, label in SHOWN] + [label for _, label in FILLED]
    return write_xlsx(
        path,
        {
            INSTRUCTIONS_SHEET: pd.DataFrame({"Hướng dẫn đối chiếu": list(INSTRUCTIONS)}),
            SHEET: table,
        },
        {
            SHEET: [
                "DANH SÁCH ĐỐI CHIẾU VỚI CƠ SỞ DỮ LIỆU QUỐC GIA VỀ DÂN CƯ",
                f"{where}{len(table)} đối tượng · lập ngày {made_on:%d/%m/%Y}",
            ]
        },
        text_columns=labels,
        choices={LABEL_OF_FILLED["verified"]: [YES, NO], LABEL_OF_FILLED["sex"]: ["Nam", "Nữ"]},
        fill_in=[label for _, label in FILLED],
    )


def _check_results(
    rows: pd.DataFrame, verified: pd.Series, after: pd.DataFrame, problems: Problems
) -> None:
    raw = cell_text(rows, "filled_verified")
    label = LABEL_OF_FILLED["verified"]
    problems.add_rows(
        rows,
        raw.isna(),
        "error",
        label,
        raw,
        f"Chưa ghi kết quả đối chiếu: chọn '{YES}' hoặc '{NO}'.",
    )
    problems.add_rows(
        rows, raw.notna() & verified.isna(), "error", label, raw,
        lambda v: f"Kết quả '{v}' không hợp lệ: chọn '{YES}' hoặc '{NO}'.",
    )  # fmt: skip
    officer = cell_text(rows, "filled_officer")
    problems.add_rows(
        rows, officer.isna(), "error", LABEL_OF_FILLED["officer"], officer,
        "Thiếu tên cán bộ đối chiếu.",
    )  # fmt: skip
    checked = verified.eq(YES).fillna(False).to_numpy(dtype=bool)
    kind = ids.classify_ids(after["id_number"])["id_kind"].to_numpy(dtype=object)
    # a 9-digit CMND the database still holds is a valid answer (valid in 2022, DESIGN §2.2)
    problems.add_rows(
        rows, checked & ~np.isin(kind, ["cccd", "cmnd"]), "error", LABEL_OF_FILLED["id_number"],
        after["id_number"],
        "Người đã đối chiếu phải có số định danh cá nhân 12 chữ số (hoặc CMND 9 số) hợp lệ: ghi vào "
        "cột tô vàng dạng văn bản để không mất số 0 ở đầu.",
    )  # fmt: skip


def read_police_list(
    path: str | os.PathLike,
    records: pd.DataFrame,
    findings: pd.DataFrame,
    review: pd.DataFrame | None = None,
    *,
    export_date: date | None = None,
) -> PoliceResult:
    """Read the police list back, check it, and make the sign-off record (S4)."""
    path = Path(path)
    sent = police_sent(findings, review)

    def values_of(rows: pd.DataFrame) -> pd.DataFrame:
        return _sent_values(records, review, pd.Index(rows["record_id"])).set_axis(rows.index)

    def check(rows: pd.DataFrame, after: pd.DataFrame, problems: Problems) -> dict:
        verified = choice(cell_text(rows, "filled_verified"), (YES, NO))
        _check_results(rows, verified, after, problems)
        return {"verified": verified}

    back = read_back(path, SPEC, sent, values_of, export_date=export_date, check=check)
    rows, before, after, changed = back.rows, back.before, back.after, back.changed
    verified = back.answers["verified"]
    officer = cell_text(rows, "filled_officer")
    table = after.assign(
        record_id=rows["record_id"],
        verified=verified,
        officer=officer,
        note=cell_text(rows, "filled_note"),
        sheet=rows["sheet"].astype("string"),
        sheet_row=rows["sheet_row"].astype("Int64"),
    )[list(VERIFIED_COLUMNS)]
    changes = change_log(
        rows, before, after, changed, source=SOURCE, who=officer.fillna("công an xã")
    )
    found = back.problems.frame()
    signoff = {
        "step": "S4",
        "list": path.name,
        "sha256": file_sha256(path),
        "signed_by": sorted(officer.dropna().unique().tolist()),
        "received_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "n_rows": len(table),
        "n_verified": int(verified.eq(YES).sum()),
        "n_not_found": int(verified.eq(NO).sum()),
        "n_changes": len(changes),
        "n_errors": int(found["severity"].eq("error").sum()),
        "n_warnings": int(found["severity"].eq("warning").sum()),
    }
    return PoliceResult(table, changes, found, signoff)


def keep_evidence(path: str | os.PathLike, folder: str | os.PathLike, sha256: str) -> Path:
    """Copy the signed list into ``folder`` under its hash (the original is never touched)."""
    source = Path(path)
    target = Path(folder) / f"{sha256[:16]}_{source.name}"
    return write_atomic(target, lambda tmp: shutil.copyfile(source, tmp))
