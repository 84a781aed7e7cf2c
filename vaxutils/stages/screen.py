"""Step S1: screen an export and write the screened folder; read a screened folder back.

Every later step starts from :func:`load_screen`; :func:`export_date` is the day they judge ages
and intervals on when none is given (the day screening used).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from vaxutils import contracts, io
from vaxutils.screen.engine import ScreenResult, screen
from vaxutils.stage_files import SCREEN, StageFolderMissing, missing_files


def read_registry(path: str | Path, columns: str | Path | dict | None = None) -> pd.DataFrame:
    """The usable rows of a population-database extract (Parquet, CSV or Excel, Vietnamese
    headers; see :func:`vaxutils.io.read_registry`)."""
    return io.read_registry(path, columns=columns).frame


def run_screen(
    input: str | Path,
    out_dir: str | Path,
    columns: str | Path | dict | None = None,
    registry: str | Path | pd.DataFrame | None = None,
    export_date: date | None = None,
    sheet: str | None = None,
    check_contracts: bool = True,
    commune: str | None = None,
    registry_columns: str | Path | dict | None = None,
    own_file: bool = False,
) -> ScreenResult:
    """Read a platform export, screen it and write the results into ``out_dir``.

    Writes ``findings.csv``, ``findings.parquet``, ``records.parquet``, ``doses.parquet`` and
    ``summary.json`` (with the input files' SHA-256). The input file is never modified.
    When ``check_contracts`` is true the export is validated against the ``platform_export``
    contract first, and a failure stops with its summary (:class:`vaxutils.contracts.ContractError`).

    Every record's commune is resolved (code, else names; :func:`vaxutils.io.place_communes`);
    records whose commune is not certain are left out and listed in ``chua_xac_dinh_xa.csv``.
    ``commune`` (5-digit code) keeps that commune's records only; with ``own_file`` the file is
    that commune's own, so a record naming no commune at all is taken as the commune's. A registry extract's rows
    whose values cannot be used are listed in ``trich_xuat_dan_cu_can_sua.csv`` (file, row,
    column) and counted in the summary; ``registry_columns`` maps its headers like ``columns``.
    """
    out_dir = Path(out_dir)
    export = io.read_export(input, columns=columns, sheet=sheet)
    if commune is not None:
        export = io.keep_commune(export, commune, own_file=own_file)
    export = io.place_communes(export)
    if check_contracts:
        contracts.require(export.records, "platform_export", context=str(input))
        if len(export.doses):
            contracts.require(export.doses, "platform_export_doses", context=str(input))
    inputs = [{"role": "export", **_provenance(export.source)}]
    registry_frame = None
    if isinstance(registry, pd.DataFrame):
        registry_frame = registry
    elif registry is not None:
        extract = io.read_registry(registry, columns=registry_columns)
        registry_frame = extract.frame
        if check_contracts and len(registry_frame):
            contracts.require(registry_frame, "registry", context=str(registry))
        inputs.append(
            {
                "role": "registry",
                "path": str(registry),
                "sha256": io.file_sha256(registry),
                "rows_used": len(registry_frame),
                "rows_with_problems": int(extract.problems["row"].nunique()),
            }
        )
        if len(extract.problems):
            io.write_csv(out_dir / SCREEN.registry_problems, extract.problems)
    notes = {}
    if registry is not None and not isinstance(registry, pd.DataFrame):
        notes["registry_problems"] = {
            "n_rows": int(extract.problems["row"].nunique()),
            "list": SCREEN.registry_problems if len(extract.problems) else None,
        }
    return run_screen_export(export, out_dir, registry_frame, export_date, inputs, notes)


#: The name every caller knew S1 by (``vaxutils.screen.screen_file`` before the stages layer).
screen_file = run_screen


def run_screen_export(
    export: io.Export,
    out_dir: str | Path,
    registry: pd.DataFrame | None = None,
    export_date: date | None = None,
    inputs: list[dict] | None = None,
    notes: dict | None = None,
) -> ScreenResult:
    """Screen an export already read (a batch's share of a shared file) and write the screened
    folder; ``inputs`` is the provenance the summary records, ``notes`` more of the summary."""
    result = screen(export, registry=registry, export_date=export_date)
    result.summary["inputs"] = inputs or []
    result.summary["screened_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    result.summary["source_warnings"] = list(export.source.get("warnings", []))
    result.summary.update(notes or {})
    note_identity(export, result.summary, out_dir)
    write_screen(result, out_dir)
    return result


def note_identity(export: io.Export, summary: dict, out_dir: str | Path) -> None:
    """Say in the summary how records were placed in communes (and how the template's rows
    were keyed), and list the records left out in ``chua_xac_dinh_xa.csv``."""
    out_dir = Path(out_dir)
    identity = dict(export.source.get("commune_identity", {}))
    if export.source.get("commune"):
        identity["commune"] = export.source["commune"]
    unplaced = export.unplaced
    if unplaced is not None and len(unplaced):
        identity["list"] = SCREEN.unplaced
        io.write_csv(out_dir / SCREEN.unplaced, unplaced)
    summary["commune_identity"] = identity
    if export.source.get("record_key"):
        summary["record_key"] = export.source["record_key"]


def _provenance(source: dict) -> dict:
    keys = ("path", "sha256", "sheet", "header_row", "layout", "read_at")
    return {k: (str(source[k]) if source.get(k) is not None else None) for k in keys if k in source}


def write_screen(result: ScreenResult, out_dir: str | Path) -> None:
    """Write the stage files of a screening run, each atomically."""
    out_dir = Path(out_dir)
    io.write_csv(out_dir / SCREEN.findings_csv, result.findings)
    io.write_parquet(out_dir / SCREEN.findings, result.findings)
    io.write_parquet(out_dir / SCREEN.records, result.records)
    io.write_parquet(out_dir / SCREEN.doses, result.doses)
    io.write_json(out_dir / SCREEN.summary, result.summary)


def load_screen(folder: str | Path, also: tuple[str, ...] = ()) -> ScreenResult:
    """Records, findings, doses and summary written by ``vaxutils screen --out folder``.

    Records and findings (and the files in ``also``) must be there; ``doses`` is None and the
    summary empty when the folder has none.
    """
    folder = Path(folder)
    missing = missing_files(folder, (*SCREEN.required, *also))
    if missing:
        raise StageFolderMissing(
            f"Thư mục '{folder}' không có kết quả sàng lọc ({', '.join(missing)}): chạy "
            f"'vaxutils screen <tệp xuất> --out {folder}' trước. / '{folder}' holds no screening "
            "results: run 'vaxutils screen' first."
        )
    summary_path = folder / SCREEN.summary
    summary = json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.is_file() else {}
    doses_path = folder / SCREEN.doses
    return ScreenResult(
        findings=io.read_parquet(folder / SCREEN.findings),
        records=io.read_parquet(folder / SCREEN.records),
        doses=io.read_parquet(doses_path) if doses_path.is_file() else None,
        summary=summary,
    )


def export_date(screened: ScreenResult, given: date | None = None, default=None) -> date | None:
    """``given``, else the export date screening used, else ``default``: the day a later step
    judges ages and intervals on."""
    if given is not None:
        return given
    if "export_date" in screened.summary:
        return date.fromisoformat(screened.summary["export_date"])
    return default
