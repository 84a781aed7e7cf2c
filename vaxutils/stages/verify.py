"""Step S6: screen the re-exported data again and compare it with the screening before it, written
as the verify folder (its own screened folder inside)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from vaxutils import io
from vaxutils.screen.engine import ScreenResult
from vaxutils.stage_files import PLATFORM, VERIFY, StageFolderMissing, missing_files
from vaxutils.stages.screen import load_screen, run_screen
from vaxutils.workflow.verify import compare_screenings, progress


@dataclass
class VerifyStage:
    """``comparison`` (one row per record: fixed, still wrong, new problem, ...), ``progress``
    (counts, per list before and now, the pace to the deadline, the platform import when known),
    ``screened`` (the new screening; None when loaded)."""

    comparison: pd.DataFrame
    progress: dict
    screened: ScreenResult | None = None


def run_verify(
    export: str | Path,
    previous: str | Path,
    out: str | Path,
    registry: str | Path | None = None,
    export_day: date | None = None,
    columns: str | Path | None = None,
    registry_columns: str | Path | None = None,
    platform_results: str | Path | None = None,
    check_contracts: bool = True,
) -> VerifyStage:
    """Screen ``export`` into ``out/screen`` (on ``export_day``, default today), compare it with
    the screened folder ``previous`` and write the verify folder ``out``. ``platform_results``
    (``ket_qua_nhap.json`` or its folder) adds what the platform imported. The export is checked
    against its contract as in S1 unless ``check_contracts`` is false."""
    out = Path(out)
    before = load_screen(previous)
    day = export_day or date.today()
    now = run_screen(
        export,
        out / VERIFY.screen,
        columns=columns,
        registry=registry,
        export_date=day,
        registry_columns=registry_columns,
        check_contracts=check_contracts,
    )
    comparison = compare_screenings(
        before.findings, now.findings, before.records["record_id"], now.records["record_id"]
    )
    pace = progress(comparison, before.findings, now.findings, day)
    # downward, but only here: importing the report package loads its charts (seconds)
    from vaxutils.report.platform import load_platform_results

    imported = load_platform_results(platform_results)
    if platform_results is not None and imported is None:
        raise StageFolderMissing(
            f"Không có {PLATFORM.results_summary} ở '{platform_results}': chạy 'vaxutils platform "
            "results' trước. / No import results there."
        )
    if imported is not None:
        pace["platform_import"] = {
            k: imported[k]
            for k in ("imported", "failed", "no_result", "unmatched", "failure_reasons")
        }
    io.write_parquet(out / VERIFY.comparison, comparison)
    io.write_csv(out / VERIFY.comparison_csv, comparison)
    io.write_json(out / VERIFY.progress, pace)
    return VerifyStage(comparison, pace, now)


def load_verify(folder: str | Path) -> VerifyStage:
    """The verify folder written by ``vaxutils verify --out folder``."""
    folder = Path(folder)
    missing = missing_files(folder, (VERIFY.comparison, VERIFY.progress))
    if missing:
        raise StageFolderMissing(
            f"Thư mục '{folder}' không có {', '.join(missing)}: chạy '{VERIFY.command} <tệp xuất "
            f"lại> --previous <thư mục sàng lọc> --out {folder}' trước. / No S6 results in "
            f"'{folder}': run '{VERIFY.command}' first."
        )
    return VerifyStage(
        io.read_parquet(folder / VERIFY.comparison),
        json.loads((folder / VERIFY.progress).read_text(encoding="utf-8")),
    )
