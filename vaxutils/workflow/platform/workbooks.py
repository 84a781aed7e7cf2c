"""The S5 workbooks people open: the platform's Excel import in its own template, direct edits
(with what cannot be done yet and what was confirmed), merges and removals; Vietnamese labels."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from vaxutils.io import write_xlsx
from vaxutils.io.platform_template import TEMPLATE_FIELDS, write_platform_template
from vaxutils.workflow.platform.outcomes import PlatformFiles

IMPORT_LABELS = {
    "record_id": "Mã đối tượng",
    "id_number": "Số CMND/CCCD",
    "full_name": "Họ và tên",
    "dob": "Ngày sinh",
    "sex": "Giới tính",
    "source": "Nguồn xác minh",
}
EDIT_LABELS = {
    "record_id": "Mã đối tượng",
    "field": "Thông tin cần sửa",
    "old_value": "Giá trị trên nền tảng",
    "new_value": "Giá trị đúng",
    "source": "Nguồn",
    "who": "Người xác nhận",
}
LEFT_OUT_LABELS = {"record_id": "Mã đối tượng", "reason": "Lý do", "action": "Cần làm"}
MERGE_LABELS = {
    "record_id": "Mã đối tượng (hồ sơ trùng, gộp đi)",
    "keep_record_id": "Mã đối tượng giữ lại",
    "doses_to_move": "Mũi tiêm chuyển sang hồ sơ giữ lại",
    "differences": "Thông tin khác nhau (giá trị được giữ)",
    "source": "Nguồn",
    "who": "Người xác nhận",
}
REMOVAL_LABELS = {
    "record_id": "Mã đối tượng",
    "decision": "Kết luận",
    "platform_action": "Việc cần làm trên nền tảng",
    "note": "Ghi chú",
    "who": "Người xác nhận",
}


def write_import_workbook(
    folder: str | os.PathLike, files: PlatformFiles, template: pd.DataFrame | None = None
) -> Path:
    """``nhap_nen_tang.xlsx``: the platform's Excel import in the platform's own template
    (:mod:`vaxutils.io.platform_template`; every data cell Text). ``template`` holds its rows
    (:func:`vaxutils.workflow.platform_template.template_rows`); without it the import's ID, name,
    birth date and sex are laid out alone."""
    if template is None:
        template = files.imports.assign(sex=files.imports["sex"].map({"Nam": "0", "Nữ": "1"}))
    return write_platform_template(
        Path(folder) / "nhap_nen_tang.xlsx",
        template[[c for c in template.columns if c in TEMPLATE_FIELDS]],
    )


def _one_sheet(path: Path, sheet: str, table: pd.DataFrame, labels: dict, title: str) -> Path:
    """A one-sheet workbook: ``table`` under its Vietnamese ``labels``, a title row, all Text."""
    return write_xlsx(
        path,
        {sheet: table.rename(columns=labels)},
        {sheet: [title]},
        text_columns=list(labels.values()),
    )


def write_platform_workbooks(
    folder: str | os.PathLike, files: PlatformFiles, template: pd.DataFrame | None = None
) -> dict[str, Path]:
    """``nhap_nen_tang.xlsx`` (the import, in the platform's template: see
    :func:`write_import_workbook`), ``sua_truc_tiep.xlsx`` (direct edits, what cannot be
    done yet, what was confirmed as is), ``gop_trung.xlsx`` (merges) and
    ``loai_khoi_danh_sach.xlsx`` (removals), atomically; IDs are Text cells."""
    folder = Path(folder)
    imports = write_import_workbook(folder, files, template)
    edits = write_xlsx(
        folder / "sua_truc_tiep.xlsx",
        {
            "Sửa trực tiếp": files.edits.rename(columns=EDIT_LABELS),
            "Chưa nhập được": files.left_out.rename(columns=LEFT_OUT_LABELS),
            "Đã xác nhận đúng": files.confirmed.rename(
                columns={"record_id": "Mã đối tượng", "source": "Xác nhận bởi"}
            ),
        },
        {
            "Sửa trực tiếp": [
                "DANH SÁCH SỬA TRỰC TIẾP TRÊN NỀN TẢNG (thông tin cũ → thông tin đúng)"
            ]
        },
        text_columns=[
            *EDIT_LABELS.values(),
            *LEFT_OUT_LABELS.values(),
            "Xác nhận bởi",
        ],
    )
    merges = _one_sheet(
        folder / "gop_trung.xlsx", "Gộp hồ sơ trùng", files.merges, MERGE_LABELS,
        "DANH SÁCH GỘP HỒ SƠ TRÙNG: chuyển các mũi tiêm sang hồ sơ giữ lại, rồi xóa hồ sơ trùng",
    )  # fmt: skip
    removals = _one_sheet(
        folder / "loai_khoi_danh_sach.xlsx", "Loại khỏi danh sách", files.removals, REMOVAL_LABELS,
        "DANH SÁCH ĐÃ MẤT / ĐÃ CHUYỂN ĐI / KHÔNG CÓ Ở ĐỊA PHƯƠNG (việc cần làm trên nền tảng)",
    )  # fmt: skip
    return {"import": imports, "edits": edits, "merges": merges, "removals": removals}
