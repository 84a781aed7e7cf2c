"""Batch runs: planning, manifests and resume, isolation of failures, the index, dask.

Screening is replaced by the hand-made fixture here (``fake_screen``) so these tests exercise the
batch machinery alone; tests/test_report_cli.py runs the real pipeline end to end.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
import report_fixture as fx

from vaxutils import batch
from vaxutils.batch import job as job_module
from vaxutils.batch.manifest import fingerprint, is_fresh
from vaxutils.io.files import file_sha256
from vaxutils.report import run as report_run
from vaxutils.stage_files import BATCH, PASSPORT
from vaxutils.stages import run_signed


def fake_screen(job, screen_dir: Path):
    text = Path(job.input_path).read_text("utf-8")
    if "BROKEN" in text:
        raise ValueError("Tệp hỏng / broken file")
    fx.write(screen_dir)
    records = fx.records()
    records["commune_code"] = job.commune_code
    records.to_parquet(screen_dir / "records.parquet")
    summary = {**fx.summary(), "n_records": len(records)}
    return SimpleNamespace(
        findings=fx.findings(), records=records, doses=fx.doses(), summary=summary
    )


@pytest.fixture
def inputs(tmp_path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for code in ("01420", "01423", "01426"):
        (folder / f"export_{code}.csv").write_text(f"Mã xã\n{code}\n", "utf-8")
    (folder / "export_01426.csv").write_text("BROKEN", "utf-8")
    (folder / "notes.txt").write_text("not an export", "utf-8")
    return folder


def fake_render(template, parameters, output_ipynb, output_html, title):
    Path(output_html).parent.mkdir(parents=True, exist_ok=True)
    Path(output_html).write_text(f"<html>{title} {parameters['commune_code']}</html>", "utf-8")
    return Path(output_html)


@pytest.fixture
def fast_jobs(monkeypatch):
    """Screening and notebooks replaced: the real ones are tested in test_report*.py."""
    import vaxutils.report.run

    monkeypatch.setattr(job_module, "_screen", fake_screen)
    monkeypatch.setattr(vaxutils.report.run, "render_report", fake_render)
    monkeypatch.setattr(job_module, "_validate_findings", lambda findings, code: None)


def test_commune_code_of():
    assert batch.commune_code_of(Path("export_01420.XLSX")) == "01420"
    assert batch.commune_code_of(Path("export_1420.csv")) is None
    assert batch.commune_code_of(Path("registry_01420.parquet")) is None


def test_selected_communes():
    assert batch.selected_communes(communes=[" 01420", "01423", ""]) == ["01420", "01423"]
    assert batch.selected_communes() is None
    with pytest.raises(batch.BatchInputError, match="5 chữ số"):
        batch.selected_communes(communes=["1420"])
    with pytest.raises(batch.BatchInputError, match="Chỉ chọn một"):
        batch.selected_communes(district="045", communes=["01420"])


def test_plan_jobs_marks_communes_without_input(inputs):
    jobs = batch.plan_jobs(inputs, ["01420", "09999"])
    assert [j.commune_code for j in jobs] == ["01420", "09999"]
    assert jobs[0].input_path.name == "export_01420.csv" and jobs[0].problem is None
    assert "09999" in jobs[1].problem
    assert [j.commune_code for j in batch.plan_jobs(inputs, None)] == ["01420", "01423", "01426"]
    with pytest.raises(batch.BatchInputError):
        batch.plan_jobs(inputs / "missing", None)


def test_fingerprint_and_freshness(tmp_path):
    fp = fingerprint({"export": "a"}, {"mask": True})
    assert fp != fingerprint({"export": "b"}, {"mask": True})
    commune = tmp_path / "01420"
    commune.mkdir()
    (commune / "manifest.json").write_text(
        json.dumps({"status": "ok", "fingerprint": fp, "report": "01420/report.html"}), "utf-8"
    )
    assert is_fresh(commune, fp) is None  # the report is gone
    (commune / "report.html").write_text("<html></html>", "utf-8")
    assert is_fresh(commune, fp)["status"] == "ok"
    assert is_fresh(commune, "other") is None


def test_batch_isolates_failures_indexes_them_and_resumes(inputs, tmp_path, fast_jobs):
    out = tmp_path / "out"
    jobs = batch.plan_jobs(inputs, None)
    result = batch.run_batch(jobs, out, workers=1, overview=False, data_docs=False)
    status = {r["commune_code"]: r["status"] for r in result.rows}
    assert status == {"01420": "ok", "01423": "ok", "01426": "failed"}
    assert result.exit_code == 1
    index = result.index_html.read_text("utf-8")
    assert 'href="01420/report.html"' in index and "Tệp hỏng" in index and "1 xã lỗi" in index
    assert (out / "01420" / "report.html").is_file() and (out / "01420" / "manifest.json").is_file()
    # the village review workbook (step S2) beside each report, linked from the index
    assert (out / "01420" / "ra_soat_01420.xlsx").is_file()
    assert 'href="01420/ra_soat_01420.xlsx"' in index
    passport = [p.name for p in (out / "01420").glob("ky_ho_chieu_*.xlsx")]
    assert len(passport) == 1 and f'href="01420/{passport[0]}"' in index
    runs = (out / "runs.csv").read_text("utf-8")
    assert "01420" in runs and "01426" not in runs

    # rerun: unchanged communes are skipped, the fixed one runs
    (inputs / "export_01426.csv").write_text("Mã xã\n01426\n", "utf-8")
    again = batch.run_batch(
        batch.plan_jobs(inputs, None), out, workers=1, overview=False, data_docs=False
    )
    status = {r["commune_code"]: r["status"] for r in again.rows}
    assert status == {"01420": "skipped", "01423": "skipped", "01426": "ok"}
    assert 'href="01420/ra_soat_01420.xlsx"' in again.index_html.read_text("utf-8")
    assert again.exit_code == 0

    # a changed parameter reruns
    jobs = batch.plan_jobs(inputs, ["01420"])
    jobs[0].params = {"mask": False}
    third = batch.run_batch(jobs, out, workers=1, overview=False, data_docs=False)
    assert third.rows[0]["status"] == "ok"


def test_batch_on_dask_local_cluster(inputs, tmp_path, fast_jobs):
    from distributed import Client, LocalCluster

    out = tmp_path / "dask"
    jobs = batch.plan_jobs(inputs, ["01420", "01426"])
    with LocalCluster(
        processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        with Client(cluster) as client:
            result = batch.run_batch(jobs, out, scheduler=client, overview=False, data_docs=False)
    status = {r["commune_code"]: r["status"] for r in result.rows}
    assert status == {"01420": "ok", "01426": "failed"}
    assert (out / "01420" / "report.html").is_file()


SHARED_EXPORT = """Mã đối tượng,Họ và tên,Ngày sinh,Giới tính,Số CMND/CCCD,Thôn/Ấp/Tổ/Bản,Mã xã,Mũi,Tên vắc xin,Ngày tiêm
A1,Nguyễn Văn An,03/02/1980,Nam,004080012345,Thôn Nà Ngần,01420,1,AstraZeneca,01/07/2021
A2,Lê Thị Bình,06/05/1990,Nữ,,Thôn Nà Ngần,01420,1,Pfizer,01/08/2021
B1,Nông Văn Cường,08/07/1975,Nam,004075012345,Bản Giốc,01366,1,Vero Cell,01/10/2021
"""


def test_one_shared_file_is_split_by_commune(tmp_path):
    path = tmp_path / "all.csv"
    path.write_text(SHARED_EXPORT, "utf-8")
    parts = batch.split_export(path)
    assert sorted(parts) == ["01366", "01420"]
    export, first_print = parts["01420"]
    assert export.records["record_id"].tolist() == ["A1", "A2"]
    assert set(export.doses["record_id"]) == {"A1", "A2"}
    # a change in one commune's rows changes only that commune's fingerprint
    path.write_text(SHARED_EXPORT.replace("Bản Giốc", "Bản Khác"), "utf-8")
    again = batch.split_export(path)
    assert again["01420"][1] == first_print and again["01366"][1] != parts["01366"][1]
    jobs = batch.plan_jobs(path, None)
    assert [j.commune_code for j in jobs] == ["01366", "01420"] and jobs[0].export is not None


def test_export_date_reaches_screening(monkeypatch, tmp_path):
    import vaxutils.stages

    seen = {}

    def screen_file(input, out_dir, registry=None, export_date=None, commune=None, own_file=False):
        seen["export_date"] = export_date
        seen["commune"] = commune  # a file may hold other communes: the job keeps its own
        return SimpleNamespace(findings=fx.findings(), summary=fx.summary())

    monkeypatch.setattr(vaxutils.stages, "screen_file", screen_file)
    job = batch.CommuneJob("01420", "Xã Thượng Thôn", input_path=tmp_path / "export_01420.csv")
    job.export_date = date(2022, 5, 15)  # as `vaxutils demo` sets it
    job_module._screen(job, tmp_path / "screen")
    assert seen["export_date"] == date(2022, 5, 15)
    assert seen["commune"] == "01420"


def test_export_date_is_fingerprinted_and_recorded(inputs, tmp_path, fast_jobs):
    out = tmp_path / "out"

    def run(day):
        jobs = batch.plan_jobs(inputs, ["01420"], export_date=day)
        return batch.run_batch(jobs, out, workers=1, overview=False, data_docs=False).rows[0]

    first = run(date(2022, 5, 15))
    assert first["status"] == "ok" and first["export_date"] == "2022-05-15"
    manifest = json.loads((out / "01420" / "manifest.json").read_text("utf-8"))
    assert manifest["export_date"] == "2022-05-15"
    assert run(date(2022, 5, 15))["status"] == "skipped"
    assert run(date(2022, 5, 29))["status"] == "ok"  # a new export date is a new run
    assert run(None)["status"] == "ok"


def test_a_ledger_signed_since_the_last_run_reruns_the_commune(
    inputs, tmp_path, fast_jobs, monkeypatch
):
    """The report's section 9 shows the doses signed (the ledger of ``<code>/passport``): a batch
    must not skip a commune whose ledger changed since its last run, nor rerun it otherwise."""
    given = []

    def render(template, parameters, output_ipynb, output_html, title):
        given.append(parameters)
        return fake_render(template, parameters, output_ipynb, output_html, title)

    monkeypatch.setattr(report_run, "render_report", render)
    out = tmp_path / "out"
    passport = out / "01420" / BATCH.passport

    def run():
        jobs = batch.plan_jobs(inputs, ["01420"], export_date=date(2022, 5, 15))
        return batch.run_batch(jobs, out, workers=1, overview=False, data_docs=False).rows[0]

    def sign(day: date, rows: str):
        returned = tmp_path / f"da_ky_{day:%Y%m%d}.csv"
        returned.write_text(f"Mã đối tượng,Mũi\n{rows}\n", encoding="utf-8")
        run_signed(returned, passport, day, facility="Trạm Y tế xã Thượng Thôn")

    assert run()["status"] == "ok" and "passport_dir" not in given[-1]
    passport.mkdir()  # a passport folder with no ledger yet changes nothing
    assert run()["status"] == "skipped"

    sign(date(2022, 5, 16), "R0001,1\nR0002,2")
    assert run()["status"] == "ok"
    assert given[-1]["passport_dir"] == str(passport.resolve())
    manifest = json.loads((out / "01420" / "manifest.json").read_text("utf-8"))
    assert manifest["inputs"]["ledger"] == file_sha256(passport / PASSPORT.ledger)
    assert run()["status"] == "skipped"

    sign(date(2022, 5, 17), "R0003,1")  # the next day's signing
    assert run()["status"] == "ok"
    assert run()["status"] == "skipped"
    (passport / PASSPORT.ledger).unlink()  # a ledger taken away: section 9 changes again
    assert run()["status"] == "ok"
    assert len(given) == 4


def test_cli_refuses_a_bad_export_date(inputs, tmp_path):
    from typer.testing import CliRunner

    from vaxutils.cli import app

    result = CliRunner().invoke(
        app, ["batch", "--input", str(inputs), "--out", str(tmp_path), "--export-date", "31/02/22"]
    )
    assert result.exit_code != 0
    assert "dd/mm/yyyy" in result.output + str(result.exception)
