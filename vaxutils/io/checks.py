"""Is this file a spreadsheet we can read, and what is it really? One message when it is not.

Formats are told apart by their bytes (:mod:`vaxutils.io.sniff`), never by the name alone: a
truncated download, a password-protected workbook, a PDF or a web page saved as ``.xls`` each get
a message that says what the file really is and what to do.
"""

from __future__ import annotations

import os
from pathlib import Path

from vaxutils.io.errors import IngestError
from vaxutils.io.sniff import TEXT_EXTENSIONS, detect_format

_SNIFF_BYTES = 65_536
_NOT_A_SPREADSHEET = {
    "pdf": ("tệp PDF", "a PDF document"),
    "zip": ("tệp nén hoặc tài liệu Word/PowerPoint", "a zip archive or a Word/PowerPoint document"),
    "html": ("trang web (HTML)", "a web page (HTML)"),
    "binary": ("tệp nhị phân không rõ loại", "an unknown binary file"),
    "text": ("tệp văn bản", "a text file"),
}


def _head_and_tail(path: Path, size: int) -> bytes:
    with path.open("rb") as f:
        head = f.read(_SNIFF_BYTES)
        if size > _SNIFF_BYTES:
            # the zip directory of an xlsx sits at the end: always look at the tail too
            f.seek(max(size - _SNIFF_BYTES, _SNIFF_BYTES))
            head += f.read()
    return head


def check_file(path: str | os.PathLike) -> tuple[Path, str]:
    """Check that ``path`` is a readable, non-empty spreadsheet; return it and its real format."""
    p = Path(path)
    if not p.exists():
        raise IngestError(
            "file_missing",
            "không tìm thấy tệp",
            "file not found",
            path=p,
            hint_vi=f"Kiểm tra lại đường dẫn '{p}'.",
            hint_en=f"Check the path '{p}'.",
        )
    if not p.is_file():
        raise IngestError(
            "not_a_file",
            "đây là thư mục, không phải tệp",
            "this is a folder, not a file",
            path=p,
            hint_vi="Chọn tệp xuất dữ liệu (.xlsx, .xls, .csv).",
            hint_en="Choose the exported file (.xlsx, .xls, .csv).",
        )
    size = p.stat().st_size
    if size == 0:
        raise IngestError(
            "empty_file",
            "tệp rỗng (0 byte)",
            "the file is empty (0 bytes)",
            path=p,
            hint_vi="Xuất lại dữ liệu từ hệ thống tiêm chủng.",
            hint_en="Export the data again.",
        )
    try:
        kind = detect_format(_head_and_tail(p, size), p.name)
    except OSError as exc:
        raise IngestError(
            "unreadable_file",
            f"không mở được tệp ({exc.strerror})",
            f"cannot open the file ({exc.strerror})",
            path=p,
            hint_vi="Đóng tệp trong Excel rồi thử lại.",
            hint_en="Close it in Excel and try again.",
        ) from None
    if kind in ("truncated_zip", "truncated_parquet"):
        raise _truncated(p, kind, size)
    if kind == "encrypted":
        raise IngestError(
            "encrypted",
            "tệp Excel được đặt mật khẩu",
            "the Excel file is password-protected",
            path=p,
            hint_vi="Mở bằng Excel, bỏ mật khẩu (Tệp > Thông tin > Bảo vệ sổ làm việc) rồi lưu lại.",
            hint_en="Open it in Excel, remove the password (File > Info > Protect Workbook) and save.",
        )
    if (
        kind == "text"
        and p.suffix.lower() not in TEXT_EXTENSIONS
        or kind in _NOT_A_SPREADSHEET.keys() - {"text"}
    ):
        vi, en = _NOT_A_SPREADSHEET[kind]
        raise IngestError(
            "not_a_spreadsheet",
            f"tệp có đuôi '{p.suffix}' nhưng thực chất là {vi}, không phải bảng tính",
            f"the file is named '{p.suffix}' but is really {en}, not a spreadsheet",
            path=p,
            hint_vi="Mở tệp bằng Excel và chọn Lưu thành (Save As) dạng .xlsx, hoặc xuất lại từ hệ thống.",
            hint_en="Open it in Excel and Save As .xlsx, or export it again.",
        )
    return p, kind


def _truncated(path: Path, kind: str, size: int) -> IngestError:
    if kind == "truncated_parquet":
        vi, en = "tệp Parquet", "a Parquet file"
        hint_vi = "Chép lại tệp từ nơi tạo ra nó (hoặc tạo lại tệp), rồi chạy lại."
        hint_en = "Copy the file again from where it was made (or make it again) and run again."
    else:
        spreadsheet = path.suffix.lower() in (".xlsx", ".xlsm", ".ods", ".xlsb", ".xls")
        vi, en = ("tệp Excel", "an Excel file") if spreadsheet else ("tệp nén", "a zip file")
        hint_vi = (
            "Tải hoặc chép lại tệp gốc (đợi tải xong; tệp gửi qua Zalo/e-mail cần tải về trọn vẹn), "
            "hoặc xuất lại từ hệ thống."
        )
        hint_en = "Download or copy the original again (let it finish), or export it again."
    return IngestError(
        "truncated_file",
        f"{vi} không trọn vẹn: bị cắt cụt ở {size:,} byte, phần cuối của tệp bị mất "
        "(thường do tải về hoặc chép chưa xong)",
        f"{en} cut short at {size:,} bytes: its end is missing (usually an unfinished download "
        "or copy)",
        path=path,
        hint_vi=hint_vi,
        hint_en=hint_en,
    )


def corrupt_error(path: Path, sheet: str | None, exc: BaseException, kind: str = "") -> IngestError:
    text = str(exc).lower()
    if "password" in text or "encrypt" in text:
        return IngestError(
            "encrypted",
            "tệp Excel được đặt mật khẩu",
            "the Excel file is password-protected",
            path=path,
            hint_vi="Mở bằng Excel, bỏ mật khẩu rồi lưu lại.",
            hint_en="Open it in Excel, remove the password and save.",
        )
    if kind == "parquet":
        return IngestError(
            "corrupt_file",
            "tệp Parquet bị hỏng, không đọc được",
            "the Parquet file is damaged and cannot be read",
            path=path,
            hint_vi="Chép lại tệp từ nơi tạo ra nó, hoặc tạo lại tệp (vaxutils ghi lại được), rồi chạy lại.",
            hint_en="Copy the file again from where it was made, or make it again, and run again.",
        )
    return IngestError(
        "corrupt_file",
        "tệp bị hỏng hoặc không phải bảng tính hợp lệ",
        "the file is damaged or not a valid spreadsheet",
        path=path,
        sheet=sheet,
        hint_vi="Mở bằng Excel; nếu mở được thì Lưu thành (Save As) .xlsx mới, nếu không thì xuất lại.",
        hint_en="Open it in Excel and Save As a new .xlsx, or export it again.",
    )
