"""Steps S3–S4: the police list out, checked against the population database, signed and back."""

from __future__ import annotations

from datetime import date

import openpyxl
import pandas as pd
import pytest
from workbook_helpers import fill, population_by_record, screen_dir, screened_commune

from vaxutils.io import file_sha256
from vaxutils.workflow.police import (
    LABEL_OF_FILLED,
    LABEL_OF_SHOWN,
    NO,
    SHEET,
    YES,
    keep_evidence,
    police_sent,
    read_police_list,
    write_police_list,
)

EXPORT_DATE = date(2022, 5, 15)
OFFICER = "Thượng úy Hoàng Văn Đức"


@pytest.fixture(scope="module")
def screened(tmp_path_factory):
    commune, result = screened_commune(tmp_path_factory.mktemp("s3"), "01363", 700, 8, EXPORT_DATE)
    return commune, result.records, result.findings


def database(commune) -> pd.DataFrame:
    return population_by_record(commune)


def police_answer(commune):
    db = database(commune)

    def answer(record_id):
        person = db.loc[record_id] if record_id in db.index else None
        if person is None or pd.isna(person["id_number"]):
            return {
                LABEL_OF_FILLED["verified"]: NO,
                LABEL_OF_FILLED["note"]: "không có số định danh",
                LABEL_OF_FILLED["officer"]: OFFICER,
            }
        return {
            LABEL_OF_FILLED["verified"]: "co",  # typed without accents: still "Có"
            LABEL_OF_FILLED["id_number"]: person["id_number"],
            LABEL_OF_FILLED["full_name"]: person["full_name"],
            LABEL_OF_FILLED["dob"]: person["dob"].strftime("%d/%m/%Y"),
            LABEL_OF_FILLED["sex"]: person["sex"],
            LABEL_OF_FILLED["officer"]: OFFICER,
        }

    return answer


@pytest.fixture(scope="module")
def police_list_file(screened, tmp_path_factory):
    _, records, findings = screened
    path = tmp_path_factory.mktemp("police") / "doi_chieu_01363.xlsx"
    return write_police_list(path, records, findings, commune="Thị trấn Thông Nông")


def test_the_list_sent_is_screenings_three_lists(screened, police_list_file):
    _, records, findings = screened
    book = openpyxl.load_workbook(police_list_file)
    assert book.sheetnames == ["Hướng dẫn", SHEET]
    ws = book[SHEET]
    assert ws["A1"].value.startswith("DANH SÁCH ĐỐI CHIẾU VỚI CƠ SỞ DỮ LIỆU QUỐC GIA VỀ DÂN CƯ")
    sent = police_sent(findings)
    assert ws.max_row - 3 == len(sent) > 30
    s1 = findings[
        findings["category"].isin(["missing_id", "id_format", "personal_info"])
        & findings["severity"].isin(["error", "warning"])
    ]
    assert set(sent) == set(s1["record_id"])


def test_police_answers_come_back_verified_and_signed(screened, police_list_file, tmp_path):
    commune, records, findings = screened
    filled = fill(police_list_file, tmp_path / "da_doi_chieu.xlsx", police_answer(commune))
    result = read_police_list(filled, records, findings, export_date=EXPORT_DATE)
    errors = result.problems[result.problems["severity"] == "error"]
    assert errors.empty, errors.head().to_dict("records")
    verified = result.verified.set_index("record_id")
    db = database(commune)
    checked = verified[verified["verified"] == YES]
    assert len(checked) > 20 and (checked["officer"] == OFFICER).all()
    assert (checked["id_number"] == db.loc[checked.index, "id_number"]).all()
    assert (checked["sex"] == db.loc[checked.index, "sex"]).all()
    changes = result.changes
    assert (
        len(changes)
        and (changes["source"] == "công an xã").all()
        and (changes["who"] == OFFICER).all()
    )
    signoff = result.signoff
    assert signoff["signed_by"] == [OFFICER] and signoff["sha256"] == file_sha256(filled)
    assert signoff["n_verified"] == len(checked) and signoff["n_rows"] == len(verified)
    evidence = keep_evidence(filled, tmp_path / "evidence", signoff["sha256"])
    assert evidence.read_bytes() == filled.read_bytes() and evidence.name.endswith(filled.name)

    from vaxutils.contracts import validate

    outcome = validate(result.verified, "police_verified")
    assert outcome.success, outcome.summary_vi()


def test_police_mistakes_are_named(screened, police_list_file, tmp_path):
    commune, records, findings = screened
    ids = sorted(police_sent(findings))
    answers = {
        ids[0]: {LABEL_OF_FILLED["officer"]: OFFICER},  # no result
        ids[1]: {LABEL_OF_FILLED["verified"]: "đã xem", LABEL_OF_FILLED["officer"]: OFFICER},
        ids[2]: {LABEL_OF_FILLED["verified"]: YES, LABEL_OF_FILLED["id_number"]: "0123",
                 LABEL_OF_FILLED["officer"]: OFFICER},
        ids[3]: {LABEL_OF_FILLED["verified"]: NO},  # nobody signed
    }  # fmt: skip
    filled = fill(police_list_file, tmp_path / "loi.xlsx", lambda rid: answers.get(rid, {}))
    problems = read_police_list(filled, records, findings, export_date=EXPORT_DATE).problems
    mine = problems.set_index("record_id")

    def messages(rid):
        return " | ".join(mine.loc[[rid], "message"])

    assert "Chưa ghi kết quả đối chiếu" in messages(ids[0])
    assert "'đã xem' không hợp lệ" in messages(ids[1])
    assert "12 chữ số" in messages(ids[2])
    assert (mine.loc[[ids[2]], "column"] == LABEL_OF_FILLED["id_number"]).any()
    assert "Thiếu tên cán bộ" in messages(ids[3])
    assert mine.loc[[ids[0]], "sheet"].eq(SHEET).all() and mine.loc[[ids[0]], "row"].notna().all()


def test_after_a_village_review_the_villages_values_are_sent(screened, tmp_path):
    _, records, findings = screened
    some = police_sent(findings)[:5]
    review = pd.DataFrame(
        {
            "record_id": some,
            "full_name": ["Nguyễn Văn Một"] * 4 + [pd.NA],  # the last left as it was
            "dob": ["01/01/1990"] * 5,
            "sex": ["Nam"] * 5,
            "id_number": ["001090000001"] * 5,
            "decision": ["Sửa"] * 5,
        }
    )
    path = write_police_list(tmp_path / "sau_ra_soat.xlsx", records, findings, review)
    ws = openpyxl.load_workbook(path)[SHEET]
    header = [c.value for c in ws[3]]
    rows = {
        r[0]: dict(zip(header, r, strict=False)) for r in ws.iter_rows(min_row=4, values_only=True)
    }
    assert set(rows) == set(some)  # only the reviewed records
    first, last = rows[some[0]], rows[some[4]]
    assert first[LABEL_OF_SHOWN["full_name"]] == "Nguyễn Văn Một"
    assert first[LABEL_OF_SHOWN["decision"]] == "Sửa"
    screened_name = records.set_index("record_id").at[some[4], "full_name"]
    assert last[LABEL_OF_SHOWN["full_name"]] == screened_name  # what the village left blank


def test_cli(screened, police_list_file, tmp_path):
    from typer.testing import CliRunner

    from vaxutils.cli import app

    commune, records, findings = screened
    screened_dir = screen_dir(tmp_path / "screen", records=records, findings=findings)
    runner = CliRunner()
    sent = runner.invoke(
        app, ["police", "out", str(screened_dir), "--out", str(tmp_path / "ds.xlsx")]
    )
    assert sent.exit_code == 0, sent.output
    filled = fill(tmp_path / "ds.xlsx", tmp_path / "ky.xlsx", police_answer(commune))
    back = runner.invoke(
        app,
        ["police", "in", str(filled), "--screened", str(screened_dir), "--out", str(tmp_path / "in"),
         "--export-date", "15/05/2022"],
    )  # fmt: skip
    assert back.exit_code == 0, back.output
    assert "ĐẠT" in back.output and OFFICER in back.output
    assert (tmp_path / "in" / "signoff.json").is_file()
    assert len(list((tmp_path / "in" / "evidence").iterdir())) == 1
    missing = runner.invoke(
        app,
        [
            "police",
            "out",
            str(screened_dir),
            "--review",
            str(tmp_path),
            "--out",
            str(tmp_path / "x.xlsx"),
        ],
    )
    assert missing.exit_code != 0 and "review.parquet" in str(missing.exception) + missing.output


def test_a_cmnd_the_database_holds_and_not_found_are_valid_answers(
    screened, police_list_file, tmp_path
):
    """9-digit CMNDs are valid in 2022; "Không" (not in the database) closes a row too."""
    commune, records, findings = screened
    sent = police_sent(findings)
    db = database(commune)
    cmnd_row = next(r for r in sent if r in db.index and pd.notna(db.loc[r, "cmnd"]))
    answer = police_answer(commune)

    def with_cmnd(record_id):
        given = answer(record_id)
        if record_id == cmnd_row:
            given[LABEL_OF_FILLED["id_number"]] = db.loc[record_id, "cmnd"]
        return given

    filled = fill(police_list_file, tmp_path / "cmnd.xlsx", with_cmnd)
    result = read_police_list(filled, records, findings, export_date=EXPORT_DATE)
    mine = result.problems[result.problems["record_id"].eq(cmnd_row)]
    assert not mine["severity"].eq("error").any(), mine.to_dict("records")
    row = result.verified.set_index("record_id").loc[cmnd_row]
    assert row["id_number"] == db.loc[cmnd_row, "cmnd"] and row["verified"] == YES
    assert result.ok, (
        result.problems[result.problems["severity"].eq("error")].head().to_dict("records")
    )

    from vaxutils.contracts import validate

    assert validate(result.verified, "police_verified").success
