"""Between S5 and S6: what the platform did with the import file.

The platform writes its verdict into the file it was given: column AH ("Kết quả import Thất bại")
holds the reason a row was refused, AI ("Kết quả import Thành công") the confirmation. Each row of
the returned file is matched to the record it was made from: by its Excel row, checked against
the ID number sent (``nhap_nen_tang.csv`` keeps ``template_row``); when the row moved (a person
sorted the sheet), by the ID number when it is unique. A row that matches nothing sent is listed,
never attached to a guess.

>>> returned = pd.DataFrame({"source_row": [9, 10, 11], "id_number": ["004090012345", "004190012346", "1"],
...     "full_name": ["A", "B", "C"], "dob": ["01/01/1990"] * 3, "result": ["imported", "failed", "failed"],
...     "reason": ["Thành công", "Số CCCD đã tồn tại", "x"]})
>>> sent = pd.DataFrame({"record_id": ["r1", "r2"], "id_number": ["004190012346", "004090012345"],
...     "template_row": ["10", "9"]})
>>> match_results(returned, sent)[["record_id", "source_row", "result"]].to_dict("list")
{'record_id': ['r2', 'r1', None], 'source_row': [9, 10, 11], 'result': ['imported', 'failed', 'unmatched']}
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from vaxutils.io import write_xlsx
from vaxutils.stage_files import PLATFORM

RESULTS_FILE = PLATFORM.results_stem
SUMMARY_FILE = PLATFORM.results_summary
RETRY_FILE = PLATFORM.retry_workbook
RESULT_COLUMNS = ("record_id", "source_row", "id_number", "full_name", "dob", "result", "reason")
RESULT_LABELS_VI = {
    "imported": "Đã nhập thành công",
    "failed": "Nhập thất bại",
    "no_result": "Chưa có kết quả",
    "unmatched": "Không khớp tệp đã gửi",
}


def match_results(returned: pd.DataFrame, sent: pd.DataFrame) -> pd.DataFrame:
    """One row per returned row: the record it came from (NA when it matches nothing sent),
    the platform's ``result`` (imported | failed | no_result | unmatched) and ``reason``."""
    sent = sent.assign(
        template_row=pd.to_numeric(sent["template_row"], errors="coerce").astype("Int64"),
        id_number=sent["id_number"].astype("string").str.strip(),
    )
    returned = returned.reset_index(drop=True)
    number = returned["id_number"].astype("string").str.strip()
    by_row = sent.dropna(subset=["template_row"]).drop_duplicates("template_row", keep=False)
    at_row = by_row.set_index("template_row").reindex(returned["source_row"].astype("Int64"))
    same = (
        pd.Series(at_row["id_number"].to_numpy(), dtype="string")
        .eq(number)
        .fillna(False)
        .to_numpy()
    )
    record = pd.Series(at_row["record_id"].to_numpy(), dtype="string").where(same)
    # rows that moved: the ID number, when exactly one record was sent with it
    unique_ids = sent.drop_duplicates("id_number", keep=False).set_index("id_number")["record_id"]
    by_id = number.map(unique_ids).astype("string")
    record = record.fillna(by_id.where(record.isna()))
    taken = record.duplicated(keep="first") & record.notna()
    record = record.mask(taken)  # one returned row per record sent
    result = returned["result"].astype("string").where(record.notna(), "unmatched")
    return pd.DataFrame(
        {
            "record_id": record,
            "source_row": returned["source_row"].astype("int64"),
            "id_number": number,
            "full_name": returned["full_name"].astype("string"),
            "dob": returned["dob"].astype("string"),
            "result": result,
            "reason": returned["reason"].astype("string"),
        }
    )[list(RESULT_COLUMNS)]


def results_summary(results: pd.DataFrame, returned_path: str | os.PathLike) -> dict:
    """Counts per outcome and per failure reason (for verify's progress and the commune report)."""
    counts = results["result"].value_counts()
    reasons = results.loc[results["result"].eq("failed"), "reason"].fillna("(không ghi lý do)")
    return {
        "file": str(returned_path),
        "rows": len(results),
        **{k: int(counts.get(k, 0)) for k in RESULT_LABELS_VI},
        "failure_reasons": {str(k): int(v) for k, v in reasons.value_counts().items()},
    }


def write_retry_list(path: str | os.PathLike, results: pd.DataFrame) -> Path:
    """The rows to correct and import again (failed, or not matched to a record sent)."""
    todo = results[results["result"].isin(["failed", "unmatched"])]
    frame = pd.DataFrame(
        {
            "Mã đối tượng": todo["record_id"],
            "Dòng trong tệp trả về": todo["source_row"].astype("string"),
            "Số CCCD/CMND": todo["id_number"],
            "Họ và tên": todo["full_name"],
            "Ngày sinh": todo["dob"],
            "Kết quả": todo["result"].map(RESULT_LABELS_VI),
            "Lý do của nền tảng": todo["reason"],
            "Đã sửa (ghi chú)": pd.Series(pd.NA, index=todo.index, dtype="string"),
        }
    )
    return write_xlsx(
        path,
        {"Cần sửa, nhập lại": frame},
        {"Cần sửa, nhập lại": ["DANH SÁCH HỒ SƠ NHẬP THẤT BẠI — sửa theo lý do rồi nhập lại"]},
        text_columns=list(frame.columns),
        fill_in=["Đã sửa (ghi chú)"],
    )
