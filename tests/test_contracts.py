"""Data contracts: every suite passes on clean synthetic data and fails, naming the right
expectation, on data broken the way it guards against; the JSON files are the contract."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from vaxutils import contracts
from vaxutils.cli._app import app
from vaxutils.contracts import ContractError, ContractResult
from vaxutils.contracts.result import mask_value
from vaxutils.schema import FINDINGS_COLUMNS

# --- clean synthetic frames (synthetic people only) ------------------------------------------

N = 40
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Nông", "Thạch", "Giàng"]
MIDDLE_M, MIDDLE_F = ["Văn", "Minh", "Đức", "Quang"], ["Thị", "Ngọc", "Thu", "Thanh"]
GIVEN = ["Nam", "Hoa", "Tuấn", "Lan", "Hùng", "Mai", "Dũng", "Hà"]
PROVINCES = ["001", "004", "031", "079", "096"]


def _people(n: int = N) -> pd.DataFrame:
    i = np.arange(n)
    female = i % 2 == 1
    year = 1940 + (i * 7) % 70
    century_sex = np.where(year >= 2000, 2, 0) + female
    ids = [
        f"{PROVINCES[k % 5]}{g}{y % 100:02d}{(k * 7919) % 1_000_000:06d}"
        for k, (g, y) in enumerate(zip(century_sex, year, strict=True))
    ]
    names = [
        f"{FAMILY[k % 8]} {(MIDDLE_F if f else MIDDLE_M)[k % 4]} {GIVEN[(k * 3) % 8]}"
        for k, f in enumerate(female)
    ]
    return pd.DataFrame(
        {
            "record_id": [f"DT{k:06d}" for k in i],
            "full_name": names,
            "dob": [f"{1 + k % 28:02d}/{1 + k % 12:02d}/{y}" for k, y in zip(i, year, strict=True)],
            "sex": np.where(female, "Nữ", "Nam"),
            "id_number": ids,
            "birth_year": year,
        }
    )


def clean_export_records() -> pd.DataFrame:
    p = _people().drop(columns="birth_year")
    return p.assign(source_row=np.arange(len(p)) + 5, village="Thôn Nà Sla")


def clean_doses() -> pd.DataFrame:
    p = _people()
    rows = []
    for k, rid in enumerate(p["record_id"]):
        for dose in (1, 2, 3):
            day = pd.Timestamp("2021-07-01") + pd.Timedelta(days=k + 60 * (dose - 1))
            rows.append((rid, 3 * k + dose + 4, str(dose), "Vero Cell", day.strftime("%d/%m/%Y")))
    return pd.DataFrame(
        rows, columns=["record_id", "source_row", "dose_number", "vaccine", "dose_date"]
    )


def clean_records() -> pd.DataFrame:
    p = _people()
    n = len(p)
    status = np.where(np.arange(n) % 5 == 0, "needs_fix", "ok")
    return pd.DataFrame(
        {
            "record_id": p["record_id"],
            "source_row": np.arange(n) + 5,
            "full_name": p["full_name"],
            "name_key": p["full_name"].str.lower(),
            "ascii_key": "nguyen van nam",
            "dob": pd.to_datetime(p["dob"], format="%d/%m/%Y"),
            "dob_precision": "day",
            "birth_year": p["birth_year"].astype("Int64"),
            "sex": p["sex"],
            "id_raw": p["id_number"],
            "id_kind": "cccd",
            "id_compact": p["id_number"],
            "id_suggestion": pd.Series([pd.NA] * n, dtype="string"),
            "phone": "0912345678",
            "village": "Thôn Nà Sla",
            "commune_code": "01420",
            "first_dose_date": pd.Timestamp("2021-07-01"),
            "status": status,
            "n_errors": np.where(status == "needs_fix", 1, 0),
            "n_warnings": 0,
            "categories": np.where(status == "needs_fix", "id_format,personal_info", ""),
            "n_doses": 3,
        }
    )


def clean_findings() -> pd.DataFrame:
    rows = [
        ("DT000000", 5, "id_format", "id_leading_zero_lost", "error", "id_number", "1090012345"),
        ("DT000001", 6, "normalized", "name_spacing", "info", "full_name", "Trần  Thị Hoa"),
        ("DT000002", 7, "personal_info", "dob_placeholder", "warning", "dob", "01/01/1960"),
    ]
    frame = pd.DataFrame(rows, columns=list(FINDINGS_COLUMNS[:7]))
    return frame.assign(
        suggestion=None, related=None, message="Số CCCD bị mất số 0 ở đầu.", message_en="x"
    )


def clean_village_review() -> pd.DataFrame:
    p = _people(12)
    decision = ["Đúng", "Sửa", "Không có ở địa phương", "Đã chuyển đi"] * 3
    return p.drop(columns="birth_year").assign(village="Thôn Nà Sla", decision=decision, note="")


def clean_police() -> pd.DataFrame:
    p = _people(12).drop(columns="birth_year")
    verified = np.where(np.arange(12) % 4 == 3, "Không", "Có")
    return p.assign(verified=verified, officer="Đại úy Lý Văn Pảo")


def clean_registry() -> pd.DataFrame:
    p = _people().drop(columns="birth_year")
    return p.drop(columns="record_id").assign(person_id=[f"P{k:07d}" for k in range(len(p))])


def clean_platform_import() -> pd.DataFrame:
    return _people(12).drop(columns="birth_year")


def clean_worklist() -> pd.DataFrame:
    d = clean_doses().head(12)
    products = ["Vero Cell", "Pfizer", "AstraZeneca", "Moderna"] * 3
    status = ["sẵn sàng ký"] * 10 + ["bị chặn"] * 2
    return pd.DataFrame(
        {
            "facility": "Trạm Y tế xã Thượng Thôn",
            "work_date": pd.Timestamp("2022-05-20"),
            "record_id": d["record_id"],
            "dose_number": d["dose_number"].astype(int),
            "dose_date": pd.to_datetime(d["dose_date"], format="%d/%m/%Y"),
            "product": products,
            "status": status,
            "reason": [None] * 10 + ["id_format", "personal_info"],
        }
    )


def clean_platform_template() -> pd.DataFrame:
    """Two rows as vaxutils platform writes them into the platform's template (read back)."""
    from vaxutils.io.platform_template import TEMPLATE_FIELDS

    frame = pd.DataFrame({c: pd.Series([None, None], dtype="string") for c in TEMPLATE_FIELDS})
    return frame.assign(
        stt=["1", "2"],
        full_name=["Nông Văn Pó", "Lục Thị Mai"],
        dob=["05/03/1990", "12/11/1975"],
        sex=["0", "1"],
        priority_group=["15", "9"],
        phone=["0912345678", "0987654321"],
        id_number=["004090012345", "123456789"],
        province=["Tỉnh Cao Bằng"] * 2,
        province_code=["04"] * 2,
        district=["Huyện Hà Quảng"] * 2,
        district_code=["045"] * 2,
        commune=["Xã Thượng Thôn"] * 2,
        commune_code=["01420"] * 2,
        vaccine_1=["COVID-19 Vaccine AstraZeneca", "COVID-19 Vaccine Moderna"],
        dose_date_1=["01/09/2021", "02/10/2021"],
        site_1=["04075", "04003"],
    ).astype("string")


CLEAN = {
    "platform_export": clean_export_records,
    "platform_export_doses": clean_doses,
    "records": clean_records,
    "findings": clean_findings,
    "village_review": clean_village_review,
    "police_verified": clean_police,
    "registry": clean_registry,
    "platform_import": clean_platform_import,
    "platform_template": clean_platform_template,
    "passport_worklist": clean_worklist,
}


def failed(result: ContractResult) -> set[tuple[str, str | None]]:
    return {(f.expectation, f.column) for f in result.failures}


# --- every suite passes on clean data ---------------------------------------------------------


def test_every_suite_file_has_a_clean_fixture():
    assert {s.name for s in contracts.list_suites()} == set(CLEAN)


@pytest.mark.parametrize("name", sorted(CLEAN))
def test_suite_passes_on_clean_data(name):
    frame = CLEAN[name]()
    before = frame.copy()
    result = contracts.validate(frame, name)
    assert result.success, result.summary_vi()
    assert result.n_rows == len(frame) and result.n_expectations > 0
    pd.testing.assert_frame_equal(frame, before)  # never mutates its input


@pytest.mark.parametrize("name", sorted(CLEAN))
def test_suite_file_is_reviewable(name):
    spec = contracts.read_suite(name)
    assert spec.description_vi and spec.id_column
    for entry in spec.document["expectations"]:
        assert set(entry) >= {"type", "kwargs", "meta", "description"}
        assert entry["description"].strip()
    for key in spec.parameters:
        assert spec.parameter_descriptions_vi[key]


# --- each suite fails on data broken the way it guards against -------------------------------

BROKEN = [
    (
        "platform_template",
        lambda f: f.assign(sex=["Nam", "1"]),
        "expect_column_values_to_be_in_set",
        "sex",
    ),
    (
        "platform_template",
        lambda f: f.assign(commune_code=["1420", "01420"]),
        "expect_column_values_to_match_regex",
        "commune_code",
    ),
    (
        "platform_template",
        lambda f: f.assign(import_failed=["Lỗi", None]),
        "expect_column_values_to_be_null",
        "import_failed",
    ),
    # (suite, how to break a clean frame, expectation that must fail, column)
    (
        "platform_export",
        lambda f: f.drop(columns="dob"),
        "expect_table_columns_to_match_set",
        None,
    ),
    ("platform_export", lambda f: f.iloc[:0], "expect_table_row_count_to_be_between", None),
    (
        "platform_export",
        lambda f: f.assign(id_number=None),
        "expect_column_values_to_not_be_null",
        "id_number",
    ),
    (
        "platform_export",
        lambda f: f.assign(record_id="DT1"),
        "expect_column_values_to_be_unique",
        "record_id",
    ),
    (
        "platform_export_doses",
        lambda f: f.assign(dose_number="Mũi một"),
        "expect_column_values_to_match_regex",
        "dose_number",
    ),
    (
        "records",
        lambda f: f.assign(sex=["nam"] + list(f["sex"][1:])),
        "expect_column_values_to_be_in_set",
        "sex",
    ),
    (
        "records",
        lambda f: f.assign(birth_year=f["birth_year"].where(f.index != 3, 2031)),
        "expect_column_values_to_be_between",
        "birth_year",
    ),
    (
        "records",
        lambda f: f.assign(dob=f["dob"].dt.strftime("%d/%m/%Y")),
        "expect_column_values_to_be_in_type_list",
        "dob",
    ),
    (
        "records",
        lambda f: f.assign(status=f["status"].replace("ok", "OK")),
        "expect_column_values_to_be_in_set",
        "status",
    ),
    (
        "records",
        lambda f: f.assign(n_errors=2),
        "expect_column_values_to_be_between",
        "n_errors",
    ),
    (
        "findings",
        lambda f: f.assign(severity=["error", "error", "warning"]),
        "expect_column_values_to_be_in_set",
        "severity",
    ),
    (
        "findings",
        lambda f: f.assign(category=["id", "normalized", "dose"]),
        "expect_column_values_to_be_in_set",
        "category",
    ),
    (
        "village_review",
        lambda f: f.assign(decision=f["decision"].replace("Đúng", "OK")),
        "expect_column_values_to_be_in_set",
        "decision",
    ),
    (
        "village_review",
        lambda f: f.assign(decision=None),
        "expect_column_values_to_not_be_null",
        "decision",
    ),
    (
        "police_verified",
        lambda f: f.assign(officer=None),
        "expect_column_values_to_not_be_null",
        "officer",
    ),
    (
        "registry",
        lambda f: f.assign(id_number=f["id_number"].iloc[0]),
        "expect_column_values_to_be_unique",
        "id_number",
    ),
    (
        "passport_worklist",
        lambda f: f.assign(product="Nanocovax"),
        "expect_column_values_to_be_in_set",
        "product",
    ),
    (
        "passport_worklist",
        lambda f: f.assign(reason=None),
        "expect_column_values_to_not_be_null",
        "reason",
    ),
    (
        "passport_worklist",
        lambda f: f.assign(reason="id_format"),
        "expect_column_values_to_be_null",
        "reason",
    ),
    (
        "passport_worklist",
        lambda f: f.assign(dose_number=12),
        "expect_column_values_to_be_between",
        "dose_number",
    ),
    (
        "passport_worklist",
        lambda f: f.assign(work_date=pd.Timestamp("2021-01-01")),
        "expect_column_pair_values_a_to_be_greater_than_b",
        "work_date, dose_date",
    ),
]


@pytest.mark.parametrize(("name", "breaker", "expectation", "column"), BROKEN)
def test_suite_fails_on_broken_data(name, breaker, expectation, column):
    result = contracts.validate(breaker(CLEAN[name]()), name)
    assert not result.success
    assert (expectation, column) in failed(result), result.summary_vi()


# --- the JSON files are the contract ------------------------------------------------------


def test_hand_edited_threshold_changes_the_outcome(tmp_path):
    export = clean_export_records()
    export.loc[:5, "id_number"] = None  # 6 of 40 = 15 % missing
    assert contracts.validate(export, "platform_export").success  # default allows 30 %

    edited = tmp_path / "platform_export.json"
    shutil.copy(contracts.read_suite("platform_export").path, edited)
    document = json.loads(edited.read_text(encoding="utf-8"))
    document["meta"]["parameters"]["max_missing_id_share"]["default"] = 0.1
    edited.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")

    result = contracts.validate(export, edited)
    assert ("expect_column_values_to_not_be_null", "id_number") in failed(result)


def test_hand_edited_expectation_is_used(tmp_path, monkeypatch):
    for path in contracts.read_suite("records").path.parent.glob("*.json"):
        shutil.copy(path, tmp_path)
    edited = tmp_path / "records.json"
    document = json.loads(edited.read_text(encoding="utf-8"))
    for entry in document["expectations"]:
        if entry["kwargs"].get("column") == "birth_year" and "max_value" in entry["kwargs"]:
            entry["kwargs"]["max_value"] = 1990
    edited.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("VAXUTILS_EXPECTATIONS_DIR", str(tmp_path))
    result = contracts.validate(clean_records(), "records")
    assert ("expect_column_values_to_be_between", "birth_year") in failed(result)


def test_parameters_override_per_call_and_per_load():
    export = clean_export_records()
    export.loc[:5, "id_number"] = None
    assert not contracts.validate(export, "platform_export", {"max_missing_id_share": 0.1}).success
    strict = contracts.load_suite("platform_export", {"max_missing_id_share": 0.1})
    assert not contracts.validate(export, strict).success
    assert contracts.validate(export, strict, {"max_missing_id_share": 0.2}).success


@pytest.mark.parametrize("params", [{"no_such_threshold": 1}, ["max_missing_id_share"], "0.1", 3])
def test_unknown_or_junk_parameters_are_refused(params):
    with pytest.raises(ContractError, match="tham số|Tham số"):
        contracts.validate(clean_export_records(), "platform_export", params)


def test_suite_with_undeclared_parameter_is_refused(tmp_path):
    document = json.loads(contracts.read_suite("platform_export").path.read_text("utf-8"))
    del document["meta"]["parameters"]["max_missing_id_share"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ContractError, match="max_missing_id_share"):
        contracts.load_suite(path)


def test_broken_expectation_entry_is_named(tmp_path):
    document = json.loads(contracts.read_suite("records").path.read_text("utf-8"))
    document["expectations"][2]["type"] = "expect_column_values_to_be_pretty"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ContractError, match="thứ 3.*expect_column_values_to_be_pretty"):
        contracts.load_suite(path)


# --- results, summaries, require ------------------------------------------------------------


def test_summary_names_failures_in_vietnamese_and_masks_ids():
    export = clean_export_records()
    export["record_id"] = "DT000001"
    result = contracts.validate(export, "platform_export", context="xã 01420")
    text = result.summary_vi()
    assert text.startswith("Bộ kiểm tra «platform_export» (xã 01420): KHÔNG ĐẠT")
    assert "Mã đối tượng không được trùng" in text and "[record_id]" in text
    frame = result.to_frame()
    assert list(frame["expectation"]) == [f.expectation for f in result.failures]
    assert frame.loc[0, "unexpected_count"] == len(export)


def test_examples_mask_identifiers():
    platform = clean_platform_import()
    platform["id_number"] = platform["id_number"].iloc[0]
    result = contracts.validate(platform, "platform_import")
    (dup,) = [f for f in result.failures if f.expectation == "expect_column_values_to_be_unique"]
    assert dup.examples and all("*" in e for e in dup.examples)
    assert platform["id_number"].iloc[0] not in result.summary_vi()


def test_missing_column_is_reported_not_raised():
    result = contracts.validate(clean_records().drop(columns=["sex"]), "records")
    assert ("expect_table_columns_to_match_set", None) in failed(result)
    sex = [f for f in result.failures if f.column == "sex"]
    assert sex and "thiếu cột «sex»" in sex[0].examples[0]


def test_require_raises_with_the_summary_and_passes_clean_data():
    assert contracts.require(clean_findings(), "findings").success
    with pytest.raises(ContractError) as info:
        contracts.require(clean_findings().assign(code="Bad Code"), "findings", context="x")
    assert str(info.value) == info.value.result.summary_vi()
    assert info.value.exit_code == 1 and "KHÔNG ĐẠT" in str(info.value)


@pytest.mark.parametrize(
    "junk", [None, float("nan"), 3, 2.5, b"bytes", object(), "x" * 100_000, [1, 2], {"a": 1}]
)
def test_validate_refuses_junk_data_in_vietnamese(junk):
    with pytest.raises(ContractError, match="DataFrame"):
        contracts.validate(junk, "records")


@pytest.mark.parametrize(
    "junk", [None, float("nan"), 3, b"bytes", object(), "x" * 100_000, "", "no_such_suite"]
)
def test_load_suite_refuses_junk_names(junk):
    with pytest.raises(ContractError):
        contracts.load_suite(junk)


def test_junk_cells_fail_cleanly():
    frame = clean_platform_import().astype(object)
    frame.loc[0, "full_name"] = b"\xff\xfe"
    frame.loc[1, "dob"] = 3.5
    frame.loc[2, "sex"] = object()
    frame.loc[3, "record_id"] = float("nan")
    frame.loc[4, "id_number"] = 12345
    frame.loc[5, "full_name"] = "x" * 100_000
    result = contracts.validate(frame, "platform_import")
    assert not result.success
    assert isinstance(result.summary_vi(), str)


def test_odd_frames_do_not_crash():
    empty = contracts.validate(pd.DataFrame(), "findings")
    assert not empty.success and empty.n_rows == 0
    numbered = contracts.validate(pd.DataFrame({0: [1], 1: [2]}), "findings")
    assert not numbered.success


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("004095012345", "004*******45"),
        ("0912345678", "091*****78"),
        (4095012345, "409*****45"),
        ("DT000001", "DT000001"),
        (float("nan"), "(trống)"),
        (pd.NA, "(trống)"),
        (b"\xff", "b'\\xff'"),
    ],
)
def test_mask_value(value, shown):
    assert mask_value(value) == shown


# --- Data Docs ------------------------------------------------------------------------------


def test_build_data_docs_once_for_a_batch(tmp_path):
    results = [
        contracts.validate(clean_findings(), "findings", context="xã 01420"),
        contracts.validate(clean_findings().assign(severity="bad"), "findings", context="xã/01423"),
    ]
    index = contracts.build_data_docs(results, tmp_path)
    assert index == tmp_path / "data_docs" / "index.html" and index.is_file()
    pages = list((tmp_path / "data_docs" / "validations").rglob("*.html"))
    assert len(pages) == 2
    html = "".join(p.read_text(encoding="utf-8") for p in pages)
    assert "Mức độ là error, warning hoặc info." in html  # descriptions render as sentences


def test_build_data_docs_keeps_failures_when_bounded(tmp_path):
    ok = contracts.validate(clean_findings(), "findings")
    bad = contracts.validate(clean_findings().assign(severity="bad"), "findings")
    contracts.build_data_docs([ok, ok, bad], tmp_path, max_results=1)
    (page,) = (tmp_path / "data_docs" / "validations").rglob("*.html")
    assert "bad" in page.read_text(encoding="utf-8")


def test_build_data_docs_refuses_nothing(tmp_path):
    with pytest.raises(ContractError):
        contracts.build_data_docs([None, "x"], tmp_path)


# --- CLI --------------------------------------------------------------------------------------

runner = CliRunner()


def test_cli_list_shows_every_suite():
    out = runner.invoke(app, ["contracts", "list"], terminal_width=200)
    assert out.exit_code == 0
    for name in CLEAN:
        assert name in out.output
    assert "max_missing_id_share" in out.output


def test_cli_check_exit_codes(tmp_path):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    clean_findings().to_csv(good, index=False)
    clean_findings().assign(category="khác").to_csv(bad, index=False)
    ok = runner.invoke(app, ["contracts", "check", str(good), "--suite", "findings"])
    assert ok.exit_code == 0, ok.output
    assert "ĐẠT" in ok.output
    ko = runner.invoke(app, ["contracts", "check", str(bad), "--suite", "findings"])
    assert ko.exit_code == 1 and "KHÔNG ĐẠT" in ko.output


def test_cli_check_param_override(tmp_path):
    path = tmp_path / "review.parquet"
    review = clean_village_review()
    review.loc[:2, "decision"] = None
    review.to_parquet(path)
    args = ["contracts", "check", str(path), "--suite", "village_review"]
    assert runner.invoke(app, args).exit_code == 1
    assert runner.invoke(app, [*args, "--param", "min_decided_share=0.5"]).exit_code == 0


def test_cli_check_unknown_suite_is_a_user_error(tmp_path):
    path = tmp_path / "x.csv"
    clean_findings().to_csv(path, index=False)
    out = runner.invoke(app, ["contracts", "check", str(path), "--suite", "nope"])
    assert out.exit_code != 0
    assert isinstance(out.exception, ContractError) and "nope" in str(out.exception)


def test_console_script_exit_codes(tmp_path, monkeypatch):
    from vaxutils.cli import main

    bad = tmp_path / "bad.csv"
    clean_findings().assign(category="khác").to_csv(bad, index=False)
    for suite, code in (("findings", 1), ("no_such_suite", 2)):
        monkeypatch.setattr("sys.argv", ["vaxutils", "contracts", "check", str(bad), "-s", suite])
        with pytest.raises(SystemExit) as info:
            main()
        assert info.value.code == code
