"""The screening engine (step S1): every check on one commune's export, as one findings table.

Compute only: :func:`screen` takes what :func:`vaxutils.io.read_export` read and returns data;
writing files is :mod:`vaxutils.stages.screen`' job.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from vaxutils import reconcile
from vaxutils.screen.doses import dose_issues, prepare_doses
from vaxutils.screen.duplicates import DOSE_SUMMARY_COLUMNS, duplicate_groups, duplicate_issues
from vaxutils.screen.findings import build_findings, positions_in, record_status
from vaxutils.screen.persons import (
    conflict_issues,
    merged_issues,
    prepare_persons,
    record_issues,
)
from vaxutils.screen.summary import summarize


@dataclass
class ScreenResult:
    """What screening found: the findings table, the records with their status, the doses, a summary."""

    findings: pd.DataFrame
    records: pd.DataFrame
    doses: pd.DataFrame
    summary: dict = field(default_factory=dict)


def dose_summary(doses: pd.DataFrame, record_ids: pd.Series) -> pd.DataFrame:
    """Per record (aligned with ``record_ids``): first and last dose date, lowest and highest dose
    number, smallest gap in days between two dated doses — what the duplicate rules read
    (:data:`vaxutils.screen.duplicates.DOSE_SUMMARY_COLUMNS`)."""
    dated = doses[["record_id", "dose_date", "dose_number"]].dropna(subset=["record_id"])
    by = dated.groupby("record_id", sort=False)
    table = pd.DataFrame(
        {
            "first_dose_date": by["dose_date"].min(),
            "last_dose_date": by["dose_date"].max(),
            "min_dose_number": by["dose_number"].min(),
            "max_dose_number": by["dose_number"].max(),
        }
    )
    ordered = dated.dropna(subset=["dose_date"]).sort_values(["record_id", "dose_date"])
    gap = ordered["dose_date"].diff().dt.days
    gap = gap.where(ordered["record_id"].eq(ordered["record_id"].shift()).to_numpy())
    table["min_dose_gap_days"] = gap.groupby(ordered["record_id"].to_numpy()).min()
    out = table.reindex(record_ids.to_numpy())
    out.index = record_ids.index
    return out[list(DOSE_SUMMARY_COLUMNS)].drop(columns="first_dose_date")


def screen(
    export,
    registry: pd.DataFrame | None = None,
    export_date: date | None = None,
) -> ScreenResult:
    """Screen one export (an :class:`vaxutils.io.Export`): findings per record, in the S1 lists.

    ``registry`` is a population-database extract (see :mod:`vaxutils.reconcile`); when given, ID, name,
    birth date and sex are also compared with the matched person. ``export_date`` is the day the data
    was exported (doses and births after it are in the future); default: today.
    """
    export_date = export_date or date.today()
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 4)
        clock = now

    records = export.records.reset_index(drop=True)
    doses = prepare_doses(export.doses)
    # One grouping of the doses by record (its hashing of ids is cached), used twice.
    doses_by_record = doses.groupby("record_id")
    first_dose = doses_by_record["dose_date"].min()
    persons = prepare_persons(records, first_dose)
    lap("prepare")

    row_issues = record_issues(records, persons, today=export_date)
    row_issues["record_id"] = persons["record_id"].reindex(row_issues["row"].to_numpy()).to_numpy()
    row_issues["source_row"] = (
        persons["source_row"].reindex(row_issues["row"].to_numpy()).to_numpy()
    )
    lap("records")
    parts = [
        row_issues.drop(columns="row"),
        conflict_issues(export.conflicts, persons["record_id"]),
    ]
    filled = getattr(export, "filled", None)  # an Export pickled before merged cells were filled
    if filled is not None and len(filled):
        parts.append(merged_issues(filled, persons["record_id"]))
    # duplicates first: a person's doses are judged on the merged history of their records
    linked = persons.join(dose_summary(doses, persons["record_id"]))
    groups = duplicate_groups(linked)
    lap("duplicates")
    person_of = pd.Series(groups["person_group"].to_numpy(), index=persons["record_id"].to_numpy())
    parts.append(dose_issues(doses, persons, pd.Timestamp(export_date), groups=person_of))
    lap("doses")
    parts.append(duplicate_issues(linked, groups=groups))
    lap("duplicate_findings")
    if registry is not None:
        reg = reconcile.prepare_registry(registry)
        matches = reconcile.match_registry(persons, reg)
        parts.append(reconcile.registry_issues(persons, reg, matches))
        lap("registry")
    parts = [p for p in parts if not p.empty]
    issues = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["code"])
    findings = build_findings(issues)
    lap("findings")

    status = record_status(persons["record_id"], findings)
    out_records = persons.join(status.drop(columns="record_id"))
    # One hash lookup per record (not a .map of strings); records without doses have none.
    dose_counts = doses_by_record.size()
    at = positions_in(out_records["record_id"], dose_counts.index)
    out_records["n_doses"] = np.append(dose_counts.to_numpy(dtype="int64"), 0)[at]
    lap("status")
    summary = summarize(findings, out_records, doses)
    lap("summary")
    summary["export_date"] = export_date.isoformat()
    summary["timings_s"] = timings
    return ScreenResult(findings=findings, records=out_records, doses=doses, summary=summary)
