"""The worklist as a workbook: one sheet per facility, blocked doses first, Vietnamese labels."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from vaxutils.io import write_xlsx
from vaxutils.passport.worklist import READY

LABELS_VI = {
    "facility": "Cơ sở tiêm",
    "work_date": "Ngày ký",
    "record_id": "Mã đối tượng",
    "dose_number": "Mũi",
    "dose_date": "Ngày tiêm",
    "product": "Vắc xin",
    "lot": "Số lô",
    "full_name": "Họ và tên",
    "dob": "Ngày sinh",
    "id_number": "Số CMND/CCCD",
    "status": "Trạng thái",
    "reason": "Lý do bị chặn",
    "source_row": "Dòng trong tệp xuất",
    "exempt_rule": "Miễn làm sạch (S8) theo",
}


def write_passport_workbook(path: str | os.PathLike, worklist: pd.DataFrame) -> Path:
    """One sheet per facility (blocked doses first), atomically; returns the path."""
    sheets, titles = {}, {}
    for facility, rows in worklist.groupby("facility", sort=True):
        day = rows["work_date"].iloc[0]
        ready = int(rows["status"].eq(READY).sum())
        shown = rows.drop(columns=["facility", "work_date"]).assign(
            dose_date=rows["dose_date"].dt.strftime("%d/%m/%Y"),
            dob=rows["dob"].dt.strftime("%d/%m/%Y"),
        )
        sheets[facility] = shown.rename(columns=LABELS_VI)
        titles[facility] = [
            f"DANH SÁCH KÝ XÁC NHẬN HỘ CHIẾU VẮC XIN — {facility} — ngày {day:%d/%m/%Y}",
            f"{ready} mũi sẵn sàng ký, {len(rows) - ready} mũi bị chặn (xem cột Lý do bị chặn).",
        ]
    if not sheets:
        sheets = {"Không có mũi tiêm": pd.DataFrame({"Ghi chú": ["Không có mũi tiêm nào cần ký."]})}
    return write_xlsx(path, sheets, titles)
