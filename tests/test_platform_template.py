"""The platform's import template: written exactly as the blank one, read as an export, read back.

Data come from the generator; only the blank template and the code lists of ``../shared/platform``
are looked at (when present) to prove the copies shipped in the package are the platform's.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from io import BytesIO
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from vaxutils import contracts, io
from vaxutils.cli import app
from vaxutils.io.platform_template import FIRST_DATA_ROW, SHEET, TEMPLATE_FIELDS
from vaxutils.refdata import _files
from vaxutils.refdata.platform import template_bytes, vaccine_names
from vaxutils.sex import normalize_series as normalize_sex
from vaxutils.synth import ErrorRates, generate_commune
from vaxutils.synth.shapes import fill_import_results, template_export
from vaxutils.workflow.platform_template import template_rows

ROOT = Path(__file__).resolve().parents[1]
# the platform's own files beside the checkout when they are there (a worktree sits deeper, a CI
# clone may have none: then the copies shipped in refdata stand in)
SHARED = next(
    (p / "shared" / "platform" for p in ROOT.parents if (p / "shared" / "platform").is_dir()),
    ROOT / "shared" / "platform",
)
runner = CliRunner()


def blank_rows() -> tuple[list[tuple], set[str]]:
    """Rows 1–8 of sheet PL1 of the blank template and its merged ranges. The platform's own file
    (with its big code sheets) is read in read-only mode, its merges from the sheet's XML."""
    source = SHARED / "mau_import_doi_tuong_tiem.xlsx"
    data = source.read_bytes() if source.is_file() else template_bytes()
    book = openpyxl.load_workbook(BytesIO(data), read_only=True)
    rows = list(book[SHEET].iter_rows(min_row=1, max_row=8, max_col=35, values_only=True))
    book.close()
    with zipfile.ZipFile(BytesIO(data)) as z:
        names = sorted(n for n in z.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
        xml = z.read(
            "xl/worksheets/sheet1.xml" if "xl/worksheets/sheet1.xml" in names else names[0]
        )
    merged = set(re.findall(rb'<mergeCell ref="([A-Z]+\d+:[A-Z]+\d+)"', xml))
    return rows, {m.decode() for m in merged}


@pytest.fixture(scope="module")
def commune():
    # seed 2: a commune whose export has a phone column (the template requires one)
    return generate_commune("01420", n_persons=60, seed=2, rates=ErrorRates.none())


@pytest.fixture(scope="module")
def written(commune, tmp_path_factory):
    """An import file made from screening's records and doses, through the template builder."""
    folder = tmp_path_factory.mktemp("tpl")
    export = folder / "export.xlsx"
    from vaxutils.synth.workbook import write_export_xlsx

    write_export_xlsx(export, commune.export, commune.title_rows)
    runner.invoke(app, ["screen", str(export), "--out", str(folder / "scr"), "--no-contracts"])
    records = pd.read_parquet(folder / "scr" / "records.parquet")
    doses = pd.read_parquet(folder / "scr" / "doses.parquet")
    valid = records[records["id_kind"].isin(["cccd", "cmnd"])].head(40)
    imports = pd.DataFrame(
        {
            "record_id": valid["record_id"],
            "id_number": valid["id_compact"],
            "full_name": valid["full_name"],
            "dob": valid["dob"].dt.strftime("%d/%m/%Y"),
            "sex": valid["sex"],
        }
    )
    sites = {f: "04075" for f in doses["facility"].dropna().unique()[:3]}  # a user's mapping
    rows = template_rows(imports, records, doses, priority_group="15", sites=sites)
    path = io.write_platform_template(folder / "nhap_nen_tang.xlsx", rows.frame)
    return path, rows, imports


def test_rows_1_to_8_are_the_blank_template_cell_for_cell(written):
    path, rows, _ = written
    blank, blank_merged = blank_rows()
    book = openpyxl.load_workbook(path)
    made = book[SHEET]
    assert book.sheetnames[0] == SHEET
    for r in range(1, FIRST_DATA_ROW):
        for c in range(1, len(TEMPLATE_FIELDS) + 1):
            want = blank[r - 1][c - 1] if c <= len(blank[r - 1]) else None
            assert made.cell(r, c).value == want, (r, c)
    assert {str(m) for m in made.merged_cells.ranges} == blank_merged
    assert "J7:P7" in blank_merged and "Q7:T7" in blank_merged  # the groups of the header
    assert made.max_column == len(TEMPLATE_FIELDS) == 35
    assert len(rows.frame) > 0 and made.max_row == FIRST_DATA_ROW + len(rows.frame) - 1


def test_every_data_cell_is_text_and_the_suite_passes(written):
    path, rows, _ = written
    sheet = openpyxl.load_workbook(path)[SHEET]
    for row in sheet.iter_rows(min_row=FIRST_DATA_ROW, max_col=35):
        for cell in row:
            assert cell.number_format == "@"
            assert cell.value is None or cell.data_type == "s"
    back = io.read_platform_template(path)
    assert back["sex"].isin(["0", "1"]).all()
    assert back["dob"].str.fullmatch(r"\d{2}/\d{2}/\d{4}").all()
    assert set(back["vaccine_1"]) <= set(vaccine_names())
    assert (back["province_code"] == "04").all() and (back["commune_code"] == "01420").all()
    assert back[["import_failed", "import_succeeded"]].isna().all().all()
    result = contracts.validate(back, "platform_template", context=path.name)
    assert result.success, result.summary_vi()


def test_the_suite_refuses_a_file_the_platform_would_refuse(written):
    path, _, _ = written
    back = io.read_platform_template(path)
    back.loc[0, "sex"] = "Nam"
    back.loc[1, "vaccine_1"] = "AstraZeneca"
    back.loc[2, "phone"] = pd.NA
    result = contracts.validate(back, "platform_template", context="sửa tay")
    assert not result.success
    failed = {f.column for f in result.failures} if hasattr(result, "failures") else set()
    assert {"sex", "vaccine_1", "phone"} <= failed or "sex" in result.summary_vi()


def test_records_lacking_required_values_are_listed_not_written(written):
    _, rows, imports = written
    assert set(rows.frame["record_id"]) | set(rows.not_importable["record_id"]) == set(
        imports["record_id"]
    )
    assert not set(rows.frame["record_id"]) & set(rows.not_importable["record_id"])
    # the synthetic export's facilities mostly are not PL4 names: listed, not guessed
    assert len(rows.unresolved_sites) and rows.unresolved_sites["facility"].notna().all()
    assert rows.not_importable["missing"].str.contains(r"\((?:Mũi|Số điện thoại|Ngày sinh)").all()
    assert not rows.frame[["phone", "priority_group", "site_1"]].isna().any().any()


@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"
)
def test_libreoffice_converts_the_written_file(written, tmp_path):
    path, _, _ = written
    done = subprocess.run(
        # 44,34,76: comma-separated, quoted, UTF-8
        [
            "soffice",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "nhap_nen_tang.csv").read_text("utf-8")
    assert "Họ và tên (*)" in text and "Mũi 1" in text
    # Text cells stay text: the leading zeros of IDs and codes survive the conversion
    assert ",04," in text and ",01420," in text and ",004" in text


def test_a_list_kept_in_the_template_reads_as_an_export(commune, tmp_path):
    frame = template_export(commune)
    path = io.write_platform_template(tmp_path / "danh_sach_xa.xlsx", frame)
    export = io.read_export(path)
    assert export.source["header_row"] == 7 and export.source["header_rows"] == 2
    assert export.source["layout"] == "wide" and export.source["platform_template"]
    assert export.records["source_row"].tolist() == list(range(9, 9 + len(frame)))
    assert export.records["record_id"].str.fullmatch(r"danh_sach_xa-dong-\d+").all()
    # sex 0/1 as the template codes it (0 nam, 1 nữ), not the other exports' way round
    truth = normalize_sex(commune.export["Giới tính"]).astype("string")
    assert export.records["sex"].fillna("").tolist() == truth.fillna("").tolist()
    assert set(frame["sex"].dropna()) == {"0", "1"}
    n_doses = sum(frame[f"vaccine_{k}"].notna().sum() for k in range(1, 5))
    assert len(export.doses) == n_doses
    assert set(export.doses["dose_number"]) <= {"1", "2", "3", "4"}
    out = tmp_path / "scr"
    result = runner.invoke(app, ["screen", str(path), "--out", str(out), "--no-contracts"])
    assert result.exit_code == 0, result.output
    assert "tên tệp và số dòng" in result.output


def test_import_results_come_back_per_record(written, tmp_path):
    path, rows, imports = written
    sent = imports.set_index("record_id").loc[rows.frame["record_id"]].reset_index()
    sent["template_row"] = [str(r) for r in range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(sent))]
    previous = tmp_path / "s5"
    io.write_csv(previous / "nhap_nen_tang.csv", sent)
    returned = tmp_path / "tra_ve.xlsx"
    truth = fill_import_results(path, returned, np.random.default_rng(2), fail_share=0.3)
    # a person sorted the returned sheet: rows moved, the ID numbers still tell them apart
    book = openpyxl.load_workbook(returned)
    sheet = book[SHEET]
    first = [c.value for c in sheet[FIRST_DATA_ROW]]
    second = [c.value for c in sheet[FIRST_DATA_ROW + 1]]
    for c, value in enumerate(second, start=1):
        sheet.cell(FIRST_DATA_ROW, c).value = value
    for c, value in enumerate(first, start=1):
        sheet.cell(FIRST_DATA_ROW + 1, c).value = value
    book.save(returned)
    result = runner.invoke(app, ["platform", "results", str(returned), "--previous", str(previous)])
    assert result.exit_code == 0, result.output
    got = pd.read_parquet(previous / "ket_qua_nhap.parquet")
    assert got["record_id"].notna().all() and got["record_id"].is_unique
    expected = dict(zip(sent["template_row"].astype(int), sent["record_id"], strict=True))
    outcome = truth.set_index("source_row")["result"]
    for _, row in got.iterrows():
        original = {FIRST_DATA_ROW: FIRST_DATA_ROW + 1, FIRST_DATA_ROW + 1: FIRST_DATA_ROW}.get(
            row["source_row"], row["source_row"]
        )
        assert row["record_id"] == expected[original]
        assert row["result"] == outcome[original]
    retry = pd.read_excel(previous / "can_sua_nhap_lai.xlsx", skiprows=1, dtype=str)
    assert len(retry) == int((truth["result"] == "failed").sum())
    assert "thất bại" in result.output


def test_shipped_code_lists_are_the_platforms_with_their_provenance():
    for name in ("platform_pl2.csv", "platform_pl3.csv", "platform_pl4.csv", "platform_pl5.csv"):
        lines = _files.provenance(name)
        assert lines and "1nguyenhuuhieu/lam-sach-du-lieu-tiem-chung" in lines[0]
        source = SHARED / name.replace("platform_", "").replace(
            ".csv",
            {
                "pl2": "_nhom_uu_tien",
                "pl3": "_hanh_chinh",
                "pl4": "_dia_diem_tiem",
                "pl5": "_vac_xin",
            }[name[9:12]]
            + ".csv",
        )
        if source.is_file():
            shipped = _files.read_table(name)
            original = pd.read_csv(source, dtype="string", keep_default_na=False)
            pd.testing.assert_frame_equal(shipped.reset_index(drop=True), original)


def test_synth_writes_the_real_shapes(tmp_path):
    args = ["synth", "--commune", "01420", "--persons", "30", "--out", str(tmp_path), "--shapes"]
    result = runner.invoke(app, [*args, "--seed", "3"])
    assert result.exit_code == 0, result.output
    listed = io.read_export(tmp_path / "mau_nhap_01420.xlsx")
    assert listed.source["platform_template"] and len(listed.records) == 30
    extract = io.read_registry(tmp_path / "dan_cu_01420.xlsx")
    assert len(extract.problems) == 3 and len(extract.frame) >= 27


def test_results_and_sites_refuse_the_wrong_files_with_a_message(written, tmp_path):
    path, _, _ = written
    other = tmp_path / "khac.xlsx"
    io.write_xlsx(other, {"Trang 1": pd.DataFrame({"Họ và tên": ["A"]})})
    previous = tmp_path / "s5"
    io.write_csv(
        previous / "nhap_nen_tang.csv",
        pd.DataFrame({"record_id": ["r"], "id_number": ["1"], "template_row": ["9"]}),
    )
    run = runner.invoke(app, ["platform", "results", str(other), "--previous", str(previous)])
    assert run.exit_code != 0 and "không phải tệp mẫu nhập" in str(run.exception)
    run = runner.invoke(app, ["platform", "results", str(path), "--previous", str(tmp_path)])
    assert run.exit_code != 0 and "nhap_nen_tang.csv" in str(run.exception)
    sites = tmp_path / "sites.yml"
    sites.write_text("- chỉ là một danh sách\n", encoding="utf-8")
    run = runner.invoke(
        app, ["platform", str(tmp_path), "--out", str(tmp_path / "o"), "--sites", str(sites)]
    )
    assert run.exit_code != 0  # no screening results there: says so before reading the sites
    assert "vaxutils screen" in str(run.exception)
