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
def s5_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("s5")


@pytest.fixture(scope="module")
def screened(s5_folder):
    commune, result = screened_commune(s5_folder, "01420", 700, 12, EXPORT_DATE)
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
    # every record of the two lists is either imported or said why not
    assert set(imports.index) | set(files.left_out["record_id"]) == id_lists
    not_verified = files.left_out["reason"].str.contains("chưa xác minh|chưa có số", case=False)
    assert not_verified.all(), files.left_out["reason"].value_counts()

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


def test_workbooks_and_cli(screened, police, s5_folder, tmp_path):
    from typer.testing import CliRunner

    from vaxutils.cli import app
    from vaxutils.io.platform_template import SHEET

    _, records, findings = screened
    files = platform_files(records, findings, police=police)
    written = write_platform_workbooks(tmp_path / "files", files)
    # the platform's own template (issue 11): header rows 7-8, data from row 9, IDs as Text
    ws = openpyxl.load_workbook(written["import"])[SHEET]
    assert ws["B7"].value == "Họ và tên (*)" and ws["Q7"].value == "Mũi 1"
    assert ws["H9"].data_type == "s" and ws["H9"].number_format == "@"  # the ID stays text
    assert ws["H9"].value == files.imports["id_number"].iloc[0]
    book = openpyxl.load_workbook(written["edits"])
    assert book.sheetnames == ["Sửa trực tiếp", "Chưa nhập được"]

    doses = pd.read_parquet(s5_folder / "out" / "doses.parquet")
    folder = screen_dir(tmp_path / "screen", records=records, findings=findings, doses=doses)
    police_dir = screen_dir(tmp_path / "police", police_verified=police)
    run = CliRunner().invoke(
        app,
        ["platform", str(folder), "--police", str(police_dir), "--out", str(tmp_path / "out"),
         "--priority-group", "15"],
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    assert "Nhập qua Excel" in run.output
    left = pd.read_csv(tmp_path / "out" / "chua_nhap_duoc.csv", dtype=str)
    sent = pd.read_csv(tmp_path / "out" / "nhap_nen_tang.csv", dtype=str)
    # every record of the import is in the template or listed with what it lacks
    assert set(files.imports["record_id"]) == set(sent["record_id"]) | (
        set(left["record_id"]) & set(files.imports["record_id"])
    )
    # this export has phones and PL4 facilities: most imports make it into the template
    assert len(sent) > len(files.imports) // 2, run.output
    assert "ĐẠT" in run.output and sent["template_row"].astype(int).tolist()[:2] == [9, 10]
    assert (tmp_path / "out" / "co_so_chua_co_ma.csv").is_file()  # the private clinic: no PL4 code
    for name in (
        "nhap_nen_tang.xlsx",
        "sua_truc_tiep.xlsx",
        "nhap_nen_tang.csv",
        "chua_nhap_duoc.csv",
    ):
        assert (tmp_path / "out" / name).is_file()
