"""A small hand-made screen output (synthetic people) following docs/ARCHITECTURE.md exactly.

Used by the report tests so they do not depend on the screening engine's exact findings.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from vaxutils.schema import FINDINGS_COLUMNS

COMMUNE = "01420"
OTHER_COMMUNE = "01423"


def records() -> pd.DataFrame:
    rows = [
        # record_id, source_row, full_name, dob, sex, id_raw, phone, village, commune_code
        (
            "R1",
            2,
            "Nguyễn Văn An",
            "1980-02-03",
            "Nam",
            "004080012345",
            "0912345678",
            "Thôn Nà Ngần",
            COMMUNE,
        ),
        ("R2", 3, "Lê Thị Bình", "1990-05-06", "Nữ", "", "0987654321", "Thôn Nà Ngần", COMMUNE),
        (
            "R3",
            4,
            "Nông Văn Cường",
            "1975-07-08",
            "Nam",
            "4095012345",
            None,
            "Thôn Nà Ngần",
            COMMUNE,
        ),
        (
            "R4",
            5,
            "Hoàng Thị Dung",
            "2001-09-10",
            "Nam",
            "004301098765",
            "0934567890",
            "Bản Giốc",
            COMMUNE,
        ),
        (
            "R5",
            6,
            "Nguyễn Văn An",
            "1980-02-03",
            "Nam",
            "004080012345",
            "0912345678",
            "Bản Giốc",
            COMMUNE,
        ),
        (
            "R6",
            7,
            "Bế Văn Phúc",
            "1965-11-12",
            "Nam",
            "012345678",
            "0945678901",
            "Bản Giốc",
            COMMUNE,
        ),
        ("R7", 8, "Thạch Thị Giang", "1999-01-01", "Nữ", "004199054321", None, "", COMMUNE),
        (
            "X1",
            9,
            "Trần Văn Khác",
            "1970-01-01",
            "Nam",
            "001070011111",
            "0911111111",
            "Thôn Khác",
            OTHER_COMMUNE,
        ),
    ]
    cols = [
        "record_id",
        "source_row",
        "full_name",
        "dob",
        "sex",
        "id_raw",
        "phone",
        "village",
        "commune_code",
    ]
    df = pd.DataFrame(rows, columns=cols)
    df["dob"] = pd.to_datetime(df["dob"])
    df["source_row"] = df["source_row"].astype("int64")
    status = {
        "R1": "needs_fix",
        "R2": "needs_fix",
        "R3": "needs_fix",
        "R4": "needs_fix",
        "R5": "needs_fix",
        "R6": "ok",
        "R7": "needs_review",
        "X1": "needs_fix",
    }
    df["status"] = df["record_id"].map(status)
    df["n_errors"] = df["status"].eq("needs_fix").astype("int64")
    df["n_warnings"] = df["status"].eq("needs_review").astype("int64")
    df["n_doses"] = [2, 2, 1, 3, 1, 2, 0, 1]
    return df


def findings() -> pd.DataFrame:
    rows = [
        (
            "R1",
            2,
            "duplicate",
            "duplicate_person",
            "error",
            "record_id",
            "R1",
            None,
            "R5",
            "Hai bản ghi có thể là cùng một người.",
        ),
        (
            "R2",
            3,
            "missing_id",
            "id_missing",
            "error",
            "id_number",
            "",
            None,
            None,
            "Không có số CMND/CCCD.",
        ),
        (
            "R3",
            4,
            "id_format",
            "id_leading_zero_lost",
            "error",
            "id_number",
            "4095012345",
            "004095012345",
            None,
            "Số CCCD bị mất số 0 ở đầu.",
        ),
        (
            "R4",
            5,
            "personal_info",
            "id_sex_mismatch",
            "error",
            "sex",
            "Nam",
            "Nữ",
            None,
            "Giới tính không khớp với số CCCD.",
        ),
        (
            "R4",
            5,
            "dose",
            "dose_interval_too_short",
            "error",
            "dose_date",
            "2021-08-10",
            None,
            None,
            "Khoảng cách giữa hai mũi ngắn hơn tối thiểu.",
        ),
        (
            "R5",
            6,
            "duplicate",
            "duplicate_person",
            "error",
            "record_id",
            "R5",
            None,
            "R1",
            "Hai bản ghi có thể là cùng một người.",
        ),
        (
            "R6",
            7,
            "normalized",
            "name_spacing",
            "info",
            "full_name",
            "Bế  Văn Phúc",
            "Bế Văn Phúc",
            None,
            "Đã chuẩn hóa khoảng trắng.",
        ),
        (
            "R7",
            8,
            "personal_info",
            "dob_placeholder_day",
            "warning",
            "dob",
            "01/01/1999",
            None,
            None,
            "Ngày sinh 01/01 có thể là ngày giả định.",
        ),
        (
            "X1",
            9,
            "missing_id",
            "id_missing",
            "error",
            "id_number",
            "",
            None,
            None,
            "Không có số CMND/CCCD.",
        ),
    ]
    df = pd.DataFrame([(*r, "en") for r in rows], columns=list(FINDINGS_COLUMNS))
    for col in FINDINGS_COLUMNS:
        df[col] = df[col].astype("Int64" if col == "source_row" else "string")
    return df


def doses() -> pd.DataFrame:
    rows = [
        ("R1", 2, 1, "AstraZeneca", "2021-07-01"),
        ("R1", 2, 2, "AstraZeneca", "2021-09-15"),
        ("R2", 3, 1, "Pfizer", "2021-08-01"),
        ("R2", 3, 2, "Pfizer", "2021-08-29"),
        ("R3", 4, 1, "Vero Cell", "2021-10-01"),
        ("R4", 5, 1, "Pfizer", "2021-08-01"),
        ("R4", 5, 2, "Pfizer", "2021-08-10"),
        ("R4", 5, 3, "Moderna", "2022-02-01"),
        ("R5", 6, 1, "AstraZeneca", "2021-07-01"),
        ("R6", 7, 1, "Moderna", "2021-09-01"),
        ("R6", 7, 2, "Moderna", "2021-10-01"),
        ("X1", 9, 1, "Pfizer", "2021-09-01"),
    ]
    df = pd.DataFrame(
        rows, columns=["record_id", "source_row", "dose_number", "vaccine", "dose_date"]
    )
    df["dose_number"] = df["dose_number"].astype("Int64")
    df["dose_date"] = pd.to_datetime(df["dose_date"])
    df["product"] = df["vaccine"]
    df["lot"] = "L1"
    df["facility"] = "Trạm Y tế xã"
    return df


def summary() -> dict:
    return {
        "n_records": 8,
        "export_date": "2022-05-10",
        "n_records_with_errors": 6,
        "n_records_needing_review": 1,
        "records_per_category": {"missing_id": 2},
    }


def write(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    findings().to_parquet(folder / "findings.parquet")
    records().to_parquet(folder / "records.parquet")
    doses().to_parquet(folder / "doses.parquet")
    (folder / "summary.json").write_text(json.dumps(summary()), "utf-8")
    return folder
