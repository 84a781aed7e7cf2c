"""Step S6: after the platform was updated, screen the new export and compare it with the last one.

Records are matched by their platform record id. Each gets a status a health station can act on:

=====================  ==========================================================================
``đã sửa``             had problems, has none now
``còn sai``            still has (some of) the problems it had, and no new one
``có lỗi mới``         has a problem it did not have (an edit went wrong, or new data came in)
``ổn``                 no problem before or now
``bản ghi mới``        not in the last export
``không còn``          in the last export, not in this one
=====================  ==========================================================================

A problem is a finding of severity error or warning (automatic normalisations do not count), by
its code. The summary gives the counts per status and per S1 list, and the pace needed to finish
before the Ministry's deadline (1 June 2022).

>>> before = pd.DataFrame({"record_id": ["A", "B"], "category": ["missing_id"] * 2,
...                        "code": ["id_missing"] * 2, "severity": ["error"] * 2})
>>> after = pd.DataFrame({"record_id": ["B", "C"], "category": ["missing_id", "personal_info"],
...                       "code": ["id_missing", "sex_missing"], "severity": ["error", "warning"]})
>>> compare_screenings(before, after, ["A", "B", "C"], ["A", "B", "C"])["status"].tolist()
['đã sửa', 'còn sai', 'có lỗi mới']
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from vaxutils.schema import CATEGORY_LABELS_VI

DEADLINE = date(2022, 6, 1)  # Công văn 2262/BYT-CNTT: clean before 1 June 2022
FIXED, STILL_WRONG, NEW_PROBLEM, OK, NEW_RECORD, GONE = (
    "đã sửa",
    "còn sai",
    "có lỗi mới",
    "ổn",
    "bản ghi mới",
    "không còn",
)
STATUSES: tuple[str, ...] = (FIXED, STILL_WRONG, NEW_PROBLEM, OK, NEW_RECORD, GONE)
VERIFY_COLUMNS = ("record_id", "status", "problems_before", "problems_now", "new_problems")


def _problems(findings: pd.DataFrame) -> pd.DataFrame:
    """(record_id, code) of every problem, once."""
    wanted = findings["severity"].isin(["error", "warning"]) & findings["category"].ne("normalized")
    pairs = findings.loc[wanted, ["record_id", "code"]].dropna().astype("string")
    return pairs.drop_duplicates()


def _codes_per_record(pairs: pd.DataFrame) -> pd.Series:
    # one join per record with problems (thousands per commune), never per finding
    return pairs.sort_values("code").groupby("record_id")["code"].agg(", ".join)


def compare_screenings(
    findings_before: pd.DataFrame,
    findings_now: pd.DataFrame,
    records_before,
    records_now,
) -> pd.DataFrame:
    """One row per record of either screening: its status and its problem codes before and now.

    ``records_*`` are the record ids of each screening (a record without findings is in them only).
    """
    before, now = _problems(findings_before), _problems(findings_now)
    ids_before = pd.Index(pd.Series(records_before, dtype="string").dropna().unique())
    ids_now = pd.Index(pd.Series(records_now, dtype="string").dropna().unique())
    every = ids_before.union(ids_now, sort=False)
    merged = before.merge(now, on=["record_id", "code"], how="outer", indicator=True)
    new_codes = merged[merged["_merge"] == "right_only"]
    table = pd.DataFrame(
        {
            "record_id": every,
            "problems_before": _codes_per_record(before).reindex(every).to_numpy(),
            "problems_now": _codes_per_record(now).reindex(every).to_numpy(),
            "new_problems": _codes_per_record(new_codes).reindex(every).to_numpy(),
        }
    ).astype("string")
    in_before, in_now = every.isin(ids_before), every.isin(ids_now)
    had, has = table["problems_before"].notna(), table["problems_now"].notna()
    new = table["new_problems"].notna()
    status = np.select(
        [~in_now, ~in_before, new, had & ~has, has],
        [GONE, NEW_RECORD, NEW_PROBLEM, FIXED, STILL_WRONG],
        default=OK,
    )
    table["status"] = pd.array(status, dtype="string")
    order = pd.Categorical(table["status"], list(STATUSES), ordered=True)
    table = table.assign(_order=order).sort_values(["_order", "record_id"], kind="stable")
    return table.drop(columns="_order")[list(VERIFY_COLUMNS)].reset_index(drop=True)


def _records_per_list(findings: pd.DataFrame) -> dict[str, int]:
    wanted = findings["severity"].isin(["error", "warning"]) & findings["category"].ne("normalized")
    counts = findings[wanted].drop_duplicates(["record_id", "category"])["category"].value_counts()
    return {c: int(counts.get(c, 0)) for c in CATEGORY_LABELS_VI if c != "normalized"}


def progress(
    comparison: pd.DataFrame,
    findings_before: pd.DataFrame,
    findings_now: pd.DataFrame,
    export_date: date | None,
    deadline: date = DEADLINE,
) -> dict:
    """Counts per status and per list (before, now), and the pace needed to meet ``deadline``."""
    counts = comparison["status"].value_counts()
    with_problems = int(comparison["problems_now"].notna().sum())
    had = int(comparison["problems_before"].notna().sum())
    days_left = (deadline - export_date).days if export_date else None
    return {
        "statuses": {s: int(counts.get(s, 0)) for s in STATUSES},
        "records_with_problems_before": had,
        "records_with_problems_now": with_problems,
        "fixed_share": round(int(counts.get(FIXED, 0)) / had, 4) if had else None,
        "per_list_before": _records_per_list(findings_before),
        "per_list_now": _records_per_list(findings_now),
        "export_date": export_date.isoformat() if export_date else None,
        "deadline": deadline.isoformat(),
        "days_left": days_left,
        "records_per_day_needed": (
            round(with_problems / days_left, 1) if days_left and days_left > 0 else None
        ),
    }
