"""Reading and writing the workbooks the way a person does: find each list's table, write the
answers in the fill-in columns, and on the first round leave the mess real files have (a blank
row, a note under the table, a sheet moved to the front)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from vaxutils.synth.people.answers import police_answer, village_answer
from vaxutils.synth.people.script import Script

RECORD_LABEL = "Mã đối tượng"
HEADER_ROWS = 10
# village review sheet: shown values and fill-in columns (vaxutils.workflow.review.columns)
SHOWN_REVIEW = {
    "full_name": "Họ và tên",
    "dob": "Ngày sinh",
    "sex": "Giới tính",
    "id_number": "Số CMND/CCCD",
}
FILLED_REVIEW = {
    "decision": "Kết luận của tổ",
    "full_name": "Họ và tên đúng",
    "dob": "Ngày sinh đúng",
    "sex": "Giới tính đúng",
    "id_number": "Số CMND/CCCD đúng",
    "note": "Ghi chú",
    "reviewer": "Người rà soát",
    "duplicate_of": "Trùng với mã đối tượng",
}
FILLED_POLICE = {
    "verified": "Đã đối chiếu CSDL dân cư",
    "id_number": "Số định danh cá nhân (12 số)",
    "full_name": "Họ và tên theo CSDL",
    "dob": "Ngày sinh theo CSDL",
    "sex": "Giới tính theo CSDL",
    "note": "Ghi chú",
    "officer": "Cán bộ đối chiếu",
}


def _tables(book):
    """(sheet, header row, {label: column}) of every sheet holding a list."""
    for ws in book.worksheets:
        header = next(
            (r for r in range(1, HEADER_ROWS) if ws.cell(r, 1).value == RECORD_LABEL), None
        )
        if header is not None:
            labels = {ws.cell(header, c).value: c for c in range(1, ws.max_column + 1)}
            yield ws, header, labels


def _shown(ws, r: int, labels: dict) -> dict:
    return {f: ws.cell(r, labels[label]).value for f, label in SHOWN_REVIEW.items()}


def _write(ws, r: int, labels: dict, filled: dict, answer: dict) -> None:
    for name, label in filled.items():
        if name in answer and label in labels:
            ws.cell(r, labels[label], answer[name])


def _answer_rows(ws, header: int, labels: dict, filled: dict, answer_of, script, k: int) -> int:
    """First round: every listed row of the sheet answered carelessly; returns the next rank."""
    for r in range(header + 1, ws.max_row + 1):
        rid = ws.cell(r, 1).value
        if rid is None:
            continue
        answer = answer_of(script, str(rid), _shown(ws, r, labels), careful=False, k=k)
        _write(ws, r, labels, filled, answer)
        k += 1
    return k


def fill_review(path: str | os.PathLike, out: str | os.PathLike, script: Script) -> Path:
    """The village teams' first answer to the review workbook ``path``, mistakes included."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    k = 0
    tables = list(_tables(book))
    for i, (ws, header, labels) in enumerate(tables):
        k = _answer_rows(ws, header, labels, FILLED_REVIEW, village_answer, script, k)
        if i == 0 and ws.max_row > header + 2:
            ws.insert_rows(header + 2)  # a blank row left in the middle of the table
        if i == len(tables) - 1:
            ws.cell(
                ws.max_row + 2, 1, "Người lập biểu: Tổ trưởng (đã ký)"
            )  # a note under the table
    if len(book.worksheets) > 2:
        book.move_sheet(book.worksheets[-1], offset=-(len(book.worksheets) - 1))
    book.save(out)
    return Path(out)


def fix_reported(
    path: str | os.PathLike,
    out: str | os.PathLike,
    problems: pd.DataFrame,
    script: Script,
    *,
    police: bool = False,
) -> Path:
    """The second round: the rows ``problems`` names (errors) answered again, carefully; a row
    that is not a listed record (a note, a typo in the id) deleted."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    errors = problems[problems["severity"].eq("error") & problems["row"].notna()]
    for ws, _header, labels in _tables(book):
        rows = errors.loc[errors["sheet"].eq(ws.title), "row"].astype(int).unique()
        doomed = []
        for r in sorted(rows):
            rid = ws.cell(r, 1).value
            if rid is None or str(rid) not in script.truth.index:
                doomed.append(r)
                continue
            if police:
                answer = police_answer(script, str(rid), _shown(ws, r, labels), careful=True, k=r)
                _write(ws, r, labels, FILLED_POLICE, answer | _blank_police(answer))
            else:
                answer = village_answer(script, str(rid), _shown(ws, r, labels), careful=True, k=r)
                _write(ws, r, labels, FILLED_REVIEW, _blank_review(answer))
        for r in sorted(doomed, reverse=True):
            ws.delete_rows(r)
    book.save(out)
    return Path(out)


def _blank_review(answer: dict) -> dict:
    """A corrected row: what is not written again is cleared (a stale wrong value would stay)."""
    return {name: answer.get(name) for name in FILLED_REVIEW}


def _blank_police(answer: dict) -> dict:
    return {name: answer.get(name) for name in FILLED_POLICE}


def fill_police(path: str | os.PathLike, out: str | os.PathLike, script: Script) -> Path:
    """The police officer's answer to the police list (an ID typed as a number now and then)."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    k = 0
    for ws, header, labels in _tables(book):
        k = _answer_rows(ws, header, labels, FILLED_POLICE, police_answer, script, k)
    book.save(out)
    return Path(out)
