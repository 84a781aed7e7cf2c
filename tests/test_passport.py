"""Step S7: each facility's daily list of doses to sign for the vaccine passport."""

from __future__ import annotations

from datetime import date

import openpyxl
import pandas as pd
import pytest
from workbook_helpers import screen_dir, screened_commune

from vaxutils.passport import BLOCKED, READY, dcc, passport_worklist, write_passport_workbook

EXPORT_DATE = date(2022, 5, 15)
PASSPORT_PRODUCTS = {"AstraZeneca", "Pfizer", "Moderna", "Vero Cell", "Sputnik V", "Hayat-Vax", "Abdala", "Janssen"}  # fmt: skip


@pytest.fixture(scope="module")
def screened(tmp_path_factory):
    commune, result = screened_commune(tmp_path_factory.mktemp("s7"), "01420", 1500, 9, EXPORT_DATE)
    return commune, result


@pytest.fixture(scope="module")
def worklist(screened):
    _, result = screened
    return passport_worklist(result.doses, result.records, result.findings, work_date=EXPORT_DATE)


def test_every_dose_is_ready_or_blocked_with_a_reason(worklist):
    assert set(worklist["status"]) == {READY, BLOCKED}
    blocked = worklist["status"] == BLOCKED
    assert worklist.loc[blocked, "reason"].notna().all()
    assert worklist.loc[~blocked, "reason"].isna().all()
    assert set(worklist.loc[~blocked, "product"]) <= PASSPORT_PRODUCTS
    assert (worklist["dose_date"] <= pd.Timestamp(EXPORT_DATE)).all()
    assert not worklist.duplicated(["record_id", "dose_number"]).any()


def test_the_worklist_meets_its_contract(worklist):
    from vaxutils.contracts import validate

    checked = validate(worklist, "passport_worklist")
    assert checked.success, checked.summary_vi()


def test_unclean_records_are_blocked_except_where_cleaning_is_not_required(screened, worklist):
    _, result = screened
    errors = result.findings[
        result.findings["category"].isin(["missing_id", "id_format", "personal_info"])
        & result.findings["severity"].eq("error")
    ]
    unclean = set(errors["record_id"])
    exempt_facilities = set(result.doses.loc[result.doses["exempt_from_cleaning"], "facility"])
    theirs = worklist[worklist["record_id"].isin(unclean)]
    assert len(theirs) > 20
    at_exempt = theirs["facility"].isin(exempt_facilities)
    assert at_exempt.any() and (~at_exempt).any()
    assert (theirs.loc[~at_exempt, "status"] == BLOCKED).all()
    assert theirs.loc[~at_exempt, "reason"].str.contains("chưa làm sạch").all()
    # a facility of the Ministry, a province or a district signs without the cleaning steps
    assert not theirs.loc[at_exempt, "reason"].fillna("").str.contains("chưa làm sạch").any()


def test_injected_dose_errors_block_their_dose(screened, worklist):
    commune, _ = screened
    labels = commune.labels
    wrong_product = labels[labels["error_type"] == "dose_unapproved"]["record_id"]
    rows = worklist[worklist["record_id"].isin(wrong_product)]
    unapproved = rows[~rows["product"].isin(PASSPORT_PRODUCTS)]
    assert len(unapproved) and (unapproved["status"] == BLOCKED).all()
    assert unapproved["reason"].str.contains("không thuộc danh mục cấp hộ chiếu").all()
    too_early = labels[labels["error_type"] == "dose_before_start"]["record_id"]
    early = worklist[
        worklist["record_id"].isin(too_early) & (worklist["dose_date"] < pd.Timestamp("2021-03-08"))
    ]
    assert len(early) and (early["status"] == BLOCKED).all()


def test_work_date_and_since_choose_the_doses(screened):
    _, result = screened
    args = (result.doses, result.records, result.findings)
    day = date(2021, 10, 1)
    upto = passport_worklist(*args, work_date=day)
    assert (upto["dose_date"] <= pd.Timestamp(day)).all() and (
        upto["work_date"] == pd.Timestamp(day)
    ).all()
    one_day = passport_worklist(*args, work_date=day, since=date(2021, 9, 30))
    assert set(one_day["dose_date"].dt.date) <= {date(2021, 9, 30), date(2021, 10, 1)}
    assert len(one_day) < len(upto)


def test_small_hand_made_case():
    records = pd.DataFrame(
        {
            "record_id": ["A", "B"],
            "source_row": [2, 3],
            "full_name": ["Lê Văn An", "Hà Thị Bình"],
            "dob": pd.to_datetime(["1980-01-02", "1990-05-06"]),
            "dob_precision": ["day", "day"],
            "id_compact": ["001080000001", pd.NA],
        }
    )
    findings = pd.DataFrame({"record_id": ["B"], "category": ["missing_id"], "severity": ["error"]})
    doses = pd.DataFrame(
        {
            "record_id": ["A", "A", "B", "B"],
            "source_row": [2, 2, 3, 3],
            "dose_number": pd.array([1, 2, 1, 2], dtype="Int64"),
            "vaccine": ["Pfizer", "Nanocovax", "AZ", "AZ"],
            "product": ["Pfizer", "Nanocovax", "AstraZeneca", "AstraZeneca"],
            "lot": ["L1", "L2", "L3", "L4"],
            "dose_date": pd.to_datetime(["2021-08-01", "2021-09-01", "2021-08-02", "2021-11-02"]),
            "dose_date_precision": ["day"] * 4,
            "facility": ["Trạm Y tế", "Trạm Y tế", "Trạm Y tế", "Bệnh viện tỉnh"],
            "exempt_from_cleaning": [False, False, False, True],
        }
    )
    worklist = passport_worklist(doses, records, findings, work_date=date(2022, 1, 1))
    by_dose = worklist.set_index(["record_id", "dose_number"])
    assert by_dose.loc[("A", 1), "status"] == READY
    assert "Nanocovax" in by_dose.loc[("A", 2), "reason"]
    assert "Không có số CMND/CCCD" in by_dose.loc[("B", 1), "reason"]
    assert by_dose.loc[("B", 2), "status"] == READY  # signed by a province hospital (S8)
    assert by_dose.loc[("A", 1), "id_number"] == "001080000001"


def test_workbook_has_a_sheet_per_facility(worklist, tmp_path):
    path = write_passport_workbook(tmp_path / "ky.xlsx", worklist)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == sorted(worklist["facility"].unique())[: len(book.sheetnames)]
    ws = book[book.sheetnames[0]]
    assert ws["A1"].value.startswith("DANH SÁCH KÝ XÁC NHẬN HỘ CHIẾU VẮC XIN")
    assert [c.value for c in ws[3]][:2] == ["Mã đối tượng", "Mũi"]
    empty = write_passport_workbook(tmp_path / "none.xlsx", worklist.iloc[:0])
    assert openpyxl.load_workbook(empty).sheetnames == ["Không có mũi tiêm"]


def test_cli(screened, tmp_path):
    from typer.testing import CliRunner

    from vaxutils.cli import app

    _, result = screened
    screened_dir = screen_dir(
        tmp_path / "screen", records=result.records, findings=result.findings, doses=result.doses
    )
    run = CliRunner().invoke(
        app, ["passport", str(screened_dir), "--out", str(tmp_path / "pp"), "--date", "15/05/2022"]
    )
    assert run.exit_code == 0, run.output
    assert "ĐẠT" in run.output and "Sẵn sàng ký" in run.output
    assert (tmp_path / "pp" / "ky_ho_chieu_20220515.xlsx").is_file()
    assert (tmp_path / "pp" / "ky_ho_chieu_20220515.csv").is_file()


def _two_sites_case():
    records = pd.DataFrame(
        {"record_id": ["A"], "source_row": [2], "full_name": ["Lê Văn An"],
         "dob": pd.to_datetime(["1980-01-02"]), "dob_precision": ["day"], "id_compact": [pd.NA]}
    )  # fmt: skip
    findings = pd.DataFrame({"record_id": ["A"], "category": ["missing_id"], "severity": ["error"]})
    doses = pd.DataFrame(
        {
            "record_id": ["A", "A", "A"],
            "source_row": [2, 2, 2],
            "dose_number": pd.array([1, 2, 3], dtype="Int64"),
            "vaccine": ["AZ", "AZ", "Pfizer"],
            "product": ["AstraZeneca", "AstraZeneca", "Pfizer"],
            "lot": ["L1", "L2", "L3"],
            "dose_date": pd.to_datetime(["2021-08-01", "2021-10-01", "2022-03-01"]),
            "dose_date_precision": ["day"] * 3,
            # no "Tuyến" column: the level must come from the name (DESIGN §3.5)
            "facility": [
                "Trạm Y tế Xã Thượng Thôn",
                "Trung tâm Y tế huyện Hà Quảng",
                "PK Hồng Phúc",
            ],
        }
    )
    return doses, records, findings


def test_exempt_sites_from_the_facility_name_and_from_a_mapping_file():
    doses, records, findings = _two_sites_case()
    worklist = passport_worklist(doses, records, findings, work_date=date(2022, 5, 1))
    by_dose = worklist.set_index("dose_number")
    assert by_dose.loc[1, "status"] == BLOCKED  # a commune station waits for the cleaning
    assert by_dose.loc[2, "status"] == READY and by_dose.loc[2, "exempt_rule"] == "tên cơ sở"
    assert by_dose.loc[3, "status"] == BLOCKED and pd.isna(by_dose.loc[3, "exempt_rule"])
    sites = pd.DataFrame({"facility": ["PK Hồng Phúc"], "level": ["Tuyến tỉnh"]})
    mapped = passport_worklist(doses, records, findings, work_date=date(2022, 5, 1), sites=sites)
    assert mapped.set_index("dose_number").loc[3, "exempt_rule"] == "tệp ánh xạ cơ sở"
    assert mapped.set_index("dose_number").loc[3, "status"] == READY


def test_an_exempt_site_still_cannot_sign_a_certificate_that_would_be_wrong():
    # S8 signs without the cleaning steps, but a birth year typed as 2106, one before 1900, a
    # record with no name, or a dose whose record is not in the export would each give a wrong
    # (or schema-invalid) certificate: blocked at every site, with the reason to fix
    doses, records, findings = _two_sites_case()
    base = records.iloc[0]
    records = pd.DataFrame(
        {"record_id": ["A", "B", "C", "D"], "source_row": [2, 3, 4, 5],
         "full_name": [base["full_name"], base["full_name"], pd.NA, "Lò Thị Pang"],
         "dob": pd.to_datetime(["2106-09-07", "1899-12-31", "1980-01-02", "1980-01-02"]),
         "dob_precision": ["day"] * 4, "id_compact": [pd.NA] * 4}
    )  # fmt: skip
    at_district = doses.iloc[[1]]
    doses = pd.concat(
        [at_district.assign(record_id=r) for r in ["A", "B", "C", "D", "Z"]], ignore_index=True
    )
    worklist = passport_worklist(doses, records, findings, work_date=date(2022, 5, 1))
    by_record = worklist.set_index("record_id")
    assert by_record["exempt_rule"].eq("tên cơ sở").all()
    assert by_record.loc["D", "status"] == READY
    for record, why in [("A", "Ngày sinh sau ngày tiêm"), ("B", "Năm sinh ngoài khoảng 1900–2099"),
                        ("C", "không có họ tên"), ("Z", "Không tìm thấy hồ sơ")]:  # fmt: skip
        assert by_record.loc[record, "status"] == BLOCKED, record
        assert why in by_record.loc[record, "reason"], (record, by_record.loc[record, "reason"])
    payloads = dcc.certificate_payloads(worklist, doses, records, findings)
    assert set(payloads["record_id"]) == {"D"}
    assert dcc.column_problems(payloads).empty


def test_a_record_pending_merge_is_one_person():
    doses, records, findings = _two_sites_case()
    records = pd.concat([records, records.assign(record_id="B", source_row=3)], ignore_index=True)
    findings = pd.DataFrame({"record_id": ["Z"], "category": ["missing_id"], "severity": ["error"]})
    # the booster was recorded on a second record, numbered from 1 there
    doses = doses.assign(
        record_id=["A", "A", "B"],
        dose_number=pd.array([1, 2, 1], dtype="Int64"),
        facility="Bệnh viện Đa khoa tỉnh Cao Bằng",
    )
    merges = pd.DataFrame({"record_id": ["B"], "keep_record_id": ["A"]})
    worklist = passport_worklist(
        doses, records, findings, work_date=date(2022, 5, 1), merges=merges
    )
    booster = worklist[worklist["record_id"].eq("B")].iloc[0]
    assert booster["dose_number"] == 3  # not "Mũi 1"
    assert booster["status"] == BLOCKED and "chờ gộp vào hồ sơ A" in booster["reason"]
    assert worklist[worklist["record_id"].eq("A")]["status"].eq(READY).all()


def test_exempt_sites_from_a_pl4_site_code():
    """An export that gives the site as its PL4 code ("Địa điểm tiêm"): the platform's listed name
    tells the level (01015 is Bệnh viện Quân Y 354, an army hospital)."""
    doses, records, findings = _two_sites_case()
    doses = doses.assign(facility=["01015", "01015", "99999"])
    by_dose = passport_worklist(doses, records, findings, work_date=date(2022, 5, 1)).set_index(
        "dose_number"
    )
    assert by_dose.loc[1, "exempt_rule"] == "mã cơ sở (PL4)" and by_dose.loc[1, "status"] == READY
    assert by_dose.loc[3, "status"] == BLOCKED  # an unknown code is not exempt
