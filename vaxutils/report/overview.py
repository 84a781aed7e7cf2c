"""District/province overview: communes side by side and progress towards the 1 June 2022 deadline.

Input is the run history a batch keeps (``runs.csv``: one row per commune and run, see
:func:`runs_row`). Pure functions, like :mod:`vaxutils.report.tables`.

>>> runs = pd.DataFrame([runs_row("01420", {"n_records": 10, "n_records_with_errors": 2,
...     "n_records_needing_review": 1, "export_date": "2022-05-10"}, "Xã Thượng Thôn")])
>>> commune_ranking_table(runs)[["commune_code", "problem_rate"]].values.tolist()
[['01420', 30.0]]
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from vaxutils.report.tables import PROBLEM_CATEGORIES

DEADLINE = pd.Timestamp("2022-06-01")
RUN_COLUMNS: tuple[str, ...] = (
    "run",
    "commune_code",
    "commune_name",
    "n_records",
    "n_needs_fix",
    "n_needs_review",
    "problem_rate",
    *PROBLEM_CATEGORIES,
)


def runs_row(commune_code: str, summary: dict, commune_name: str | None = None) -> dict:
    """One history row from a screening ``summary.json`` (the run is the data's export date)."""
    n = int(summary.get("n_records", 0))
    fix = int(summary.get("n_records_with_errors", 0))
    review = int(summary.get("n_records_needing_review", 0))
    per_list = summary.get("records_per_category", {})
    return {
        "run": str(summary.get("export_date") or summary.get("screened_at", ""))[:10],
        "commune_code": str(commune_code),
        "commune_name": commune_name or str(commune_code),
        "n_records": n,
        "n_needs_fix": fix,
        "n_needs_review": review,
        "problem_rate": round((fix + review) / n * 100, 1) if n else 0.0,
        **{c: int(per_list.get(c, 0)) for c in PROBLEM_CATEGORIES},
    }


def latest_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """The last run of each commune."""
    ordered = runs.sort_values(["commune_code", "run"], kind="stable")
    return ordered.drop_duplicates("commune_code", keep="last").reset_index(drop=True)


def commune_ranking_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Communes by problem rate of their latest run, worst first."""
    latest = latest_runs(runs)
    return latest.sort_values(
        ["problem_rate", "commune_code"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)[list(RUN_COLUMNS[1:])]


def totals_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Totals over the latest run of every commune (one row)."""
    latest = latest_runs(runs)
    totals = latest[["n_records", "n_needs_fix", "n_needs_review", *PROBLEM_CATEGORIES]].sum()
    row = {"commune_name": f"{len(latest)} xã", **{k: int(v) for k, v in totals.items()}}
    n = row["n_records"]
    row["problem_rate"] = (
        round((row["n_needs_fix"] + row["n_needs_review"]) / n * 100, 1) if n else 0.0
    )
    return pd.DataFrame([row])


def deadline_note(day: object) -> str:
    """One sentence: the data's export date and the days left before the 1 June 2022 deadline.

    >>> deadline_note("2022-05-15")
    'Dữ liệu xuất ngày 15/05/2022: còn 17 ngày đến hạn làm sạch 01/06/2022.'
    >>> deadline_note("2022-06-03"), deadline_note(None)
    ('Dữ liệu xuất ngày 03/06/2022: đã quá hạn làm sạch 01/06/2022 2 ngày.', 'Chưa rõ ngày xuất dữ liệu.')
    """
    when = pd.NaT
    if isinstance(day, str | date) and day != "":  # numbers would be read as epoch offsets
        try:
            when = pd.Timestamp(day)
        except (TypeError, ValueError):
            pass
    if pd.isna(when):
        return "Chưa rõ ngày xuất dữ liệu."
    left = (DEADLINE - when.normalize()).days
    head = f"Dữ liệu xuất ngày {when:%d/%m/%Y}: "
    if left > 0:
        return head + f"còn {left} ngày đến hạn làm sạch {DEADLINE:%d/%m/%Y}."
    if left == 0:
        return head + f"hôm nay là hạn làm sạch {DEADLINE:%d/%m/%Y}."
    return head + f"đã quá hạn làm sạch {DEADLINE:%d/%m/%Y} {-left} ngày."


def progress_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Every run of every commune in date order, with the days left before 1 June 2022."""
    table = runs.sort_values(["run", "commune_code"], kind="stable").reset_index(drop=True)
    table = table[
        ["run", "commune_code", "commune_name", "n_records", "n_needs_fix", "problem_rate"]
    ]
    return table.assign(days_to_deadline=(DEADLINE - pd.to_datetime(table["run"])).dt.days)


def has_progress(runs: pd.DataFrame) -> bool:
    """True when some commune has been run on more than one date (progress can be shown)."""
    return bool(len(runs)) and bool((runs.groupby("commune_code")["run"].nunique() > 1).any())
