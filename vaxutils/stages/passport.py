"""Step S7: each facility's doses to sign on a day, the backlog, the certificate payloads, and
the signing ledger, written as the passport folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from vaxutils import contracts, io
from vaxutils.passport import dcc, ledger, passport_worklist, write_passport_workbook
from vaxutils.screen.engine import ScreenResult
from vaxutils.stage_files import PASSPORT, SCREEN, StageFolderMissing, require_file
from vaxutils.stages.screen import export_date


@dataclass
class PassportStage:
    """``full`` (every dose judged: ready or blocked and why), ``worklist`` (without the doses
    the ledger says were signed), ``backlog`` (ready doses not yet signed, by age), the
    ``work_date``, the ``workbook`` written and ``checked`` (the contract, when checked)."""

    full: pd.DataFrame
    worklist: pd.DataFrame
    backlog: pd.DataFrame
    work_date: date
    workbook: Path
    checked: contracts.ContractResult | None = None

    @property
    def ok(self) -> bool:
        return self.checked is None or self.checked.success


def run_passport(
    screened: ScreenResult,
    out: str | Path,
    work_day: date | None = None,
    since: date | None = None,
    merges: pd.DataFrame | None = None,
    sites: pd.DataFrame | None = None,
    check_contracts: bool = True,
) -> PassportStage:
    """The doses to sign on ``work_day`` (default: screening's export date, else today) per
    facility, written into the passport folder ``out`` with the backlog; doses already in the
    folder's ledger are left out. ``merges`` (S5's ``gop_trung.csv``) makes records pending a
    merge one person; ``sites`` maps facilities to levels (``facility``, ``level``)."""
    out = Path(out)
    if screened.doses is None:
        raise StageFolderMissing(
            f"Kết quả sàng lọc không có {SCREEN.doses}: chạy lại '{SCREEN.command}'. / The "
            "screening results hold no doses: run 'vaxutils screen' again."
        )
    work_date = export_date(screened, work_day, default=date.today())
    full = passport_worklist(
        screened.doses,
        screened.records,
        screened.findings,
        work_date=work_date,
        since=since,
        merges=merges,
        sites=sites,
    )
    # doses the ledger says were signed are off the list; the backlog counts what is left
    signing = ledger.read_ledger(out)
    backlog = ledger.backlog_table(full, signing, work_date)
    worklist = ledger.leave_out_signed(full, signing)
    out.mkdir(parents=True, exist_ok=True)
    day = f"{work_date:%Y%m%d}"
    workbook = write_passport_workbook(out / PASSPORT.worklist(day, "xlsx"), worklist)
    io.write_parquet(out / PASSPORT.worklist(day, "parquet"), worklist)
    io.write_csv(out / PASSPORT.worklist(day, "csv"), worklist)
    io.write_csv(out / PASSPORT.backlog(day), backlog)
    checked = None
    if check_contracts:
        checked = contracts.validate(worklist, "passport_worklist", context=workbook.name)
    return PassportStage(full, worklist, backlog, work_date, workbook, checked)


def run_passport_workbook(
    screened: ScreenResult, folder: str | Path, work_day: date | None = None
) -> Path:
    """Only the workbook of the doses to sign (a batch's commune folder, beside its report):
    ``ky_ho_chieu_<yyyymmdd>.xlsx`` for ``work_day`` (default today)."""
    day = work_day or datetime.now(UTC).date()
    worklist = passport_worklist(screened.doses, screened.records, screened.findings, work_date=day)
    return write_passport_workbook(
        Path(folder) / PASSPORT.worklist(f"{day:%Y%m%d}", "xlsx"), worklist
    )


@dataclass
class Certificates:
    """Payloads written (``good``), those the DCC schema refused (``problems``, one row per
    problem with facility, record and dose) and the JSON Lines files."""

    good: pd.DataFrame
    problems: pd.DataFrame
    files: list[Path] = field(default_factory=list)
    n_refused: int = 0


def run_certificates(screened: ScreenResult, stage: PassportStage, out: str | Path) -> Certificates:
    """The certificate payloads (EU DCC 1.3) of the ready doses, checked against the DCC schema,
    as ``chung_nhan/<yyyymmdd>/<facility>.jsonl``; those that fail are listed, never written."""
    out = Path(out)
    payloads = dcc.certificate_payloads(
        stage.worklist, screened.doses, screened.records, screened.findings
    )
    problems = dcc.column_problems(payloads)
    checked = dcc.schema_problems(payloads)
    problems = problems.merge(checked, how="outer") if len(checked) else problems
    bad = problems["row"].astype("int64").unique() if len(problems) else []
    good = payloads.drop(index=payloads.index[bad]) if len(bad) else payloads
    files = dcc.write_payload_files(out / PASSPORT.certificates, good)
    listed = problems.iloc[0:0]
    if len(bad):
        rows = payloads.iloc[bad][["facility", "record_id", "dose_number"]].reset_index(drop=True)
        listed = problems.merge(rows.assign(row=bad), on="row").drop(columns="row")
        io.write_csv(out / PASSPORT.certificate_problems, listed)
    return Certificates(good, listed, files, len(bad))


@dataclass
class Signed:
    """The doses recorded (``signed``), the rows that could not be (``problems``), the ledger."""

    signed: pd.DataFrame
    problems: pd.DataFrame
    book: pd.DataFrame


def run_signed(
    signed_file: str | Path, out: str | Path, day: date | None = None, facility: str | None = None
) -> Signed:
    """Add what a facility signed (its returned list, or a CSV of record id and dose) to the
    ledger of the passport folder ``out``; a dose on none of the lists given out is a problem."""
    out = Path(out)
    signed, problems = ledger.read_signed(signed_file, signed_on=day, facility=facility)
    lists = sorted(out.glob(PASSPORT.worklist_glob)) if out.is_dir() else []
    if lists and len(signed):
        # a dose that was on none of the lists given to the facilities cannot have been signed from them
        listed = pd.concat([io.read_parquet(p)[["record_id", "dose_number"]] for p in lists])
        key = pd.MultiIndex.from_frame(
            listed.astype({"record_id": "string", "dose_number": "Int64"})
        )
        known = pd.MultiIndex.from_frame(signed[["record_id", "dose_number"]]).isin(key)
        for row in signed[~known].itertuples(index=False):
            problems.loc[len(problems)] = [None, None, "Mã đối tượng", f"{row.record_id} mũi {row.dose_number}",
                                           "Mũi này không có trong danh sách ký nào đã gửi: kiểm tra mã đối tượng và số mũi."]  # fmt: skip
        signed = signed[known]
    book = ledger.record_signed(ledger.read_ledger(out), signed)
    io.write_parquet(out / PASSPORT.ledger, book)
    io.write_csv(out / PASSPORT.ledger_csv, book)
    return Signed(signed, problems, book)


def load_passport(folder: str | Path, work_day: date) -> PassportStage:
    """The passport folder's list for ``work_day`` (written by ``vaxutils passport --out folder``)
    and its backlog; ``full`` is the list as written (signed doses already left out)."""
    folder = Path(folder)
    day = f"{work_day:%Y%m%d}"
    worklist = io.read_parquet(
        require_file(folder, PASSPORT.worklist(day, "parquet"), PASSPORT.command)
    )
    backlog = folder / PASSPORT.backlog(day)
    return PassportStage(
        worklist,
        worklist,
        pd.read_csv(backlog, encoding="utf-8-sig") if backlog.is_file() else pd.DataFrame(),
        work_day,
        folder / PASSPORT.worklist(day, "xlsx"),
    )
