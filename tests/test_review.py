"""Step S2: the village review workbook, out to the villages and back, checked."""

from __future__ import annotations

import shutil
from datetime import date

import openpyxl
import pandas as pd
import pytest
from workbook_helpers import fill, screen_dir, screened_commune

from vaxutils.io import file_sha256
from vaxutils.workflow.review import (
    DECISIONS,
    read_review_workbook,
    review_sheets,
    write_review_workbook,
)
from vaxutils.workflow.review.columns import LABEL_OF_FILLED, LABEL_OF_SHOWN
from vaxutils.workflow.review.workbook import INSTRUCTIONS_SHEET

EXPORT_DATE = date(2022, 5, 15)
CORRECTABLE = ("full_name", "dob", "sex", "id_number")


@pytest.fixture(scope="module")
def screened(tmp_path_factory):
    commune, result = screened_commune(
        tmp_path_factory.mktemp("s2"), "01363", 800, 5, EXPORT_DATE, fmt="xlsx"
    )
    return commune, result.records, result.findings


@pytest.fixture(scope="module")
def workbook(screened, tmp_path_factory):
    _, records, findings = screened
    path = tmp_path_factory.mktemp("out") / "ra_soat_01363.xlsx"
    return write_review_workbook(
        path, records, findings, commune="Xã Trường Hà", made_on=EXPORT_DATE
    )


def _truth(commune) -> pd.DataFrame:
    """What a village team knows: the true value of every injected error on a person field."""
    labels = commune.labels
    known = labels[
        labels["field"].isin(CORRECTABLE)
        & labels["category"].isin(["personal_info", "id_format", "missing_id"])
        & labels["true_value"].notna()
    ]
    return known.drop_duplicates(["record_id", "field"]).pivot(
        index="record_id", columns="field", values="true_value"
    )


def team_answer(commune, records):
    truth = _truth(commune)
    labels = commune.labels[commune.labels["category"] == "duplicate"]
    # the other record of each pair: a village names it (issue 12: "Trùng" needs it)
    other = dict(zip(labels["record_id"], labels["true_value"], strict=True))
    other |= {
        v: k for k, v in other.items() if isinstance(v, str) and v in set(records["record_id"])
    }

    def answer(record_id):
        if record_id in truth.index:
            values = truth.loc[record_id].dropna()
            filled = {LABEL_OF_FILLED[f]: v for f, v in values.items()}
            return {LABEL_OF_FILLED["decision"]: "Sửa", **filled}
        if record_id in other:
            return {
                LABEL_OF_FILLED["decision"]: "trùng",
                LABEL_OF_FILLED["note"]: f"trùng {other[record_id]}",
            }
        return {LABEL_OF_FILLED["decision"]: "Đúng"}

    return answer


def test_one_sheet_per_village_with_what_to_review(screened, workbook):
    commune, records, findings = screened
    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames[0] == INSTRUCTIONS_SHEET
    villages = sorted(records["village"].dropna().unique())
    sheets = review_sheets(records, findings)
    assert book.sheetnames[1:] == list(sheets) and set(sheets) <= set(villages)
    sent = pd.concat(sheets.values())
    flagged = findings[
        findings["category"].isin(["missing_id", "id_format", "personal_info", "duplicate"])
        & findings["severity"].isin(["error", "warning"])
    ]
    assert set(sent[LABEL_OF_SHOWN["record_id"]]) == set(flagged["record_id"])
    assert sent[LABEL_OF_SHOWN["problems"]].notna().all()  # every row says what is wrong
    duplicates = findings[(findings["category"] == "duplicate") & findings["related"].notna()]
    one = duplicates.iloc[0]
    shown = sent.set_index(LABEL_OF_SHOWN["record_id"]).at[
        one["record_id"], LABEL_OF_SHOWN["problems"]
    ]
    assert f"hồ sơ liên quan: {one['related']}" in shown  # the other record, named
    ws = book[book.sheetnames[1]]
    assert ws["A1"].value.startswith("DANH SÁCH ĐỐI TƯỢNG CẦN RÀ SOÁT")
    header = [c.value for c in ws[3]]
    assert header[0] == "Mã đối tượng" and LABEL_OF_FILLED["decision"] in header
    decision_col = header.index(LABEL_OF_FILLED["decision"]) + 1
    assert ws.cell(3, decision_col).fill.start_color.rgb.endswith("FFF2CC")  # to fill in
    rules = {
        str(dv.sqref).split(":")[0][:1]: dv.formula1 for dv in ws.data_validations.dataValidation
    }
    assert any(all(d in formula for d in DECISIONS) for formula in rules.values())
    id_col = header.index(LABEL_OF_FILLED["id_number"]) + 1
    assert ws.cell(4, id_col).number_format == "@"  # a typed ID keeps its leading zero


def test_an_untouched_workbook_comes_back_undecided(screened, workbook):
    _, records, findings = screened
    result = read_review_workbook(workbook, records, findings, export_date=EXPORT_DATE)
    assert result.ok  # nothing wrong, only undecided
    assert set(result.problems["severity"]) == {"warning"}
    assert (result.problems["column"] == LABEL_OF_FILLED["decision"]).all()
    assert result.review["decision"].isna().all() and result.changes.empty


def test_team_corrections_come_back_as_the_truth(screened, workbook, tmp_path):
    commune, records, findings = screened
    filled = fill(workbook, tmp_path / "da_ra_soat.xlsx", team_answer(commune, records))
    before = file_sha256(filled)
    result = read_review_workbook(filled, records, findings, export_date=EXPORT_DATE)
    assert file_sha256(filled) == before  # the returned file is never modified
    errors = result.problems[result.problems["severity"] == "error"]
    assert errors.empty, errors.head().to_dict("records")
    review = result.review.set_index("record_id")
    truth = _truth(commune)
    truth = truth[truth.index.isin(review.index)]
    assert len(truth) > 20
    for field in CORRECTABLE:
        expected = truth[field].dropna()
        assert (review.loc[expected.index, field] == expected).all(), field
    assert set(review["decision"].dropna()) <= set(DECISIONS)
    assert review["decision"].notna().all()
    # the direct-edit list: one row per changed field, before -> after
    changes = result.changes
    assert len(changes) and (changes["old_value"] != changes["new_value"]).all()
    assert set(changes["field"]) <= set(CORRECTABLE)
    assert (changes["source"] == "rà soát thôn").all() and changes["when"].notna().all()
    assert (changes["who"] == "Tổ " + changes["sheet"]).all()  # nobody signed: the village team


def test_the_returned_table_meets_its_contract(screened, workbook, tmp_path):
    from vaxutils.contracts import validate

    commune, records, findings = screened
    filled = fill(workbook, tmp_path / "da_ra_soat.xlsx", team_answer(commune, records))
    result = read_review_workbook(filled, records, findings, export_date=EXPORT_DATE)
    checked = validate(result.review, "village_review")
    assert checked.success, checked.summary_vi()


def test_mistakes_are_named_by_sheet_row_and_column(screened, workbook, tmp_path):
    commune, records, findings = screened
    sheets = review_sheets(records, findings)
    first_village = next(iter(sheets))
    ids = sheets[first_village][LABEL_OF_SHOWN["record_id"]].tolist()
    person = records.set_index("record_id").loc[ids[2]]
    other_sex = "Nam" if person["sex"] == "Nữ" else "Nữ"
    answers = {
        ids[0]: {LABEL_OF_FILLED["decision"]: "ok"},
        ids[1]: {LABEL_OF_FILLED["decision"]: "Sửa"},
        ids[2]: {LABEL_OF_FILLED["decision"]: "Sửa", LABEL_OF_FILLED["id_number"]: "12345"},
        ids[3]: {LABEL_OF_FILLED["decision"]: "Sửa", LABEL_OF_FILLED["dob"]: "31/02/1990"},
        ids[4]: {LABEL_OF_FILLED["decision"]: "Đúng", LABEL_OF_FILLED["sex"]: other_sex},
    }
    filled = fill(workbook, tmp_path / "loi.xlsx", lambda rid: answers.get(rid, {}))
    book = openpyxl.load_workbook(filled)
    ws = book[first_village]
    ws.cell(ws.max_row + 1, 1, "01363-999999")  # a row the team added
    ws.cell(ws.max_row + 1, 1, ids[5])  # a person listed twice
    del book[list(sheets)[-1]]  # a whole village never came back
    book.save(filled)

    problems = read_review_workbook(filled, records, findings, export_date=EXPORT_DATE).problems
    mine = problems[problems["sheet"] == first_village].set_index("record_id")
    row_of = {rid: 4 + i for i, rid in enumerate(ids)}  # two title rows, then the header

    def problem(rid):
        found = mine.loc[[rid]]
        assert (found["row"] == row_of.get(rid, found["row"].iloc[0])).all()
        return found

    assert "không hợp lệ" in problem(ids[0])["message"].iloc[0]
    assert problem(ids[0])["column"].iloc[0] == LABEL_OF_FILLED["decision"]
    assert "chưa ghi thông tin đúng" in problem(ids[1])["message"].iloc[0]
    bad_id = problem(ids[2])
    assert (bad_id["column"] == LABEL_OF_FILLED["id_number"]).any()
    assert (bad_id["severity"] == "error").any() and "12345" in set(bad_id["value"])
    bad_dob = problem(ids[3])
    assert (bad_dob["column"] == LABEL_OF_FILLED["dob"]).any() and (
        bad_dob["severity"] == "error"
    ).any()
    ignored = problem(ids[4])
    assert (
        ignored["severity"].iloc[0] == "warning" and "không được dùng" in ignored["message"].iloc[0]
    )
    assert "không có trong danh sách đã gửi" in mine.loc["01363-999999", "message"]
    assert mine.loc[[ids[5]], "message"].str.contains("nhiều lần").any()
    missing = problems[problems["message"].str.contains("không có trong tệp gửi lại")]
    assert set(missing["record_id"]) >= set(sheets[list(sheets)[-1]][LABEL_OF_SHOWN["record_id"]])


def test_a_renamed_header_is_reported_not_guessed(screened, workbook, tmp_path):
    _, records, findings = screened
    copy = shutil.copy(workbook, tmp_path / "doi_ten.xlsx")
    book = openpyxl.load_workbook(copy)
    ws = book.worksheets[1]
    ws.cell(3, 1, "Mã số")  # the team renamed the id column
    book.save(copy)
    problems = read_review_workbook(copy, records, findings).problems
    skipped = problems[problems["sheet"] == ws.title]
    assert len(skipped) == 1 and "không có dòng tiêu đề" in skipped["message"].iloc[0]


def test_cli_round_trip(screened, tmp_path):
    from typer.testing import CliRunner

    from vaxutils.cli import app

    commune, records, findings = screened
    screened_dir = screen_dir(tmp_path / "screen", records=records, findings=findings)
    runner = CliRunner()
    sent = runner.invoke(
        app, ["review", "out", str(screened_dir), "--out", str(tmp_path / "rs.xlsx")]
    )
    assert sent.exit_code == 0, sent.output
    assert "đối tượng trong" in sent.output and (tmp_path / "rs.xlsx").is_file()

    back = [
        str(tmp_path / "rs.xlsx"),
        "--screened",
        str(screened_dir),
        "--out",
        str(tmp_path / "in"),
    ]
    undecided = runner.invoke(app, ["review", "in", *back, "--export-date", "15/05/2022"])
    assert undecided.exit_code == 1  # nothing decided yet: not done
    assert "Chưa có kết luận" in undecided.output
    filled = fill(tmp_path / "rs.xlsx", tmp_path / "da_ra_soat.xlsx", team_answer(commune, records))
    done = runner.invoke(
        app, ["review", "in", str(filled), *back[1:], "--export-date", "15/05/2022"]
    )
    assert done.exit_code == 0, done.output
    assert "ĐẠT" in done.output and "Không có lỗi" in done.output
    for name in ("review.parquet", "review.csv", "changes.csv", "review_problems.csv"):
        assert (tmp_path / "in" / name).is_file()


def test_cli_without_screening_says_what_to_run(tmp_path):
    from typer.testing import CliRunner

    from vaxutils.cli import app

    result = CliRunner().invoke(
        app, ["review", "out", str(tmp_path), "--out", str(tmp_path / "x.xlsx")]
    )
    assert result.exit_code != 0
    assert "vaxutils screen" in str(result.exception) or "vaxutils screen" in result.output


@pytest.mark.parametrize(
    "content",
    [b"", b"%PDF-1.4 not a workbook", "Họ và tên;Ngày sinh\nAn;1990\n".encode(), b"\x00\x01" * 50],
    ids=["empty", "pdf", "csv", "binary"],
)
def test_junk_instead_of_the_workbook(screened, tmp_path, content):
    from vaxutils.errors import VaxutilsError

    _, records, findings = screened
    path = tmp_path / "ra_soat.csv"
    path.write_bytes(content)
    try:
        result = read_review_workbook(path, records, findings)
    except VaxutilsError as exc:  # a message naming the file, never a traceback
        assert "ra_soat.csv" in str(exc)
        return
    assert not result.ok
    assert result.problems["message"].str.contains("không có trang tính nào").any()


def test_the_workbook_prints(screened, workbook):
    """Landscape, one page wide, the header on every page, wrapped text in rows tall enough,
    the fill-in columns yellow on every row (not only the header)."""
    _, records, findings = screened
    book = openpyxl.load_workbook(workbook)
    ws = book.worksheets[1]
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$3:$3"  # two title rows, then the header
    header = {ws.cell(3, c).value: c for c in range(1, ws.max_column + 1)}
    decision = header[LABEL_OF_FILLED["decision"]]
    problems = header[LABEL_OF_SHOWN["problems"]]
    for r in range(4, ws.max_row + 1):
        assert ws.cell(r, decision).fill.start_color.rgb.endswith("FFF2CC")
        assert ws.cell(r, problems).alignment.wrap_text
    multi_line = [
        r for r in range(4, ws.max_row + 1) if "\n" in str(ws.cell(r, problems).value or "")
    ]
    assert multi_line and all((ws.row_dimensions[r].height or 0) >= 30 for r in multi_line)
