"""Junk in, a clear answer out, for the workflow steps after screening (S2–S7).

Every public function that takes user data gets empty tables, odd cells and files that are not
what they should be: it answers with a table (maybe empty) or a message naming the file, never
a traceback.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from vaxutils.errors import VaxutilsError
from vaxutils.passport import passport_worklist, write_passport_workbook
from vaxutils.workflow.platform import platform_files
from vaxutils.workflow.police import read_police_list, write_police_list
from vaxutils.workflow.review import read_review_workbook, write_review_workbook
from vaxutils.workflow.verify import compare_screenings, progress

ODD = [None, pd.NA, "", "   ", "=1+1", "x" * 5000, "0", "Không có", "\x00\x01", "Nguyễn Văn A"]
RECORDS = pd.DataFrame(
    {
        "record_id": [f"R{i}" for i in range(len(ODD))],
        "source_row": range(2, 2 + len(ODD)),
        "full_name": ODD,
        "dob": pd.to_datetime(
            [None, "1990-01-02", None, None, None, "2001-02-03", None, None, None, None]
        ),
        "dob_precision": [None, "day", None, None, None, "day", None, None, None, None],
        "sex": ODD,
        "id_raw": ODD,
        "village": ODD,
    }
)
FINDINGS = pd.DataFrame(
    {
        "record_id": RECORDS["record_id"],
        "category": ["missing_id", "id_format", "personal_info", "duplicate", "dose"] * 2,
        "code": "x",
        "severity": ["error", "warning"] * 5,
        "field": ["id_number", "full_name", None, "sex", "dob"] * 2,
        "value": ODD,
        "suggestion": ODD,
        "message": ODD,
    }
)
EMPTY_FINDINGS = FINDINGS.iloc[:0]


def test_lists_out_with_odd_cells(tmp_path):
    review = write_review_workbook(tmp_path / "r.xlsx", RECORDS, FINDINGS)
    police = write_police_list(tmp_path / "p.xlsx", RECORDS, FINDINGS)
    assert review.stat().st_size > 0 and police.stat().st_size > 0
    # nothing to review: an instructions sheet alone, still a valid workbook
    assert write_review_workbook(tmp_path / "none.xlsx", RECORDS, EMPTY_FINDINGS).is_file()


@pytest.mark.parametrize(
    "content",
    [b"", b"PK\x03\x04 truncated zip", b"%PDF-1.7", "Mã đối tượng\nR1\n".encode()],
    ids=["empty", "broken-zip", "pdf", "csv-without-the-columns"],
)
@pytest.mark.parametrize("reader", ["review", "police"])
def test_returned_junk_is_a_message_not_a_traceback(tmp_path, content, reader):
    path = tmp_path / "tra_lai.xlsx"
    path.write_bytes(content)
    read = read_review_workbook if reader == "review" else read_police_list
    try:
        result = read(path, RECORDS, FINDINGS)
    except VaxutilsError as exc:
        assert "tra_lai.xlsx" in str(exc)
        return
    assert not result.ok  # nothing usable came back: that is an error, said in Vietnamese
    assert result.problems["message"].str.len().gt(0).all()


def test_platform_files_with_nothing_and_with_odd_cells():
    files = platform_files(RECORDS, EMPTY_FINDINGS)
    assert files.imports.empty and files.edits.empty and files.left_out.empty
    review = pd.DataFrame(
        {"record_id": RECORDS["record_id"], "decision": ["Sửa"] * len(ODD), "id_number": ODD,
         "full_name": ODD, "dob": ODD, "sex": ODD}
    )  # fmt: skip
    files = platform_files(RECORDS, FINDINGS, review=review)
    assert files.imports.empty  # no valid ID among the odd cells
    id_lists = set(
        FINDINGS.loc[FINDINGS["category"].isin(["missing_id", "id_format"]), "record_id"]
    )
    assert id_lists <= set(files.left_out["record_id"])  # each said why
    assert files.unplaced.empty and files.edits["new_value"].str.len().max() < 5000


def test_passport_worklist_with_no_doses_or_odd_doses(tmp_path):
    no_doses = pd.DataFrame(
        {
            "record_id": [],
            "dose_number": pd.array([], dtype="Int64"),
            "dose_date": pd.to_datetime([]),
        }
    )
    empty = passport_worklist(no_doses, RECORDS, FINDINGS, work_date=date(2022, 5, 15))
    assert empty.empty
    assert write_passport_workbook(tmp_path / "ky.xlsx", empty).is_file()
    odd = pd.DataFrame(
        {
            "record_id": RECORDS["record_id"],
            "source_row": RECORDS["source_row"],
            "dose_number": pd.array([1, None, 2, 1, 1, 3, 1, 1, 1, 1], dtype="Int64"),
            "vaccine": ODD,
            "product": [
                None,
                "Pfizer",
                "Nanocovax",
                None,
                "Moderna",
                None,
                None,
                None,
                None,
                "Pfizer",
            ],
            "dose_date": pd.to_datetime(
                [
                    "2021-08-01",
                    None,
                    "2030-01-01",
                    "2021-01-01",
                    "2021-09-09",
                    None,
                    None,
                    None,
                    None,
                    "2021-10-10",
                ]
            ),
            "facility": ODD,
        }
    )
    worklist = passport_worklist(odd, RECORDS, FINDINGS, work_date=date(2022, 5, 15))
    assert worklist["status"].isin(["sẵn sàng ký", "bị chặn"]).all()
    assert (worklist["dose_date"] <= pd.Timestamp("2022-05-15")).all()
    assert worklist["facility"].notna().all()


def test_verify_with_nothing_in_common():
    table = compare_screenings(FINDINGS, EMPTY_FINDINGS, RECORDS["record_id"], ["new-1", None, ""])
    status = table.set_index("record_id")["status"]
    assert (status[RECORDS["record_id"]] == "không còn").all()
    assert status["new-1"] == "bản ghi mới"
    pace = progress(table, FINDINGS, EMPTY_FINDINGS, None)
    assert pace["days_left"] is None and pace["records_with_problems_now"] == 0
