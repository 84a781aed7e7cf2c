"""Copy the vaccination platform's code lists and blank import template into the package.

Usage::

    .venv/bin/python scripts/build_platform_refdata.py [PLATFORM_DIR]

``PLATFORM_DIR`` (default ``../shared/platform``) holds the platform's Excel import template
``mau_import_doi_tuong_tiem.xlsx`` and its code lists as CSV (PL2 priority groups, PL3
administrative list, PL4 vaccination sites, PL5 vaccine names). Each list is written to
``vaxutils/refdata/data/platform_pl*.csv`` with ``#`` provenance lines on top; the template's first
sheet (notes rows 1-5, the two-row header 7-8, column widths, styles, merged cells; no data row)
is kept as ``vaxutils/refdata/data/platform_template.xlsx``, the layout ``vaxutils platform``
writes into. No personal data is in any of these files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "vaxutils" / "refdata" / "data"
SOURCE = (
    "the vaccination platform's Excel import template 'Import đối tượng tiêm COVID-19' (2022), "
    "public GitHub repository 1nguyenhuuhieu/lam-sach-du-lieu-tiem-chung, file xoa.xlsx"
)
LISTS = {
    "pl2_nhom_uu_tien.csv": ("platform_pl2.csv", "PL2 Mã nhóm đối tượng ưu tiên (priority groups)"),
    "pl3_hanh_chinh.csv": (
        "platform_pl3.csv",
        "PL3 Danh mục hành chính (province 2, district 3, commune 5 digits)",
    ),
    "pl4_dia_diem_tiem.csv": (
        "platform_pl4.csv",
        "PL4 Địa điểm tiêm (Mã cơ sở KCB and site names)",
    ),
    "pl5_vac_xin.csv": (
        "platform_pl5.csv",
        "PL5 Danh mục vắc xin (vaccine names as the template spells them)",
    ),
}
SHEET = "PL1_Danh sach doi tuong tiem"


def main(platform_dir: Path) -> None:
    today = dt.date.today().isoformat()
    for source_name, (target, what) in LISTS.items():
        data = (platform_dir / source_name).read_bytes()
        header = (
            f"# source: {SOURCE}; sheet {what}\n"
            f"# copied from {source_name} (sha256 {hashlib.sha256(data).hexdigest()[:16]}) "
            "by scripts/build_platform_refdata.py — do not edit by hand; rerun the script\n"
            f"# date: {today}\n"
        )
        text = data.decode("utf-8-sig").replace("\r\n", "\n")
        (OUT_DIR / target).write_text(header + text, encoding="utf-8")
    book = openpyxl.load_workbook(platform_dir / "mau_import_doi_tuong_tiem.xlsx")
    for name in book.sheetnames:
        if name != SHEET:
            del book[name]
    sheet = book[SHEET]
    if sheet.max_row > 8:
        sheet.delete_rows(9, sheet.max_row - 8)
    book.properties.creator = "vaxutils (blank platform template, layout only)"
    book.properties.title = "Import đối tượng tiêm COVID-19 — mẫu trống"
    book.save(OUT_DIR / "platform_template.xlsx")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent.parent / "shared" / "platform")
