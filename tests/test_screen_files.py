"""`vaxutils screen` end to end: files written, the contract checked first, messages not tracebacks."""

from datetime import date

import pandas as pd
import pytest
from typer.testing import CliRunner

from vaxutils.cli import app
from vaxutils.contracts import ContractError
from vaxutils.io import file_sha256
from vaxutils.stages import screen_file
from vaxutils.synth import generate_commune, write_commune

EXPORT_DATE = date(2022, 5, 15)


@pytest.fixture(scope="module")
def commune_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("commune")
    commune = generate_commune("01420", n_persons=400, seed=21, export_date=EXPORT_DATE)
    write_commune(commune, folder, fmt="csv")
    return folder


def test_screen_command_writes_every_stage_file_and_leaves_the_input_alone(commune_dir, tmp_path):
    export = commune_dir / "export_01420.csv"
    before = file_sha256(export)
    result = CliRunner().invoke(
        app,
        [
            "screen",
            str(export),
            "--out",
            str(tmp_path / "out"),
            "--registry",
            str(commune_dir / "registry_01420.parquet"),
            "--export-date",
            "15/05/2022",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Không có số CMND/CCCD" in result.output
    for name in [
        "findings.csv",
        "findings.parquet",
        "records.parquet",
        "doses.parquet",
        "summary.json",
    ]:
        assert (tmp_path / "out" / name).exists(), name
    assert file_sha256(export) == before
    summary = pd.read_json(tmp_path / "out" / "summary.json", typ="series")
    assert {i["role"] for i in summary["inputs"]} == {"export", "registry"}
    assert summary["inputs"][0]["sha256"] == before
    assert not list((tmp_path / "out").glob("*.tmp*")), "temporary files left behind"


def test_a_contract_failure_stops_the_stage_with_a_summary(tmp_path):
    # Most ID cells empty: the ID column is probably mapped wrongly; the platform_export contract says so.
    rows = 50
    frame = pd.DataFrame(
        {
            "Họ và tên": [f"Nguyễn Văn Nam {i}" for i in range(rows)],
            "Ngày sinh": ["01/02/1980"] * rows,
            "Giới tính": ["Nam"] * rows,
            "Số CMND/CCCD": ["001080012345"] * 5 + [""] * (rows - 5),
        }
    )
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(ContractError) as err:
        screen_file(path, tmp_path / "out", export_date=EXPORT_DATE)
    assert "id_number" in str(err.value)
    assert not (tmp_path / "out" / "findings.csv").exists()
    result = CliRunner().invoke(app, ["screen", str(path), "--out", str(tmp_path / "out2")])
    assert result.exit_code != 0
    assert "Traceback" not in result.output


def test_an_unreadable_file_gets_a_message_naming_it(tmp_path):
    path = tmp_path / "danh_sach.xlsx"
    path.write_text("đây không phải là bảng tính", encoding="utf-8")
    import subprocess
    import sys

    from vaxutils.cli import main

    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from vaxutils.cli import main; main()",
            "screen",
            str(path),
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "danh_sach.xlsx" in proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr
    assert main  # the console script's entry point is importable
