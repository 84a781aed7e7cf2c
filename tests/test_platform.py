"""Step S5: the platform's Excel import and the direct-edit list, from the review and the police."""

from __future__ import annotations

from datetime import date

import openpyxl
import pandas as pd
import pytest
from workbook_helpers import population_by_record, screen_dir, screened_commune

from vaxutils.workflow.platform import platform_files, write_platform_workbooks

EXPORT_DATE = date(2022, 5, 15)


@pytest.fixture(scope="module")
def screened(tmp_path_factory):
    commune, result = screened_commune(tmp_path_factory.mktemp("s5"), "01420", 700, 12, EXPORT_DATE)
    return commune, result.records, result.findings


def _truth(commune) -> pd.DataFrame:
    return population_by_record(commune)


def _lists(findings, *categories) -> set[str]:
    wanted = findings["category"].isin(categories) & findings["severity"].isin(["error", "warning"])
    return set(findings.loc[wanted, "record_id"])


@pytest.fixture(scope="module")
def police(screened):
    """The police verified every record of the three lists that has a 12-digit number."""
    commune, _, findings = screened
    truth = _truth(commune)
    sent = sorted(_lists(findings, "missing_id", "id_format", "personal_info") & set(truth.index))
    people = truth.loc[sent]
    found = people["id_number"].notna()
    return pd.DataFrame(
        {
            "record_id": sent,
            "full_name": people["full_name"].to_numpy(),
            "dob": people["dob"].dt.strftime("%d/%m/%Y").to_numpy(),
            "sex": people["sex"].to_numpy(),
            "id_number": people["id_number"].to_numpy(),
            "verified": pd.Series(found.to_numpy()).map({True: "Có", False: "Không"}).to_numpy(),
            "officer": "Trung úy Lý Văn Pảo",
        }
    )


def test_missing_and_malformed_ids_go_to_the_import(screened, police):
    commune, records, findings = screened
    files = platform_files(records, findings, police=police)
    imports = files.imports.set_index("record_id")
    id_lists = _lists(findings, "missing_id", "id_format")
    assert set(imports.index) <= id_lists and len(imports) > 20
    truth = _truth(commune).loc[imports.index]
    assert (imports["id_number"] == truth["id_number"]).all()
    assert (imports["source"] == "công an xã").all()
    # every record of the two lists is imported, merged into another, or said why not
    left = files.left_out[files.left_out["record_id"].isin(id_lists)]
    placed = set(imports.index) | set(left["record_id"]) | set(files.merges["record_id"])
    assert placed == id_lists and files.unplaced.empty
    why = left["reason"].str.contains(
        "chưa xác minh|chưa có số|không có trong csdl|trùng với hồ sơ", case=False
    )
    assert why.all(), left["reason"].value_counts()

    from vaxutils.contracts import validate

    checked = validate(files.imports, "platform_import")
    assert checked.success, checked.summary_vi()


def test_wrong_basic_information_becomes_direct_edits(screened, police):
    commune, records, findings = screened
    files = platform_files(records, findings, police=police)
    edits = files.edits
    assert len(edits) > 10 and not edits["record_id"].isin(files.imports["record_id"]).any()
    assert (edits["old_value"] != edits["new_value"]).all()
    assert set(edits["field"]) <= {"Họ và tên", "Ngày sinh", "Giới tính", "Số CMND/CCCD"}
    assert (edits["source"] == "công an xã").all() and (edits["who"] == "Trung úy Lý Văn Pảo").all()
    sex_edits = edits[edits["field"] == "Giới tính"].set_index("record_id")
    truth = _truth(commune).loc[sex_edits.index]
    assert (sex_edits["new_value"] == truth["sex"]).all()


def test_without_the_police_the_villages_values_are_used(screened):
    _, records, findings = screened
    some = sorted(_lists(findings, "missing_id"))[:3]
    review = pd.DataFrame(
        {
            "record_id": some,
            "full_name": pd.NA,
            "dob": pd.NA,
            "sex": pd.NA,
            "id_number": ["001090000001", "001090000002", "001090000001"],  # two share a number
            "decision": "Sửa",
        }
    )
    files = platform_files(records, findings, review=review)
    assert files.imports["record_id"].tolist() == [some[1]]
    assert (files.imports["source"] == "rà soát thôn").all()
    shared = files.left_out.set_index("record_id").loc[[some[0], some[2]], "reason"]
    assert shared.str.contains("trùng").all()


def test_workbooks_and_cli(screened, police, tmp_path):
    from typer.testing import CliRunner

    from vaxutils.cli import app

    _, records, findings = screened
    files = platform_files(records, findings, police=police)
    written = write_platform_workbooks(tmp_path / "files", files)
    ws = openpyxl.load_workbook(written["import"]).active
    assert [c.value for c in ws[1]][:2] == ["Mã đối tượng", "Số CMND/CCCD"]
    assert ws["B2"].data_type == "s" and ws["B2"].number_format == "@"  # the ID stays text
    book = openpyxl.load_workbook(written["edits"])
    assert book.sheetnames == ["Sửa trực tiếp", "Chưa nhập được", "Đã xác nhận đúng"]

    folder = screen_dir(tmp_path / "screen", records=records, findings=findings)
    police_dir = screen_dir(tmp_path / "police", police_verified=police)
    run = CliRunner().invoke(
        app, ["platform", str(folder), "--police", str(police_dir), "--out", str(tmp_path / "out")]
    )
    assert run.exit_code == 0, run.output
    assert "ĐẠT" in run.output and "Nhập qua Excel" in run.output
    for name in (
        "nhap_nen_tang.xlsx",
        "sua_truc_tiep.xlsx",
        "nhap_nen_tang.csv",
        "chua_nhap_duoc.csv",
    ):
        assert (tmp_path / "out" / name).is_file()


# --- one place per record, whatever the village and the police answered (property) ----------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from vaxutils.workflow.platform import OUTCOMES  # noqa: E402
from vaxutils.workflow.review import DECISIONS  # noqa: E402

_IDS = ["R1", "R2", "R3", "R4", "R5", "R6"]
_RECORDS = pd.DataFrame(
    {
        "record_id": _IDS,
        "source_row": range(2, 8),
        "full_name": ["Nguyen Van An", "Hà Thị Bình", None, "NguyÔn V¨n C", "Lê Thị Dung", "Trần Văn Em"],
        "full_name_raw": ["Nguyen Van An", "Hà Thị Bình", None, "NguyÔn V¨n C", "Lê Thị Dung", "Trần Văn Em"],
        "dob": pd.to_datetime(["1980-01-02", "1990-05-06", None, "1970-03-04", "2001-02-03", "1965-07-08"]),
        "dob_precision": ["day", "day", None, "day", "day", "day"],
        "sex": ["Nam", "Nữ", None, "Nam", "Nữ", "Nam"],
        "id_raw": [None, "4190000001", "001090000001", "001070000009", "0", "001065000003"],
        "id_compact": [None, None, "001090000001", "001070000009", None, "001065000003"],
        "village": ["Thôn 1"] * 6,
    }
)  # fmt: skip
_FINDINGS = pd.DataFrame(
    {
        "record_id": ["R1", "R2", "R3", "R4", "R5", "R6"],
        "category": ["missing_id", "id_format", "personal_info", "personal_info", "missing_id", "duplicate"],
        "code": ["id_missing", "id_leading_zero_lost", "name_missing", "name_legacy_encoding", "id_placeholder", "duplicate_person"],
        "severity": ["error"] * 6,
        "field": ["id_number", "id_number", "full_name", "full_name", "id_number", "record_id"],
        "related": [None, None, None, None, None, "R3"],
    }
)  # fmt: skip
_VALUES = st.sampled_from(
    [None, "001090000002", "4190000001", "001090000001", "Lê Văn Bảo", "05/03/1990", "Nữ"]
)


@settings(max_examples=12, deadline=None)  # ~1 s per example: pandas on tiny frames
@given(
    decisions=st.lists(st.sampled_from([*DECISIONS, None]), min_size=6, max_size=6),
    others=st.lists(st.sampled_from([*_IDS, None]), min_size=6, max_size=6),
    ids_=st.lists(_VALUES, min_size=6, max_size=6),
    verdicts=st.lists(st.sampled_from(["Có", "Không", None]), min_size=6, max_size=6),
    police_ids=st.lists(_VALUES, min_size=6, max_size=6),
)
def test_every_record_of_the_lists_ends_in_exactly_one_place(
    decisions, others, ids_, verdicts, police_ids
):
    review = pd.DataFrame(
        {
            "record_id": _IDS,
            "village": "Thôn 1",
            "full_name": pd.NA,
            "dob": pd.NA,
            "sex": pd.NA,
            "id_number": pd.array(ids_, dtype="string"),
            "decision": pd.array(decisions, dtype="string"),
            "duplicate_of": pd.array(others, dtype="string"),
            "reviewer": "Tổ 1",
        }
    )
    police = pd.DataFrame(
        {
            "record_id": _IDS,
            "full_name": pd.NA,
            "dob": pd.NA,
            "sex": pd.NA,
            "id_number": pd.array(police_ids, dtype="string"),
            "verified": pd.array(verdicts, dtype="string"),
            "officer": "Trung úy A",
        }
    )
    files = platform_files(_RECORDS, _FINDINGS, review, police)
    outcome = files.outcome.set_index("record_id")["outcome"]
    assert files.unplaced.empty and outcome.index.is_unique
    assert set(outcome) <= set(OUTCOMES) and set(outcome.index) == set(_IDS)
    places = {
        "nhập Excel": files.imports["record_id"],
        "sửa trực tiếp": files.edits["record_id"].drop_duplicates(),
        "gộp hồ sơ": files.merges["record_id"],
        "loại khỏi danh sách": files.removals["record_id"],
        "chưa nhập được": files.left_out["record_id"],
        "đã đúng": files.confirmed["record_id"],
    }
    for place, listed in places.items():
        assert set(listed) == set(outcome[outcome.eq(place)].index), place
    # nothing imported or edited carries an invalid ID, and no ID lands on two kept records
    assert files.imports["id_number"].is_unique
    kept = set(_IDS) - set(files.merges["record_id"])
    assert not set(files.merges["keep_record_id"]) - kept
