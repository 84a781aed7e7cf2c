"""Screen a file and write the stage files (findings, records, doses, summary) into a folder."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from vaxutils import contracts, io
from vaxutils.screen.engine import ScreenResult, screen

UNPLACED_FILE = "chua_xac_dinh_xa.csv"
REGISTRY_PROBLEMS_FILE = "trich_xuat_dan_cu_can_sua.csv"


def read_registry(path: str | Path, columns: str | Path | dict | None = None) -> pd.DataFrame:
    """The usable rows of a population-database extract (Parquet, CSV or Excel, Vietnamese
    headers; see :func:`vaxutils.io.read_registry`)."""
    return io.read_registry(path, columns=columns).frame


def screen_file(
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
            io.write_csv(out_dir / REGISTRY_PROBLEMS_FILE, extract.problems)
    result = screen(export, registry=registry_frame, export_date=export_date)
    result.summary["inputs"] = inputs
    result.summary["screened_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    result.summary["source_warnings"] = list(export.source.get("warnings", []))
    if registry is not None and not isinstance(registry, pd.DataFrame):
        result.summary["registry_problems"] = {
            "n_rows": int(extract.problems["row"].nunique()),
            "list": REGISTRY_PROBLEMS_FILE if len(extract.problems) else None,
        }
    note_identity(export, result.summary, out_dir)
    write_results(result, out_dir)
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
        identity["list"] = UNPLACED_FILE
        io.write_csv(out_dir / UNPLACED_FILE, unplaced)
    summary["commune_identity"] = identity
    if export.source.get("record_key"):
        summary["record_key"] = export.source["record_key"]


def _provenance(source: dict) -> dict:
    keys = ("path", "sha256", "sheet", "header_row", "layout", "read_at")
    return {k: (str(source[k]) if source.get(k) is not None else None) for k in keys if k in source}


def write_results(result: ScreenResult, out_dir: str | Path) -> None:
    """Write the stage files of a screening run, each atomically."""
    out_dir = Path(out_dir)
    io.write_csv(out_dir / "findings.csv", result.findings)
    io.write_parquet(out_dir / "findings.parquet", result.findings)
    io.write_parquet(out_dir / "records.parquet", result.records)
    io.write_parquet(out_dir / "doses.parquet", result.doses)
    io.write_json(out_dir / "summary.json", result.summary)
