"""What the returned lists (S2, S3–S4) share: their data contract checked, its failures made
problems of the list, and a step's problem list read back."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from vaxutils import contracts, io
from vaxutils.stage_files import ReturnedListFolder, require_file


def checked_problems(
    frame: pd.DataFrame,
    suite: str,
    problems: pd.DataFrame,
    file: str,
    params: dict | None = None,
    context: str | None = None,
) -> tuple[pd.DataFrame, contracts.ContractResult]:
    """``frame`` checked against ``suite``, and the problems with the contract's failures added
    (:func:`with_contract_problems`)."""
    checked = contracts.validate(frame, suite, params, context=context or file)
    return with_contract_problems(problems, checked, file), checked


def with_contract_problems(problems: pd.DataFrame, checked, file: str) -> pd.DataFrame:
    """The row checks cover the data contract; should the contract still fail where no row has an
    error, each failed rule becomes a problem of its own, so the list never reads "no errors"
    while the step fails."""
    if checked.success or problems["severity"].eq("error").any():
        return problems
    extra = pd.DataFrame(
        {
            "severity": "error",
            "sheet": pd.NA,
            "row": pd.NA,
            "column": [f.column for f in checked.failures],
            "record_id": pd.NA,
            "value": ["; ".join(f.examples) or pd.NA for f in checked.failures],
            "message": [
                f"Tệp {file} chưa đạt điều kiện: {f.description}" for f in checked.failures
            ],
        }
    )
    return pd.concat([problems, extra.astype(problems.dtypes.to_dict())], ignore_index=True)


def write_returned(
    out: Path,
    layout: ReturnedListFolder,
    table: pd.DataFrame,
    changes: pd.DataFrame,
    problems: pd.DataFrame,
) -> None:
    """A returned list's folder: its table (Parquet for the next step, CSV for people), the change
    log, the problems (both)."""
    out.mkdir(parents=True, exist_ok=True)
    io.write_parquet(out / layout.table, table)
    io.write_csv(out / layout.table_csv, table)
    io.write_csv(out / layout.changes, changes)
    io.write_csv(out / layout.problems_csv, problems)
    io.write_parquet(out / layout.problems_parquet, problems)


def read_returned(
    folder: Path, layout: ReturnedListFolder
) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
    """The table, change log and problems of a returned list's folder (the last two None when
    absent); the table must be there."""
    table = io.read_parquet(require_file(folder, layout.table, layout.command))
    changes = folder / layout.changes
    return (
        table,
        read_text_csv(changes) if changes.is_file() else None,
        read_problems(folder, layout.problems_stem),
    )


def read_problems(folder: Path, stem: str) -> pd.DataFrame | None:
    """The problems a returned list left (``<stem>.parquet``, else ``<stem>.csv``), or None."""
    if (folder / f"{stem}.parquet").is_file():
        return io.read_parquet(folder / f"{stem}.parquet")
    if (folder / f"{stem}.csv").is_file():
        return read_text_csv(folder / f"{stem}.csv")
    return None


def read_text_csv(path: Path) -> pd.DataFrame:
    """A CSV a step wrote (:func:`vaxutils.io.write_csv`), every cell as text; only an empty cell
    is missing (a name or a note reading "NA" or "None" stays what it is)."""
    return pd.read_csv(path, dtype="string", encoding="utf-8-sig", keep_default_na=False).replace(
        "", pd.NA
    )
