"""Step S2: the review workbook for the village teams (out), and the workbook they return (in),
checked and written as the review folder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from vaxutils.contracts import ContractResult
from vaxutils.screen.engine import ScreenResult
from vaxutils.stage_files import REVIEW
from vaxutils.stages.checks import checked_problems, read_returned, write_returned
from vaxutils.stages.screen import export_date
from vaxutils.workflow.review import read_review_workbook, review_sheets, write_review_workbook


@dataclass
class ReviewOut:
    """The workbook written and its sheets (village → the rows to review)."""

    path: Path
    sheets: dict[str, pd.DataFrame]


def run_review_out(
    screened: ScreenResult,
    out: str | Path,
    commune: str | None = None,
    made_on: date | None = None,
) -> ReviewOut:
    """Write the review workbook ``out`` (one sheet per village) from a screening run."""
    sheets = review_sheets(screened.records, screened.findings)
    path = write_review_workbook(
        out, screened.records, screened.findings, commune=commune, made_on=made_on, villages=sheets
    )
    return ReviewOut(path, sheets)


@dataclass
class ReviewStage:
    """The review folder: ``review`` (the village_review table), ``changes`` (the change log),
    ``problems`` (severity, sheet, row, column, record id, value, message; None when a folder has
    no list), ``checked`` (the contract, when it was checked on this run)."""

    review: pd.DataFrame
    changes: pd.DataFrame | None
    problems: pd.DataFrame | None
    checked: ContractResult | None = None
    undecided_allowed: bool = False

    @property
    def ok(self) -> bool:
        """No error, the contract kept, and every row decided (unless allowed)."""
        errors = self.problems is not None and self.problems["severity"].eq("error").any()
        failed = self.checked is not None and not self.checked.success
        undecided = self.review["decision"].isna().any() and not self.undecided_allowed
        return not (errors or failed or undecided)


def run_review_in(
    workbook: str | Path,
    screened: ScreenResult,
    out: str | Path,
    export_day: date | None = None,
    allow_undecided: bool = False,
    check_contracts: bool = True,
) -> ReviewStage:
    """Read the returned workbook against the screening that made it, check every row and the
    ``village_review`` contract, and write the review folder ``out``.

    The day ages are judged on is ``export_day``, else screening's export date. An undecided row
    is an error (it goes back to its village) unless ``allow_undecided``.
    """
    workbook, out = Path(workbook), Path(out)
    result = read_review_workbook(
        workbook, screened.records, screened.findings, export_date=export_date(screened, export_day)
    )
    problems, checked = result.problems, None
    if check_contracts:
        params = {"min_decided_share": 0.0} if allow_undecided else None
        problems, checked = checked_problems(
            result.review,
            "village_review",
            problems,
            workbook.name,
            params,
            context=f"sổ rà soát {workbook.name}",
        )
    if not allow_undecided:
        # an undecided row must go back to its village (unless --allow-undecided): an error
        undecided_rows = problems["message"].str.startswith("Chưa có kết luận").fillna(False)
        problems = problems.assign(severity=problems["severity"].mask(undecided_rows, "error"))
    write_returned(out, REVIEW, result.review, result.changes, problems)
    return ReviewStage(result.review, result.changes, problems, checked, allow_undecided)


def load_review(folder: str | Path) -> ReviewStage:
    """The review folder written by ``vaxutils review in --out folder``."""
    return ReviewStage(*read_returned(Path(folder), REVIEW))
