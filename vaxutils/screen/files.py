"""Screen a file and write the stage files (findings, records, doses, summary) into a folder."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from vaxutils import contracts, io
from vaxutils.screen.engine import ScreenResult, screen


def read_registry(path: str | Path) -> pd.DataFrame:
    """A population-database extract from Parquet, CSV or Excel (all cells as text)."""
    path = Path(path)
    if not path.exists():
        raise io.IngestError(
            f"Không tìm thấy tệp trích xuất CSDL dân cư: {path}. Kiểm tra lại đường dẫn --registry."
            f" / Registry file not found: {path}."
        )
    if path.suffix.lower() == ".parquet":
        return pd.read_parquet(path)
    return io.read_table(path)


def screen_file(
    input: str | Path,
    out_dir: str | Path,
    columns: str | Path | dict | None = None,
    registry: str | Path | pd.DataFrame | None = None,
    export_date: date | None = None,
    sheet: str | None = None,
    check_contracts: bool = True,
) -> ScreenResult:
    """Read a platform export, screen it and write the results into ``out_dir``.

    Writes ``findings.csv``, ``findings.parquet``, ``records.parquet``, ``doses.parquet`` and
    ``summary.json`` (with the input files' SHA-256). The input file is never modified.
    When ``check_contracts`` is true the export is validated against the ``platform_export``
    contract first, and a failure stops with its summary (:class:`vaxutils.contracts.ContractError`).
    """
    out_dir = Path(out_dir)
    export = io.read_export(input, columns=columns, sheet=sheet)
    if check_contracts:
        contracts.require(export.records, "platform_export", context=str(input))
        if len(export.doses):
            contracts.require(export.doses, "platform_export_doses", context=str(input))
    inputs = [{"role": "export", **_provenance(export.source)}]
    registry_frame = None
    if isinstance(registry, pd.DataFrame):
        registry_frame = registry
    elif registry is not None:
        registry_frame = read_registry(registry)
        if check_contracts:
            contracts.require(registry_frame, "registry", context=str(registry))
        inputs.append(
            {"role": "registry", "path": str(registry), "sha256": io.file_sha256(registry)}
        )
    result = screen(export, registry=registry_frame, export_date=export_date)
    result.summary["inputs"] = inputs
    result.summary["screened_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    result.summary["source_warnings"] = list(export.source.get("warnings", []))
    write_results(result, out_dir)
    return result


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
