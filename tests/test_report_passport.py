"""The passport section of the commune report: ready / blocked by reason / signed over time."""

from __future__ import annotations

from datetime import date

import pandas as pd

from vaxutils import report
from vaxutils.passport import ledger, tables


def _commune():
    records = pd.DataFrame(
        {
            "record_id": ["A", "B", "C"],
            "source_row": [2, 3, 4],
            "full_name": ["Lê Văn An", "Hà Thị Bình", "Nông Văn Chiến"],
            "dob": pd.to_datetime(["1980-01-02", "1990-05-06", "2012-03-04"]),
            "dob_precision": ["day"] * 3,
            "id_compact": ["001080000001", pd.NA, "004212000003"],
        }
    )
    findings = pd.DataFrame(
        {
            "record_id": ["B"],
            "category": ["missing_id"],
            "severity": ["error"],
            "code": ["id_missing"],
        }
    )
    doses = pd.DataFrame(
        {
            "record_id": ["A", "A", "B", "C"],
            "source_row": [2, 2, 3, 4],
            "dose_number": pd.array([1, 2, 1, 1], dtype="Int64"),
            "vaccine": ["Pfizer", "Nanocovax", "AZ", "AZ"],
            "product": ["Pfizer", "Nanocovax", "AstraZeneca", "AstraZeneca"],
            "dose_date": pd.to_datetime(["2021-08-01", "2021-09-01", "2021-08-02", "2021-08-03"]),
            "dose_date_precision": ["day"] * 4,
            "facility": ["TYT Xã A", "TYT Xã A", "TYT Xã A", "TTYT Huyện"],
            "exempt_from_cleaning": [False, False, False, True],
        }
    )
    return records, findings, doses


def test_ready_and_blocked_by_reason_per_facility():
    records, findings, doses = _commune()
    worklist = tables.worklist_of(records, findings, doses, "2022-01-01")
    table = tables.passport_status_table(worklist).set_index("facility")
    assert table.loc["TYT Xã A"].to_dict() == {
        "n_doses": 3, "n_ready": 1, "n_blocked": 2,
        "blocked_record": 1, "blocked_product": 1, "blocked_dose": 0,
    }  # fmt: skip
    # a 9-year-old's AstraZeneca dose in August 2021: blocked by the dose itself, even at a
    # district centre that signs without the cleaning steps
    assert table.loc["TTYT Huyện", "blocked_dose"] == 1
    assert table.loc["TTYT Huyện", "blocked_record"] == 0
    shown = report.label_frame(table.reset_index())
    assert "Chặn: hồ sơ chưa làm sạch" in shown.columns and "Sẵn sàng ký" in shown.columns


def test_signed_over_time(tmp_path):
    records, findings, doses = _commune()
    worklist = tables.worklist_of(records, findings, doses, date(2022, 1, 1))
    assert tables.signed_over_time_table(worklist, tables.read_signing_ledger("")).empty
    signed = pd.DataFrame(
        {"record_id": ["A", "B"], "dose_number": [1, 1],
         "signed_on": pd.to_datetime(["2021-08-02", "2021-08-05"])}
    )  # fmt: skip
    book = ledger.record_signed(ledger.empty_ledger(), signed)
    (tmp_path / "pp").mkdir()
    book.to_parquet(tmp_path / "pp" / ledger.LEDGER_FILE)
    table = tables.signed_over_time_table(worklist, tables.read_signing_ledger(tmp_path / "pp"))
    assert table["n_signed"].tolist() == [1, 1]
    assert table["n_signed_total"].tolist() == [1, 2]
    assert table["share_signed"].tolist() == [33.3, 66.7]


# --- report and batch pass the passport folder (section 9) ----------------------------------


def _capture_render(monkeypatch) -> list[dict]:
    """The parameters each report would be rendered with (the notebook itself is not run)."""
    from vaxutils.report import run

    seen = []

    def fake(notebook, parameters, ipynb, html, title):
        seen.append(parameters)
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text("<html></html>", "utf-8")
        return html

    monkeypatch.setattr(run, "render_report", fake)
    return seen


def _report(*args):
    from typer.testing import CliRunner

    from vaxutils.cli import app

    return CliRunner().invoke(app, ["report", *map(str, args)])


def test_report_passes_the_passport_folder_found_beside_the_screening(tmp_path, monkeypatch):
    seen = _capture_render(monkeypatch)
    screen = tmp_path / "out" / "01420"
    screen.mkdir(parents=True)
    (screen / "findings.parquet").write_bytes(b"")  # a screening folder (not read: render mocked)
    result = _report("--commune", "01420", "--input", screen, "--out", tmp_path / "r1")
    assert result.exit_code == 0, result.output
    assert "passport_dir" not in seen[-1]  # no passport folder yet: section 9 says so
    (screen / "passport").mkdir()
    assert _report("--commune", "01420", "--input", screen, "--out", tmp_path / "r2").exit_code == 0
    assert seen[-1]["passport_dir"] == str((screen / "passport").resolve())
    elsewhere = tmp_path / "ky"
    elsewhere.mkdir()
    args = ("--commune", "01420", "--input", screen, "--out", tmp_path / "r3", "--passport")
    assert _report(*args, elsewhere).exit_code == 0
    assert seen[-1]["passport_dir"] == str(elsewhere.resolve())
    missing = _report(*args, tmp_path / "khong_co")
    assert missing.exit_code != 0 and "--passport" in str(missing.exception)


def test_batch_passes_a_communes_passport_folder(tmp_path):
    """run_commune adds these parameters to the report's (the whole run is the kill test's)."""
    from vaxutils.batch.job import _passport_dir

    commune_dir = tmp_path / "out" / "01420"
    commune_dir.mkdir(parents=True)
    assert _passport_dir(commune_dir) == {}
    (commune_dir / "passport").mkdir()
    assert _passport_dir(commune_dir) == {"passport_dir": str((commune_dir / "passport").resolve())}
