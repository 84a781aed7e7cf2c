"""The platform's verdict on the import file (``vaxutils platform results``), as report tables.

>>> summary = {"imported": 40, "failed": 3, "no_result": 0, "unmatched": 1,
...            "failure_reasons": {"Số CCCD/Mã định danh đã tồn tại trên hệ thống": 3}}
>>> platform_results_table(summary)["Số hồ sơ"].tolist()
[40, 3, 0, 1]
>>> int(platform_failures_table(summary).iloc[0, 1])
3
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from vaxutils.stage_files import PLATFORM

LABELS_VI = {
    "imported": "Đã nhập thành công",
    "failed": "Nhập thất bại (cần sửa, nhập lại)",
    "no_result": "Chưa có kết quả",
    "unmatched": "Dòng không khớp tệp đã gửi",
}


def load_platform_results(path: str | Path | None) -> dict | None:
    """``ket_qua_nhap.json`` written by ``vaxutils platform results`` (None when not given)."""
    if not path:
        return None
    p = Path(path)
    if p.is_dir():
        p = p / PLATFORM.results_summary
    if not p.is_file():
        return None
    return json.loads(p.read_text(encoding="utf-8"))


def platform_results_table(summary: dict | None) -> pd.DataFrame:
    """Records per outcome of the platform import (empty when there is no result yet)."""
    if not summary:
        return pd.DataFrame(
            {"Kết quả nhập": pd.Series(dtype=str), "Số hồ sơ": pd.Series(dtype=int)}
        )
    return pd.DataFrame(
        {
            "Kết quả nhập": list(LABELS_VI.values()),
            "Số hồ sơ": [int(summary.get(k, 0)) for k in LABELS_VI],
        }
    )


def platform_failures_table(summary: dict | None) -> pd.DataFrame:
    """The platform's reasons for refusing rows, most frequent first."""
    reasons = (summary or {}).get("failure_reasons", {})
    frame = pd.DataFrame({"Lý do của nền tảng": list(reasons), "Số hồ sơ": list(reasons.values())})
    return frame.sort_values("Số hồ sơ", ascending=False, kind="stable").reset_index(drop=True)
