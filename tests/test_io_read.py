"""read_export / read_table: formats, encodings, header detection, layouts (synthetic people only)."""

from __future__ import annotations

import datetime
import unicodedata

import openpyxl
import pandas as pd
import pytest

from vaxutils.io import file_sha256, header_key, read_export, read_table
from vaxutils.schema import PERSON_FIELDS

TITLES = [
    ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
    ["Độc lập - Tự do - Hạnh phúc"],
    ["DANH SÁCH ĐỐI TƯỢNG ĐÃ TIÊM VẮC XIN COVID-19 - XÃ THƯỢNG THÔN"],
]
WIDE_HEADER = [
    "STT", "Mã đối tượng", "Họ và tên", "Ngày sinh", "Giới tính", "Số CMND/CCCD", "SĐT",
    "Thôn/Ấp/Tổ/Bản", "Mũi 1 - Tên vắc xin", "Mũi 1 - Số lô", "Mũi 1 - Ngày tiêm",
    "Mũi 2 - Tên vắc xin", "Mũi 2 - Số lô", "Mũi 2 - Ngày tiêm",
]  # fmt: skip
WIDE_ROWS = [
    [1, "DT001", "Nông Văn Pảo", datetime.datetime(1990, 1, 2), "Nam", 1090123456.0, 912345678.0,
     "Bản Pác Bó", "AstraZeneca", "NJ0342", datetime.datetime(2021, 8, 2),
     "AstraZeneca", "NJ0350", datetime.datetime(2021, 10, 1)],
    [2, "DT002", "Thạch Thị Mai", "15/07/1985", "Nữ", "004185012345", "0987654321",
     "Thôn 2", "Pfizer", "FK1234", datetime.datetime(2021, 9, 9), None, None, None],
]  # fmt: skip


def write_xlsx_rows(path, rows, sheet="Sheet1"):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


@pytest.fixture
def wide_xlsx(tmp_path):
    return write_xlsx_rows(tmp_path / "xa_thuong_thon.xlsx", [*TITLES, WIDE_HEADER, *WIDE_ROWS])


def test_wide_xlsx_below_title_rows(wide_xlsx):
    before = file_sha256(wide_xlsx)
    export = read_export(wide_xlsx)
    assert file_sha256(wide_xlsx) == before
    records = export.records
    assert list(records.columns) == [*PERSON_FIELDS, "source_row"]
    assert records["source_row"].tolist() == [5, 6]
    first = records.iloc[0]
    assert first["id_number"] == "1090123456"  # number cell: digits kept, no ".0"
    assert first["phone"] == "912345678"
    assert first["dob"] == "1990-01-02"  # date cell rendered ISO
    assert records.iloc[1]["dob"] == "15/07/1985"  # text kept exactly as typed
    assert records.iloc[1]["id_number"] == "004185012345"
    assert pd.isna(first["insurance_no"])  # absent column: all NA
    doses = export.doses
    assert doses[["record_id", "dose_number", "vaccine", "dose_date"]].values.tolist() == [
        ["DT001", "1", "AstraZeneca", "2021-08-02"],
        ["DT001", "2", "AstraZeneca", "2021-10-01"],
        ["DT002", "1", "Pfizer", "2021-09-09"],  # empty dose-2 group dropped
    ]
    assert doses["source_row"].tolist() == [5, 5, 6]
    source = export.source
    assert source["header_row"] == 4 and source["sheet"] == "Sheet1" and source["layout"] == "wide"
    assert source["sha256"] == before and source["size"] == wide_xlsx.stat().st_size
    assert source["mapping"]["vaccine_2"] == "Mũi 2 - Tên vắc xin"
    assert source["mapping"]["id_number"] == "Số CMND/CCCD"
    assert "STT" not in source["mapping"].values() and source["unmapped_columns"] == []
    assert source["read_at"].endswith("+00:00") and source["warnings"] == []


def test_openpyxl_fallback_reads_the_same(wide_xlsx):
    fast, slow = read_export(wide_xlsx), read_export(wide_xlsx, engine="openpyxl")
    pd.testing.assert_frame_equal(fast.records, slow.records)
    pd.testing.assert_frame_equal(fast.doses, slow.doses)
    assert slow.source["reader"] == "openpyxl"


def test_two_row_merged_header(tmp_path):
    top = ["STT", "Họ tên", "NS", "Giới", "CCCD", "Mũi 1", None, None, "Mũi 2", None, None]
    sub = [
        None,
        None,
        None,
        None,
        None,
        "Vắc xin",
        "Số lô",
        "Ngày tiêm",
        "Vắc xin",
        "Số lô",
        "Ngày tiêm",
    ]
    row = [1, "Lò Văn Slam", "1970", "Nam", "011070000123", "Vero Cell", "A1", "2021-07-01",
           "Vero Cell", "A2", "2021-07-29"]  # fmt: skip
    path = write_xlsx_rows(tmp_path / "merged.xlsx", [TITLES[2], top, sub, row])
    book = openpyxl.load_workbook(path)
    book.active.merge_cells("F2:H2")
    book.active.merge_cells("I2:K2")
    book.save(path)
    export = read_export(path)
    assert export.source["header_row"] == 2 and export.source["header_rows"] == 2
    assert export.records["source_row"].tolist() == [4]
    assert export.doses["lot"].tolist() == ["A1", "A2"]
    assert export.doses["dose_date"].tolist() == ["2021-07-01", "2021-07-29"]


def test_column_number_row_and_footer_skipped(tmp_path):
    rows = [
        ["Họ và tên", "Ngày sinh", "Số CCCD", "Ghi chú"],
        ["(1)", "(2)", "(3)", "(4)"],
        ["Bế Văn Lục", "1960", "020060000001", None],
        [None, None, None, None],
        [None, "Người lập biểu", None, None],
        [None, "Trần Văn Bình", None, None],
    ]
    export = read_export(write_xlsx_rows(tmp_path / "footer.xlsx", rows))
    assert export.records["full_name"].tolist() == ["Bế Văn Lục"]
    assert export.records["source_row"].tolist() == [3]
    assert {w.code for w in export.source["warnings"]} == {"record_id_generated", "footer_ignored"}
    assert export.source["unmapped_columns"] == ["Ghi chú"]


CSV_TEXT = (
    "DANH SÁCH TIÊM CHỦNG\n"
    "Họ và tên{d}Ngày sinh{d}Giới tính{d}Số CCCD{d}Mũi{d}Tên vắc xin{d}Ngày tiêm{d}Mã ĐT\n"
    "Nguyễn Thị Thủy{d}02/03/1990{d}Nữ{d}001190012345{d}1{d}Pfizer{d}2021-09-01{d}A1\n"
    "Nguyễn Thị Thủy{d}02/03/1990{d}Nữ{d}001190012345{d}2{d}Pfizer{d}2021-09-25{d}A1\n"
)


TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Encode as Windows Vietnamese does: base letters precomposed, tone marks combining."""
    out = []
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_MARKS))
        out.append((base + "".join(c for c in decomposed if c in TONE_MARKS)).encode("cp1258"))
    return b"".join(out)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1258"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_encodings_and_delimiters(tmp_path, encoding, delimiter):
    path = tmp_path / "export.csv"
    text = CSV_TEXT.format(d=delimiter)
    path.write_bytes(to_cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    before = path.read_bytes()
    export = read_export(path)
    assert path.read_bytes() == before
    assert export.records["full_name"].tolist() == ["Nguyễn Thị Thủy"]  # NFC even from cp1258
    assert export.records["id_number"].tolist() == ["001190012345"]
    assert export.doses["dose_number"].tolist() == ["1", "2"]
    assert export.doses["source_row"].tolist() == [3, 4]
    assert export.source["layout"] == "long" and export.source["delimiter"] == delimiter
    assert export.source["header_row"] == 2


def test_csv_with_excel_sep_line(tmp_path):
    path = tmp_path / "sep.csv"
    path.write_text("sep=;\nHọ tên;NS;CMND\nAn;1990;123456789\n", encoding="utf-8")
    assert read_export(path).records["id_number"].tolist() == ["123456789"]


def test_parquet(tmp_path):
    frame = pd.DataFrame(
        {
            "Họ và tên": ["Giàng A Vàng"],
            "Ngày sinh": pd.to_datetime(["2001-05-06"]),
            "Số CCCD": [10201012345],
            "Số điện thoại": [912345678.0],
        }
    )
    path = tmp_path / "export.parquet"
    frame.to_parquet(path)
    export = read_export(path)
    assert export.records.iloc[0][["dob", "id_number", "phone"]].tolist() == [
        "2001-05-06",
        "10201012345",
        "912345678",
    ]
    assert export.records["source_row"].tolist() == [2]
    assert export.source["layout"] == "none" and len(export.doses) == 0


def test_long_layout_disagreement_warning(tmp_path):
    rows = [
        ["Mã đối tượng", "Họ và tên", "Ngày sinh", "Số CCCD", "Mũi tiêm", "Vắc xin", "Ngày tiêm"],
        ["X1", "Hà Văn Nam", "1980", "001080000001", 1, "Moderna", "2021-08-01"],
        ["X1", "Hà Văn Nam", "1981", "001080000001", 2, "Moderna", "2021-09-01"],
        ["X2", "Lục Thị Bế", "1975", "020175000002", 1, "Pfizer", "2021-08-03"],
    ]
    export = read_export(write_xlsx_rows(tmp_path / "long.xlsx", rows))
    assert export.records["record_id"].tolist() == ["X1", "X2"]
    assert export.records["dob"].tolist() == ["1980", "1975"]  # first row of the record
    assert export.doses["record_id"].tolist() == ["X1", "X1", "X2"]
    assert export.doses["dose_number"].tolist() == ["1", "2", "1"]
    (warning,) = export.source["warnings"]
    assert warning.code == "person_fields_disagree" and "X1" in warning and "dob" in warning
    # the other value is not lost: it is kept for screening, with its row
    assert export.conflicts.to_dict("records") == [
        {"record_id": "X1", "source_row": 3, "field": "dob", "value": "1981", "used": "1980"}
    ]


def test_long_layout_takes_the_first_filled_value_and_screening_lists_the_rest(tmp_path):
    from datetime import date

    from vaxutils.screen import screen

    rows = [
        ["Mã đối tượng", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "SĐT", "Mũi", "Vắc xin"],
        ["X1", "Hà Văn Nam", None, "Nam", "001080000001", "0912345678", 1, "Moderna"],
        ["X1", " Hà Văn Nam ", "02/03/1980", "Nam", "001080000001", "0912345679", 2, "Moderna"],
        ["X1", "Hà Văn Nam", "02/03/1980", "Nữ", "001080000001", None, 3, "Moderna"],
    ]
    export = read_export(write_xlsx_rows(tmp_path / "long.xlsx", rows))
    (record,) = export.records.to_dict("records")
    assert record["dob"] == "02/03/1980"  # the first row left it blank: not lost
    assert (record["sex"], record["phone"], record["source_row"]) == ("Nam", "0912345678", 2)
    conflicts = export.conflicts[["source_row", "field", "value", "used"]].values.tolist()
    # spaces around a name are no disagreement; a blank cell is none either
    assert conflicts == [[3, "phone", "0912345679", "0912345678"], [4, "sex", "Nữ", "Nam"]]
    findings = screen(export, export_date=date(2022, 5, 15)).findings
    listed = findings[findings["code"] == "person_fields_disagree"]
    assert listed[["source_row", "field", "value", "suggestion", "category"]].values.tolist() == [
        [3, "phone", "0912345679", "0912345678", "personal_info"],
        [4, "sex", "Nữ", "Nam", "personal_info"],
    ]


def test_long_layout_without_record_id_groups_by_person(tmp_path):
    rows = [
        ["Họ và tên", "Ngày sinh", "Số CCCD", "Mũi", "Vắc xin"],
        ["An", "1990", "001090000001", 1, "Pfizer"],
        ["Bình", "1991", "001091000002", 1, "Pfizer"],
        ["An", "1990", "001090000001", 2, "Pfizer"],
    ]
    export = read_export(write_xlsx_rows(tmp_path / "noid.xlsx", rows))
    assert export.records["record_id"].tolist() == ["dong-2", "dong-3"]
    assert export.doses["record_id"].tolist() == ["dong-2", "dong-3", "dong-2"]  # file order
    assert export.source["warnings"][0].code == "record_id_generated"


@pytest.mark.parametrize(
    "label, key",
    [
        ("Họ và tên", ("full_name", None)), ("Họ tên", ("full_name", None)),
        ("HỌ VÀ TÊN", ("full_name", None)), ("Số CMND/CCCD", ("id_number", None)),
        ("CMND/CCCD", ("id_number", None)), ("Số CCCD", ("id_number", None)),
        ("Số định danh", ("id_number", None)), ("Số giấy tờ tùy thân", ("id_number", None)),
        ("CCCD", ("id_number", None)), ("Ngày sinh", ("dob", None)),
        ("Ngày tháng năm sinh", ("dob", None)), ("NS", ("dob", None)), ("Giới tính", ("sex", None)),
        ("Giới", ("sex", None)), ("SĐT", ("phone", None)), ("Số điện thoại", ("phone", None)),
        ("Điện thoại", ("phone", None)), ("Mã xã", ("commune_code", None)),
        ("Mũi 1 - Tên vắc xin", ("vaccine", 1)), ("Tên vắc xin mũi 1", ("vaccine", 1)),
        ("Mũi 1 Tên vắc-xin", ("vaccine", 1)), ("M1_Vacxin", ("vaccine", 1)),
        ("Mũi 4 - Tuyến", ("facility_level", 4)), ("Ngày tiêm mũi 3", ("dose_date", 3)),
        ("Mũi", ("dose_number", None)), ("STT", ("ignore", None)), ("Ghi chú", None),
    ],
)  # fmt: skip
def test_header_aliases(label, key):
    assert header_key(label) == key


def test_read_table_keeps_headers_and_rows(wide_xlsx):
    table = read_table(wide_xlsx)
    assert list(table.columns) == WIDE_HEADER
    assert table.index.name == "source_row" and table.index.tolist() == [5, 6]
    assert table.loc[5, "Số CMND/CCCD"] == "1090123456"


def test_sheet_choice(tmp_path):
    path = tmp_path / "two.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Hướng dẫn"
    book.active.append(["Tệp này gồm danh sách ở trang sau"])
    data = book.create_sheet("Danh sách")
    data.append(["Họ tên", "Ngày sinh", "CCCD"])
    data.append(["An", "1990", "001090000001"])
    book.save(path)
    assert read_export(path).source["sheet"] == "Danh sách"  # first sheet with a header
    assert read_export(path, sheet=1).records["full_name"].tolist() == ["An"]


def test_mid_sized_xlsx_is_recognised(tmp_path):
    """A workbook between one and two sniffing windows long keeps its zip directory in view."""
    import random

    from vaxutils.io.readers import _SNIFF_BYTES

    path = tmp_path / "mid.xlsx"
    rng = random.Random(0)
    n = 400
    while True:
        frame = pd.DataFrame(
            {
                "Họ và tên": [f"Nguyễn Văn {rng.randrange(10**9)}" for _ in range(n)],
                "Ngày sinh": ["01/02/1990"] * n,
                "Số CMND/CCCD": [f"0010900{rng.randrange(10**5):05d}" for _ in range(n)],
            }
        )
        frame.to_excel(path, index=False)
        size = path.stat().st_size
        if _SNIFF_BYTES < size < 2 * _SNIFF_BYTES:
            break
        n = int(n * 1.5 * _SNIFF_BYTES / size)
    export = read_export(path)
    assert len(export.records) == n


# --- fastexcel (the fast xlsx reader) against calamine: the same text grid, cell for cell ---------


def _grid(path, engine, sheet=None):
    from vaxutils.io.readers import iter_grids

    return next(iter_grids(path, sheet, engine))


def _with_cached_values(path, cached: dict[str, tuple[str, str]]):
    """Give formula cells the cached results Excel stores (openpyxl writes formulas without)."""
    import shutil
    import zipfile

    part = "xl/worksheets/sheet1.xml"
    copy = path.with_suffix(".tmp")
    shutil.copy(path, copy)
    with zipfile.ZipFile(copy) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == part:
                xml = data.decode()
                for ref, (kind, value) in cached.items():
                    head = f'<c r="{ref}">'
                    start = xml.index(head)
                    end = xml.index("<v />", start)
                    typed = f'<c r="{ref}" t="{kind}">' if kind != "n" else head
                    xml = (
                        xml[:start]
                        + typed
                        + xml[start + len(head) : end]
                        + f"<v>{value}</v>"
                        + (xml[end + len("<v />") :])
                    )
                data = xml.encode()
            dst.writestr(item, data)
    copy.unlink()
    return path


EVERY_CELL_TYPE = [
    ["DANH SÁCH", None, None, None],
    ["STT", "Họ và tên", "Ngày sinh", "Số CCCD"],
    [1, "Nông Văn Pảo", datetime.date(1990, 1, 2), 1090123456.0],  # ID stored as number: 0 lost
    [2, "  Lê Thị Hoa ", datetime.datetime(2021, 8, 2, 14, 5, 9), "004185012345"],
    [3, "   ", datetime.datetime(1990, 1, 2), 999999999999999.0],  # 15 digits: Excel's maximum
    [-4, "", "15/07/1985", 12],
    [None, None, None, None],
    [5, "=B3", "=C3", "=D3*1"],  # formulas: the reader sees Excel's cached values
]


def test_fastexcel_reads_every_cell_type_as_calamine(tmp_path):
    path = write_xlsx_rows(tmp_path / "types.xlsx", [[], *([None, *r] for r in EVERY_CELL_TYPE)])
    _with_cached_values(
        path, {"C9": ("str", "Nông Văn Pảo"), "D9": ("n", "32875"), "E9": ("n", "1090123456")}
    )
    fast, slow = _grid(path, "fastexcel"), _grid(path, "calamine")
    assert fast.reader == "fastexcel"  # nothing ambiguous here: the fast path was taken
    pd.testing.assert_frame_equal(fast.cells, slow.cells)
    assert fast.cells.iloc[3, 1:].tolist() == ["1", "Nông Văn Pảo", "1990-01-02", "1090123456"]
    assert fast.cells.iloc[4, 3] == "2021-08-02 14:05:09"
    assert fast.cells.iloc[4, 2] == "  Lê Thị Hoa "  # text kept exactly as typed
    assert fast.cells.iloc[5, 2] is pd.NA and fast.cells.iloc[5, 4] == "999999999999999"
    assert fast.cells.iloc[8, 1:].tolist() == ["5", "Nông Văn Pảo", "32875", "1090123456"]
    assert fast.cells.iloc[0].isna().all() and fast.cells.iloc[:, 0].isna().all()  # from A1


@pytest.mark.parametrize(
    "cell",
    [
        -0.0,
        12345678901234567890.0,
        True,
        False,
        datetime.time(8, 30),
        datetime.datetime(2022, 5, 4, 8, 30, 15, 500000),
    ],
    ids=repr,
)
def test_fastexcel_hands_ambiguous_sheets_to_calamine(tmp_path, cell):
    """Cells whose fastexcel text differs from calamine's: that sheet is read by calamine."""
    path = write_xlsx_rows(tmp_path / "odd.xlsx", [["Họ tên", "Giá trị"], ["An", cell]])
    fast, slow = _grid(path, "fastexcel"), _grid(path, "calamine")
    assert fast.reader == "calamine"
    pd.testing.assert_frame_equal(fast.cells, slow.cells)


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        (1.5, "1.5"),
        (0.1 + 0.2, "0.3"),
        (3.14159265358979, "3.141592654"),
        (2.5e-05, "0.000025"),
        (4.9999999999, "5"),  # Excel's General format shows 5 too
        (5.18e-258, "0"),
        (123456.123456789, "123456.123456789"),
    ],
)
def test_fractions_read_as_excel_shows_them_by_every_reader(tmp_path, number, shown):
    path = write_xlsx_rows(tmp_path / "frac.xlsx", [["Họ tên", "Giá trị"], ["An", number]])
    fast, slow = _grid(path, "fastexcel"), _grid(path, "calamine")
    assert fast.reader == "fastexcel"
    pd.testing.assert_frame_equal(fast.cells, slow.cells)
    assert fast.cells.iloc[1, 1] == shown
    assert _grid(path, "openpyxl").cells.iloc[1, 1] == shown


def test_fastexcel_cached_error_and_text_lookalikes(tmp_path):
    rows = [["Họ tên", "A", "B"], ["An", "=1/0", "true"], ["Bình", "1.50", "2021-05-03"]]
    path = _with_cached_values(
        write_xlsx_rows(tmp_path / "err.xlsx", rows), {"B2": ("e", "#DIV/0!")}
    )
    fast, slow = _grid(path, "fastexcel"), _grid(path, "calamine")
    pd.testing.assert_frame_equal(fast.cells, slow.cells)


def test_fastexcel_sheet_choice_and_hidden_sheets(tmp_path):
    path = tmp_path / "hidden.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Ẩn"
    book.active.append(["Họ tên", "CCCD"])
    book.active.sheet_state = "hidden"
    data = book.create_sheet("Danh sách")
    data.append(["Họ tên", "Ngày sinh", "CCCD"])
    data.append(["An", datetime.date(1990, 1, 2), 1090000001])
    book.save(path)
    export = read_export(path)
    assert export.source["sheet"] == "Danh sách" and export.source["reader"] == "fastexcel"
    assert export.records[["dob", "id_number"]].values.tolist() == [["1990-01-02", "1090000001"]]
    assert _grid(path, "fastexcel", sheet=0).sheet == "Ẩn"  # asked for by position: read it
    with pytest.raises(Exception, match="không có trang tính"):
        _grid(path, "fastexcel", sheet="Không có")


def test_fastexcel_damaged_workbook_is_an_ingest_error(tmp_path):
    rows = [["Họ tên", "Ngày sinh", "CCCD"], ["An", "02/01/1990", 1090000001]]
    path = write_xlsx_rows(tmp_path / "ok.xlsx", rows)
    assert read_export(path).source["reader"] == "fastexcel"
    from vaxutils.io import IngestError

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(IngestError) as caught:
        read_export(broken)
    # a cut-short workbook is called what it is, not "a zip or Word file" (issue 13)
    assert caught.value.code == "truncated_file" and "Word" not in str(caught.value)
    assert "cắt cụt" in str(caught.value)


def _cells():
    from hypothesis import strategies as st

    return st.one_of(
        st.none(),
        st.integers(-(10**15), 10**15),
        st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300),
        st.booleans(),
        st.dates(datetime.date(1900, 3, 1), datetime.date(2100, 1, 1)),
        st.datetimes(datetime.datetime(1900, 3, 1), datetime.datetime(2100, 1, 1)),
        st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=12),
        st.sampled_from(["true", "1.50", "0123", " ", "1899-12-31 08:00:00", "-0", "1e5"]),
    )


def test_fastexcel_equals_calamine_on_any_cells(tmp_path):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.lists(_cells(), min_size=1, max_size=4), min_size=1, max_size=5))
    def check(rows):
        path = write_xlsx_rows(tmp_path / "any.xlsx", rows)
        pd.testing.assert_frame_equal(_grid(path, "fastexcel").cells, _grid(path, "calamine").cells)

    check()
