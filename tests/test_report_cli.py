"""``vaxutils report`` and ``vaxutils batch`` end to end on small synthetic communes.

Real pipeline: synth → screen → papermill → HTML. Skipped while an upstream module is missing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import report_fixture as fx
from typer.testing import CliRunner

from vaxutils.cli import app

ID_OR_PHONE = re.compile(r"(?<![\d*])(?:\d{12}|\d{9}|0[35789]\d{8})(?![\d*])")
runner = CliRunner()


def visible_text(page: str) -> str:
    return re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "", page)


def assert_masked(page: str) -> None:
    # all zeros is the "không có" placeholder quoted in messages, not somebody's number
    found = [m for m in ID_OR_PHONE.findall(visible_text(page)) if set(m) != {"0"}]
    assert not found, f"unmasked numbers in report: {found[:5]}"


@pytest.fixture(scope="module")
def communes(tmp_path_factory) -> Path:
    pytest.importorskip("vaxutils.screen.engine")
    synth = pytest.importorskip("vaxutils.synth")
    if not hasattr(synth, "write_commune"):
        pytest.skip("vaxutils.synth.write_commune not available yet")
    from vaxutils.batch.synthetic import write_small_commune

    folder = tmp_path_factory.mktemp("inputs")
    for code in ("01420", "01366"):
        write_small_commune(code, folder, persons=100, seed=1)
    (folder / "export_01426.csv").write_bytes(b"\x00\x01 not a spreadsheet")
    return folder


def test_report_command_on_an_export(communes, tmp_path):
    export = next(communes.glob("export_01420.*"))
    args = ["report", "--commune", "01420", "--input", str(export), "--out", str(tmp_path)]
    result = runner.invoke(app, [*args, "--export-date", "15/05/2022"])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "01420" / "report.html").read_text("utf-8")
    assert "Dữ liệu xuất ngày 15/05/2022: còn 17 ngày" in page
    manifest = (tmp_path / "01420" / "manifest.json").read_text("utf-8")
    assert '"export_date": "2022-05-15"' in manifest
    assert len(page.encode()) < 1_000_000
    assert_masked(page)
    assert "Số liệu chính" in page and "Danh sách cần xử lý theo thôn" in page


def test_report_from_a_screen_folder_with_no_mask(tmp_path):
    screen = fx.write(tmp_path / "screen")
    args = ["report", "--commune", fx.COMMUNE, "--input", str(screen), "--out", str(tmp_path / "o")]
    result = runner.invoke(app, [*args, "--no-mask"])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "o" / fx.COMMUNE / "report.html").read_text("utf-8")
    assert "004080012345" in page  # full numbers only on request
    assert "Trần Văn Khác" not in page  # never another commune's people


def test_batch_isolates_a_broken_commune_and_resumes(communes, tmp_path):
    out = tmp_path / "batch"
    args = ["batch", "--input", str(communes), "--out", str(out), "--workers", "2", "--no-overview"]
    first = runner.invoke(app, args)
    assert first.exit_code == 1, first.output
    index = (out / "index.html").read_text("utf-8")
    assert "01426" in index and "LỖI" in index
    for code, other in (("01420", "01366"), ("01366", "01420")):
        page = (out / code / "report.html").read_text("utf-8")
        assert_masked(page)
        others = set(
            __import__("pandas").read_parquet(out / other / "screen" / "records.parquet")[
                "full_name"
            ]
        )
        mine = set(
            __import__("pandas").read_parquet(out / code / "screen" / "records.parquet")[
                "full_name"
            ]
        )
        assert not any(name in page for name in others - mine)
    second = runner.invoke(app, args)
    assert second.exit_code == 1
    assert "2 xã không đổi" in second.output
