"""Registry extracts as the commune police hand them over (synth.shapes.registry_extract)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from vaxutils import io
from vaxutils.cli import app
from vaxutils.synth import ErrorRates, generate_commune, write_commune
from vaxutils.synth.shapes import registry_extract, registry_titles, write_registry_extract

runner = CliRunner()


@pytest.fixture(scope="module")
def commune(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reg")
    sc = generate_commune("01420", n_persons=60, seed=4, rates=ErrorRates())
    written = write_commune(sc, folder, fmt="csv")
    frame, truth = registry_extract(sc, np.random.default_rng(3), n_malformed=3, cmnd_share=0.3)
    return sc, written["export"], frame, truth, folder


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_vietnamese_headers_title_rows_cmnd_and_malformed_rows(commune, suffix):
    sc, _, frame, truth, folder = commune
    path = write_registry_extract(folder / f"dan_cu{suffix}", frame, registry_titles(sc))
    extract = io.read_registry(path)
    n_titles = len(registry_titles(sc))
    bad_rows = set(truth["position"] + n_titles + 2)  # title rows, header, 1-based
    assert set(extract.problems["row"]) == bad_rows
    assert set(extract.problems["column"]) <= {"Số định danh cá nhân", "Ngày sinh", "Giới tính"}
    assert (extract.problems["file"] == str(path)).all()
    assert len(extract.frame) == len(frame) - len(bad_rows)
    # 9-digit CMNDs are people of the registry too, found by their old number
    cmnd = extract.frame["id_number"].str.len().eq(9)
    assert (
        cmnd.any()
        and (extract.frame.loc[cmnd, "cmnd"] == extract.frame.loc[cmnd, "id_number"]).all()
    )
    assert extract.frame["person_id"].str.fullmatch(r"dong-\d+").all()
    assert not set(extract.frame["source_row"]) & bad_rows


def test_screen_and_verify_take_such_an_extract_and_report_its_rows(commune, tmp_path):
    sc, export, frame, truth, folder = commune
    renamed = frame.rename(columns={"Số định danh cá nhân": "SỐ ĐDCN (mới)"})
    path = write_registry_extract(tmp_path / "dan_cu.xlsx", renamed, registry_titles(sc))
    mapping = tmp_path / "cot.yml"
    mapping.write_text(yaml.safe_dump({"id_number": "SỐ ĐDCN (mới)"}, allow_unicode=True), "utf-8")
    out = tmp_path / "scr"
    args = ["screen", str(export), "--out", str(out), "--registry", str(path)]
    result = runner.invoke(app, [*args, "--registry-columns", str(mapping)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["registry_problems"]["n_rows"] == len(truth)
    listed = pd.read_csv(out / "trich_xuat_dan_cu_can_sua.csv", dtype=str)
    assert {"file", "row", "column", "value", "message"} <= set(listed.columns)
    findings = pd.read_parquet(out / "findings.parquet")
    assert findings["code"].str.startswith("registry_").any()  # the registry was used
    results = {"imported": 7, "failed": 2, "no_result": 0, "unmatched": 0, "rows": 9,
               "failure_reasons": {"Số điện thoại không hợp lệ": 2}}  # fmt: skip
    io.write_json(tmp_path / "s5" / "ket_qua_nhap.json", results)
    again = runner.invoke(
        app,
        [
            "verify", str(export), "--previous", str(out), "--out", str(tmp_path / "ver"),
            "--registry", str(path), "--registry-columns", str(mapping),
            "--platform-results", str(tmp_path / "s5"),
        ],
    )  # fmt: skip
    assert again.exit_code == 0, again.output
    assert (tmp_path / "ver" / "screen" / "trich_xuat_dan_cu_can_sua.csv").is_file()
    progress = json.loads((tmp_path / "ver" / "progress.json").read_text("utf-8"))
    assert progress["platform_import"]["failed"] == 2 and "2 thất bại" in again.output


def test_an_extract_without_an_id_column_says_what_to_do(tmp_path):
    path = tmp_path / "dan_cu.csv"
    path.write_text("Họ và tên,Ngày sinh\nLê Văn A,1990\n", encoding="utf-8")
    with pytest.raises(io.IngestError) as err:
        io.read_registry(path)
    assert "dan_cu.csv" in str(err.value) and "--columns" in str(err.value)
