"""Steps S3–S4: the list the commune police check against the population database (out), and
the signed list they return (in), checked, kept as evidence and written as the police folder."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from vaxutils import io
from vaxutils.contracts import ContractResult
from vaxutils.screen.engine import ScreenResult
from vaxutils.stage_files import POLICE
from vaxutils.stages.checks import checked_problems, read_returned, write_returned
from vaxutils.stages.screen import export_date
from vaxutils.workflow.police import keep_evidence, police_sent, read_police_list, write_police_list


@dataclass
class PoliceOut:
    """The list written and how many people are on it."""

    path: Path
    n_sent: int


def run_police_out(
    screened: ScreenResult,
    out: str | Path,
    review: pd.DataFrame | None = None,
    commune: str | None = None,
) -> PoliceOut:
    """Write the police list ``out``: every reviewed record (``review``), else screening's lists."""
    path = write_police_list(out, screened.records, screened.findings, review, commune=commune)
    return PoliceOut(path, len(police_sent(screened.findings, review)))


@dataclass
class PoliceStage:
    """The police folder: ``verified`` (the police_verified table), ``changes``, ``problems``,
    ``signoff`` (S4: who signed, when, the list's SHA-256, counts, the evidence copy),
    ``checked`` (the contract, when it was checked on this run)."""

    verified: pd.DataFrame
    changes: pd.DataFrame | None
    problems: pd.DataFrame | None
    signoff: dict
    checked: ContractResult | None = None

    @property
    def ok(self) -> bool:
        """No error and the contract kept."""
        errors = self.problems is not None and self.problems["severity"].eq("error").any()
        return not (errors or (self.checked is not None and not self.checked.success))


def run_police_in(
    workbook: str | Path,
    screened: ScreenResult,
    out: str | Path,
    review: pd.DataFrame | None = None,
    export_day: date | None = None,
    check_contracts: bool = True,
) -> PoliceStage:
    """Read the signed list against the screening (and review) that made it, keep a copy of it
    under its hash, check the ``police_verified`` contract and write the police folder ``out``."""
    workbook, out = Path(workbook), Path(out)
    result = read_police_list(
        workbook,
        screened.records,
        screened.findings,
        review,
        export_date=export_date(screened, export_day),
    )
    out.mkdir(parents=True, exist_ok=True)
    evidence = keep_evidence(workbook, out / POLICE.evidence, result.signoff["sha256"])
    signoff = {**result.signoff, "evidence": str(evidence.relative_to(out))}
    io.write_json(out / POLICE.signoff, signoff)
    problems, checked = result.problems, None
    if check_contracts:
        problems, checked = checked_problems(
            result.verified, "police_verified", problems, workbook.name
        )
    write_returned(out, POLICE, result.verified, result.changes, problems)
    return PoliceStage(result.verified, result.changes, problems, signoff, checked)


def load_police(folder: str | Path) -> PoliceStage:
    """The police folder written by ``vaxutils police in --out folder``."""
    folder = Path(folder)
    signoff = folder / POLICE.signoff
    return PoliceStage(
        *read_returned(folder, POLICE),
        json.loads(signoff.read_text(encoding="utf-8")) if signoff.is_file() else {},
    )
