"""Every unusable input gives one IngestError naming the file (sheet, row, column) and what to do,
and the raw file is never modified."""

from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest

from vaxutils.errors import VaxutilsError
from vaxutils.io import IngestError, file_sha256, read_export, read_table
from vaxutils.io.sniff import OLE2_MAGIC


def xlsx(path, rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def read_error(path, **kwargs) -> IngestError:
    before = file_sha256(path) if path.is_file() else None
    with pytest.raises(IngestError) as caught:
        read_export(path, **kwargs)
    if before is not None:
        assert file_sha256(path) == before  # never modified
    err = caught.value
    text = str(err)
    assert isinstance(err, VaxutilsError)
    assert path.name in text and " — " in text  # Vietnamese, then English
    assert "Traceback" not in text
    return err


def test_missing_file(tmp_path):
    err = read_error(tmp_path / "khong_co.xlsx")
    assert err.code == "file_missing" and "không tìm thấy tệp" in str(err)


def test_folder_is_not_a_file(tmp_path):
    (tmp_path / "thu_muc.xlsx").mkdir()
    assert read_error(tmp_path / "thu_muc.xlsx").code == "not_a_file"


def test_empty_file(tmp_path):
    path = tmp_path / "rong.xlsx"
    path.write_bytes(b"")
    assert read_error(path).code == "empty_file"


@pytest.mark.parametrize(
    "content, what",
    [
        (b"%PDF-1.7\n1 0 obj << >> endobj\n", "PDF"),
        (b"<html><body><table><tr><td>Ho ten</td></tr></table></body></html>", "HTML"),
        (b"Ho va ten,Ngay sinh\nAn,1990\n", "văn bản"),
    ],
)
def test_not_a_spreadsheet(tmp_path, content, what):
    path = tmp_path / "danh_sach.xlsx"
    path.write_bytes(content)
    err = read_error(path)
    assert err.code == "not_a_spreadsheet" and what in str(err) and "Save As" in str(err)


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "danh_sach.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    assert read_error(path).code == "not_a_spreadsheet"


def test_damaged_xlsx(tmp_path):
    path = tmp_path / "hong.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook><sheets>")
    assert read_error(path).code == "corrupt_file"


def test_password_protected_xlsx(tmp_path):
    # An encrypted OOXML file is an OLE2 compound file with an "EncryptionInfo" stream.
    path = tmp_path / "mat_khau.xlsx"
    directory = "EncryptionInfo".encode("utf-16-le") + "EncryptedPackage".encode("utf-16-le")
    path.write_bytes(OLE2_MAGIC + b"\x00" * 504 + directory + b"\x00" * 1024)
    err = read_error(path)
    assert err.code == "encrypted" and "mật khẩu" in str(err) and "password" in str(err)


def test_empty_sheet(tmp_path):
    path = tmp_path / "trang_trong.xlsx"
    openpyxl.Workbook().save(path)
    assert read_error(path).code == "empty_sheet"


def test_no_recognisable_header_lists_expected(tmp_path):
    path = xlsx(tmp_path / "lung_tung.xlsx", [["a", "b", "c"], [1, 2, 3]])
    err = read_error(path)
    assert err.code == "no_header" and "Họ và tên" in str(err) and "--columns" in str(err)
    assert err.sheet == "Sheet"


def test_required_column_missing_names_closest(tmp_path):
    path = xlsx(
        tmp_path / "thieu.xlsx", [["Họ và tên", "Ngày sinh", "Số CMNND/CCCCD"], ["An", "1990", "1"]]
    )
    err = read_error(path)
    assert err.code == "required_column_missing"
    assert "Số CMND/CCCD" in str(err) and "Số CMNND/CCCCD" in str(
        err
    )  # expected, and closest found
    assert err.row == 1 and "dòng 1" in str(err)


def test_duplicate_headers(tmp_path):
    path = xlsx(
        tmp_path / "trung.xlsx", [["Họ tên", "NS", "Số CCCD", "Số CMND"], ["An", "1990", "1", "2"]]
    )
    err = read_error(path)
    assert err.code == "duplicate_header"
    assert "Số CCCD (C)" in str(err) and "Số CMND (D)" in str(err) and err.column == "Số CMND"
    # the user resolves it by naming the column to use
    export = read_export(path, columns={"id_number": "Số CCCD"})
    assert export.records["id_number"].tolist() == ["1"]


def test_unknown_sheet_lists_sheets(tmp_path):
    path = xlsx(tmp_path / "ds.xlsx", [["Họ tên", "NS", "CCCD"]])
    err = read_error(path, sheet="Thôn 9")
    assert err.code == "sheet_missing" and "'Sheet'" in str(err)


def test_unreadable_encoding(tmp_path):
    path = tmp_path / "ma_loi.csv"
    path.write_bytes(b"Ho ten,NS\n\x81\x8d\x8e garbage,\x90\n" * 3)  # neither UTF-8 nor cp1258
    assert read_error(path).code == "unreadable_encoding"


def test_sheet_over_excel_row_limit(tmp_path):
    # A program (not Excel) can write a row past 1,048,576; craft one instead of a 1M-row file.
    path = xlsx(tmp_path / "qua_lon.xlsx", [["Họ tên", "NS", "CCCD"], ["An", "1990", "1"]])
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    far = '<row r="1048577"><c r="A1048577" t="inlineStr"><is><t>x</t></is></c></row>'
    parts["xl/worksheets/sheet1.xml"] = sheet.replace("</sheetData>", far + "</sheetData>").encode()
    parts["xl/worksheets/sheet1.xml"] = re.sub(
        rb'<dimension ref="A1:C2"\s*/>',
        b'<dimension ref="A1:C1048577"/>',
        parts["xl/worksheets/sheet1.xml"],
    )
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    for engine in ("calamine", "openpyxl"):
        err = read_error(path, engine=engine)
        assert err.code == "too_many_rows" and "1,048,576" in str(err) and err.sheet == "Sheet"


def test_mapping_header_not_in_file(tmp_path):
    path = xlsx(tmp_path / "ds.xlsx", [["Họ tên", "NS", "CCCD"], ["An", "1990", "1"]])
    err = read_error(path, columns={"id_number": "Số giấy tờ (mới)"})
    assert err.code == "mapping_header_missing" and "Số giấy tờ (mới)" in str(err)


def test_read_table_errors_too(tmp_path):
    with pytest.raises(IngestError, match="khong_co.csv"):
        read_table(tmp_path / "khong_co.csv")
