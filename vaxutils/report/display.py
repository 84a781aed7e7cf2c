"""Presenting tables: Vietnamese column labels, top-N cut, plain text and a phone-friendly HTML table.

A notebook cell ends with ``show(table, "Tiêu đề")``. Jupyter then stores two renderings: the
``text/plain`` one (what nbval compares and what a terminal shows) and a ``text/html`` table in a
horizontally scrolling box, so wide tables stay readable on a phone. Reports show at most ``top``
rows with a note of how many there are: full lists belong in the workbooks and CSV files.

>>> t = show(pd.DataFrame({"village": ["Thôn 1"], "n_records": [3]}), "Theo thôn")
>>> print(repr(t))
Theo thôn
  Thôn/Ấp/Tổ/Bản  Số bản ghi
0          Thôn 1           3
"""

from __future__ import annotations

import html

import pandas as pd

from vaxutils.report.tables import ITEM_SEP
from vaxutils.schema import CATEGORY_LABELS_VI, FIELD_LABELS_VI, SEVERITY_LABELS_VI

DEFAULT_TOP = 20
#: Short labels for table cells (a phone column is narrow); the report explains them once.
SEVERITY_SHORT_VI: dict[str, str] = {
    "error": "Lỗi",
    "warning": "Cần kiểm tra",
    "info": "Tự chuẩn hóa",
}
#: One sentence for the report's legend: what the short labels mean.
SEVERITY_LEGEND_VI = "; ".join(
    f"«{SEVERITY_SHORT_VI[k]}»: {SEVERITY_LABELS_VI[k].lower()}" for k in ("error", "warning")
)

COLUMN_LABELS_VI: dict[str, str] = {
    **FIELD_LABELS_VI,
    "id_raw": "Số CMND/CCCD",
    "id_compact": "Số CMND/CCCD (chuẩn)",
    "id_suggestion": "Số gợi ý",
    "indicator": "Mã chỉ số",
    "label": "Chỉ số",
    "value": "Giá trị",
    "share": "Tỷ lệ (%)",
    "category": "Danh sách",
    "code": "Mã lỗi",
    "severity": "Mức độ",
    "field": "Trường",
    "message": "Mô tả",
    "suggestion": "Gợi ý sửa",
    "suggestions": "Gợi ý sửa",
    "problems": "Vấn đề",
    "related": "Bản ghi liên quan",
    "n_records": "Số bản ghi",
    "n_findings": "Số phát hiện",
    "n_errors": "Lỗi",
    "n_warnings": "Cần kiểm tra",
    "n_info": "Tự chuẩn hóa",
    "n_needs_fix": "Bản ghi có lỗi",
    "n_needs_review": "Bản ghi cần kiểm tra",
    "problem_rate": "Tỷ lệ có vấn đề (%)",
    "n_doses": "Số mũi",
    "group": "Nhóm",
    "reason": "Lý do",
    "level": "Cấp",
    "n_rows": "Số dòng",
    "n_missing": "Ô trống",
    "n_placeholder": "Ô ghi 'không có'",
    "completeness": "Đầy đủ (%)",
    "dose": "Mũi",
    "n_persons": "Số người",
    "dropout": "Bỏ mũi tiếp theo (%)",
    "month": "Tháng",
    "outlier": "Bất thường",
    "status": "Trạng thái",
    "commune_name": "Tên xã",
    "run": "Lần chạy",
    "days_to_deadline": "Số ngày đến hạn 01/06/2022",
    "error": "Lỗi khi chạy",
    "report": "Báo cáo",
    "check": "Kiểm tra",
    "ok": "Kết quả",
    "detail": "Chi tiết",
    "facility": "Cơ sở tiêm",
    "n_ready": "Sẵn sàng ký",
    "n_blocked": "Bị chặn",
    "blocked_record": "Chặn: hồ sơ chưa làm sạch",
    "blocked_product": "Chặn: vắc xin ngoài danh mục",
    "blocked_dose": "Chặn: lỗi mũi tiêm",
    "signed_on": "Ngày ký",
    "n_signed": "Số mũi đã ký",
    "n_signed_total": "Đã ký (cộng dồn)",
    "share_signed": "Tỷ lệ đã ký (%)",
    **{c: label for c, label in CATEGORY_LABELS_VI.items()},
}

VALUE_LABELS_VI: dict[str, dict[str, str]] = {
    "category": CATEGORY_LABELS_VI,
    "severity": SEVERITY_SHORT_VI,
    "status": {"ok": "Đạt", "needs_review": "Cần kiểm tra", "needs_fix": "Cần sửa"},
    "level": {"record": "Bản ghi", "dose": "Mũi tiêm"},
    "outlier": {True: "có", False: ""},
    "ok": {True: "Đạt", False: "KHÔNG ĐẠT"},
    "field": {**FIELD_LABELS_VI, "id_raw": "Số CMND/CCCD"},
}


def label_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with Vietnamese values for coded columns and Vietnamese column headers.

    Columns that already have a ``label`` are shown by their label only (the machine key goes).
    """
    out = df.copy()
    if "label" in out.columns:
        out = out.drop(columns=[c for c in ("indicator", "category") if c in out.columns])
    for column, labels in VALUE_LABELS_VI.items():
        if column in out.columns:
            out[column] = out[column].map(labels).fillna(out[column])
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%d/%m/%Y")
    return out.rename(columns=COLUMN_LABELS_VI)


class Shown:
    """A titled table as Jupyter shows it: ``text/plain`` and a responsive ``text/html``."""

    def __init__(self, df: pd.DataFrame, title: str, top: int | None = DEFAULT_TOP):
        self.total = len(df)
        self.title = title
        cut = df.head(top) if top else df
        labelled = label_frame(cut)
        self.frame = labelled.astype(object).where(labelled.notna(), "")
        self.truncated = self.total > len(cut)

    def _note(self) -> str:
        if not self.truncated:
            return ""
        return (
            f"(Hiển thị {len(self.frame)}/{self.total} dòng; danh sách đầy đủ trong tệp CSV/Excel.)"
        )

    def __repr__(self) -> str:
        if self.frame.empty:
            return f"{self.title}\n(Không có dòng nào.)"
        parts = [self.title, self.frame.to_string(), self._note()]
        return "\n".join(p for p in parts if p)

    def _repr_html_(self) -> str:
        heading = f"<h3>{html.escape(self.title)}</h3>"
        if self.frame.empty:
            return heading + "<p><em>Không có dòng nào.</em></p>"
        table = self.frame.to_html(index=False, escape=True, border=0, classes="vx-table")
        note = f"<p class='vx-note'>{html.escape(self._note())}</p>" if self.truncated else ""
        return f"{heading}<div class='vx-scroll'>{table}</div>{note}"


def show(
    df: pd.DataFrame, title: str, top: int | None = DEFAULT_TOP, columns: list[str] | None = None
) -> Shown:
    """Wrap a table for display in a notebook (last expression of a cell).

    ``columns`` picks and orders the columns shown (those absent are skipped).
    """
    if columns is not None:
        df = df[[c for c in columns if c in df.columns]]
    return Shown(df, title, top)


class RecordCards(Shown):
    """Worklist records as cards: one block per record, readable on a phone without scrolling.

    The plain-text form is the table (for nbval and terminals); the HTML form shows, per record,
    the name and identity line, then the problems and the suggested fixes as bullet lists.
    """

    def __init__(self, df: pd.DataFrame, title: str, top: int | None = DEFAULT_TOP):
        super().__init__(df, title, top)
        cut = df.head(top) if top else df
        self.records = cut.astype(object).where(cut.notna(), "")

    def _card(self, row: pd.Series) -> str:
        def esc(column: str) -> str:
            value = row.get(column, "")
            if hasattr(value, "strftime"):
                value = value.strftime("%d/%m/%Y")
            return html.escape(str(value))

        badge = SEVERITY_SHORT_VI.get(str(row.get("severity", "")), "")
        kind = "vx-error" if row.get("severity") == "error" else "vx-warning"
        facts = [
            ("Dòng", esc("source_row")),
            ("Mã", esc("record_id")),
            ("Sinh", esc("dob")),
            ("", esc("sex")),
            ("CMND/CCCD", esc("id_raw")),
            ("ĐT", esc("phone")),
        ]
        line = " · ".join(f"{k} {v}".strip() for k, v in facts if v)

        def items(column: str) -> str:
            parts = [p for p in str(row.get(column, "")).split(ITEM_SEP) if p.strip()]
            return "".join(f"<li>{html.escape(p)}</li>" for p in parts)

        fixes = items("suggestions")
        return (
            f"<div class='vx-card {kind}'><p class='vx-card-head'><b>{esc('full_name') or '(không tên)'}"
            f"</b> <span class='vx-badge'>{html.escape(badge)}</span></p>"
            f"<p class='vx-meta'>{line}</p><ul>{items('problems')}</ul>"
            + (f"<p class='vx-fix'>Gợi ý sửa:</p><ul>{fixes}</ul>" if fixes else "")
            + "</div>"
        )

    def _repr_html_(self) -> str:
        heading = f"<h3>{html.escape(self.title)}</h3>"
        if self.records.empty:
            return heading + "<p><em>Không có dòng nào.</em></p>"
        cards = "".join(self._card(row) for _, row in self.records.iterrows())  # <= top rows
        note = f"<p class='vx-note'>{html.escape(self._note())}</p>" if self.truncated else ""
        return f"{heading}{cards}{note}"


def show_cards(df: pd.DataFrame, title: str, top: int | None = DEFAULT_TOP) -> RecordCards:
    """Wrap a :func:`~vaxutils.report.tables.worklist_table` (part) as record cards."""
    return RecordCards(df, title, top)
