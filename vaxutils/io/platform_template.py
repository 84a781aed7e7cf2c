"""The vaccination platform's own Excel import template ("Import đối tượng tiêm COVID-19"), out and back.

The template (DESIGN §3.4; a blank copy ships as ``vaxutils/refdata/data/platform_template.xlsx``,
made by ``scripts/build_platform_refdata.py``) has one sheet ``PL1_Danh sach doi tuong tiem``:
notes in rows 1–5, a two-row header in rows 7–8 (merged cells: ``Nơi ở tạm trú (hiện tại)`` over
J–P, ``Mũi 1`` … ``Mũi 4`` over four columns each), data from row 9, 35 columns A–AI. Every data
cell is Text (``@``) so that IDs, codes and dates keep their leading zeros. The platform writes the
outcome of an import into AH ("Kết quả import Thất bại") and AI ("Kết quả import Thành công").

:func:`write_platform_template` writes a frame of :data:`TEMPLATE_FIELDS` (text) into a copy of the
blank template; :func:`read_platform_results` reads a file the platform returned.

>>> [TEMPLATE_FIELDS[i] for i in (0, 3, 14, 16, 19, 34)]
['stt', 'sex', 'commune_code', 'vaccine_1', 'site_1', 'import_succeeded']
>>> column_letter("site_4"), column_letter("import_failed"), len(TEMPLATE_FIELDS)
('AF', 'AH', 35)
"""

from __future__ import annotations

import os
from io import BytesIO
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from vaxutils.io.errors import IngestError, WriteError
from vaxutils.io.files import write_atomic
from vaxutils.io.readers import EXCEL_MAX_ROWS
from vaxutils.io.writers import formula_like
from vaxutils.refdata.platform import template_bytes

SHEET = "PL1_Danh sach doi tuong tiem"
HEADER_ROWS = (7, 8)
FIRST_DATA_ROW = 9
_PERSON = (
    "stt",
    "full_name",
    "dob",
    "sex",
    "priority_group",
    "workplace",
    "phone",
    "id_number",
    "insurance_no",
    "province",
    "province_code",
    "district",
    "district_code",
    "commune",
    "commune_code",
    "address",
)
DOSE_PARTS = ("vaccine", "dose_date", "lot", "site")
TEMPLATE_FIELDS: tuple[str, ...] = (
    *_PERSON,
    *(f"{part}_{n}" for n in range(1, 5) for part in DOSE_PARTS),
    "note",
    "import_failed",
    "import_succeeded",
)
# The columns marked (*) in the template: the platform refuses a row without them.
REQUIRED_FIELDS: tuple[str, ...] = (
    "full_name",
    "dob",
    "sex",
    "priority_group",
    "phone",
    "id_number",
    "province_code",
    "district_code",
    "commune_code",
)
REQUIRED_DOSE_PARTS: tuple[str, ...] = ("vaccine", "dose_date", "site")
RESULT_FIELDS = ("import_failed", "import_succeeded")


def column_letter(field: str) -> str:
    """The template column of a field ("site_4" → "AF")."""
    return get_column_letter(TEMPLATE_FIELDS.index(field) + 1)


def header_labels() -> dict[str, str]:
    """Each field's header as the template words it ("group / sub-header" under a merged group)."""
    sheet = load_workbook(BytesIO(template_bytes()))[SHEET]
    labels = {}
    group = None
    for i, field in enumerate(TEMPLATE_FIELDS, start=1):
        top, low = sheet.cell(HEADER_ROWS[0], i).value, sheet.cell(HEADER_ROWS[1], i).value
        if top is not None:
            group = top
        text = f"{group} / {low}" if low is not None else str(top if top is not None else group)
        labels[field] = " ".join(str(text).split())
    return labels


def _check_frame(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.drop(columns=["record_id"], errors="ignore")  # ours, not the platform's
    unknown = [c for c in frame.columns if c not in TEMPLATE_FIELDS]
    if unknown:
        raise WriteError(f"Cột không có trong mẫu nhập / not template columns: {unknown}")
    if len(frame) + FIRST_DATA_ROW - 1 > EXCEL_MAX_ROWS:
        raise WriteError(
            f"{len(frame):,} dòng vượt giới hạn của Excel: tách tệp nhập theo thôn. — Too many rows "
            "for one Excel sheet: split the import."
        )
    return frame.reindex(columns=list(TEMPLATE_FIELDS)).astype("string")


def write_platform_template(path: str | os.PathLike, frame: pd.DataFrame) -> Path:
    """Write ``frame`` (columns from :data:`TEMPLATE_FIELDS`, text; a ``record_id`` column is
    left out) into the platform's blank
    template from row 9, atomically. Rows 1–8 stay exactly as the template has them (values,
    merged cells, styles, widths). Every data cell is a Text cell (``@``); a value that looks like a
    formula is written as text with Excel's quote prefix, never evaluated. ``stt`` is numbered
    1, 2, … when empty."""
    frame = _check_frame(frame)
    if frame["stt"].isna().all():
        frame["stt"] = pd.Series(range(1, len(frame) + 1), index=frame.index).astype("string")
    cells = frame.astype(object).where(frame.notna(), None).to_numpy()
    risky = {c: formula_like(frame[c]).to_numpy() for c in frame.columns}

    def write(tmp: Path) -> None:
        book = load_workbook(BytesIO(template_bytes()))
        sheet = book[SHEET]
        wrap = Alignment(vertical="top")
        for r, values in enumerate(cells, start=FIRST_DATA_ROW):
            for c, value in enumerate(values, start=1):
                cell = sheet.cell(r, c)
                cell.number_format = "@"  # Text, blank or not: a typed ID keeps its zeros
                cell.alignment = wrap
                if value is not None:
                    cell.value = str(value)
                    cell.data_type = "s"
                    if risky[TEMPLATE_FIELDS[c - 1]][r - FIRST_DATA_ROW]:
                        cell.quotePrefix = True
        book.save(tmp)

    return write_atomic(path, write)


def _not_template(path: Path, why_vi: str, why_en: str) -> IngestError:
    return IngestError(
        "not_platform_template",
        f"không phải tệp mẫu nhập của nền tảng ({why_vi})",
        f"not the platform's import template ({why_en})",
        path=path,
        hint_vi="Chọn tệp nhap_nen_tang.xlsx mà nền tảng đã trả về (có cột AH, AI).",
        hint_en="Choose the nhap_nen_tang.xlsx file the platform returned (columns AH, AI).",
    )


def read_platform_template(path: str | os.PathLike) -> pd.DataFrame:
    """Every data row of a file in the template layout, as text: :data:`TEMPLATE_FIELDS` plus
    ``source_row`` (the Excel row). The header of rows 7–8 must be the template's."""
    p = Path(path)
    if not p.is_file():
        raise IngestError(
            "file_missing", "không tìm thấy tệp", "file not found", path=p,
            hint_vi=f"Kiểm tra lại đường dẫn '{p}'.", hint_en=f"Check the path '{p}'.",
        )  # fmt: skip
    try:
        book = load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:  # a corrupt or non-xlsx file: say so, no traceback
        raise _not_template(p, f"không mở được: {type(exc).__name__}", type(exc).__name__) from None
    try:
        if SHEET not in book.sheetnames:
            raise _not_template(p, f"không có trang tính '{SHEET}'", f"no sheet '{SHEET}'")
        rows = list(
            book[SHEET].iter_rows(min_row=1, max_col=len(TEMPLATE_FIELDS), values_only=True)
        )
    finally:
        book.close()
    expected = load_workbook(BytesIO(template_bytes()))[SHEET]
    for r in HEADER_ROWS:
        got = rows[r - 1] if len(rows) >= r else ()
        for c in (2, 33, 34, 35):  # B, AG, AH, AI identify the template
            want = expected.cell(r, c).value
            have = got[c - 1] if len(got) >= c else None
            if want is not None and " ".join(str(have).split()) != " ".join(str(want).split()):
                raise _not_template(
                    p,
                    f"ô {get_column_letter(c)}{r} là '{have}', cần '{want}'",
                    f"cell {get_column_letter(c)}{r} is '{have}', expected '{want}'",
                )
    data = rows[FIRST_DATA_ROW - 1 :]
    frame = pd.DataFrame(
        [list(r) + [None] * (len(TEMPLATE_FIELDS) - len(r)) for r in data],
        columns=list(TEMPLATE_FIELDS),
        dtype=object,
    )
    frame["source_row"] = range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(frame))
    text = frame[list(TEMPLATE_FIELDS)].map(
        lambda v: None if v is None or (isinstance(v, str) and not v.strip()) else str(v).strip()
    )  # one small sheet of returned rows: cell-wise is fine here
    frame[list(TEMPLATE_FIELDS)] = text.astype("string")
    return frame[frame[list(TEMPLATE_FIELDS[1:])].notna().any(axis=1)].reset_index(drop=True)


def read_platform_results(path: str | os.PathLike) -> pd.DataFrame:
    """The rows of an import file the platform returned, with its verdict per row.

    Columns: ``source_row``, ``id_number``, ``full_name``, ``dob``, ``result`` (``imported`` |
    ``failed`` | ``no_result``), ``reason`` (AH's text for a failure, AI's for a success).
    """
    frame = read_platform_template(path)
    failed = frame["import_failed"].notna()
    succeeded = frame["import_succeeded"].notna() & ~failed
    result = pd.Series("no_result", index=frame.index, dtype="string")
    result[succeeded.to_numpy()] = "imported"
    result[failed.to_numpy()] = "failed"
    return pd.DataFrame(
        {
            "source_row": frame["source_row"].astype("int64"),
            "id_number": frame["id_number"],
            "full_name": frame["full_name"],
            "dob": frame["dob"],
            "result": result,
            "reason": frame["import_failed"].fillna(frame["import_succeeded"]),
        }
    )
