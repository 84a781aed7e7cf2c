"""Counts that describe a screening run: per S1 list, per code, per village (for summary.json)."""

from __future__ import annotations

import pandas as pd

from vaxutils.schema import CATEGORIES


def summarize(findings: pd.DataFrame, records: pd.DataFrame, doses: pd.DataFrame) -> dict:
    """Headline numbers and counts; only error and warning findings count as problems.

    ``records_per_category`` counts distinct records on each list (a record can be on several).
    """
    problems = findings[findings["severity"].isin(["error", "warning"])]
    per_category = problems.drop_duplicates(["record_id", "category"])["category"].value_counts()
    by_village = (
        records.assign(village=records["village"].fillna("(không rõ)"))
        .groupby("village", dropna=False)["status"]
        .value_counts()
        .unstack(fill_value=0)
    )
    return {
        "n_records": int(len(records)),
        "n_doses": int(len(doses)),
        "n_records_with_errors": int((records["status"] == "needs_fix").sum()),
        "n_records_needing_review": int((records["status"] == "needs_review").sum()),
        "n_records_ok": int((records["status"] == "ok").sum()),
        "records_per_category": {
            c: int(per_category.get(c, 0)) for c in CATEGORIES if c != "normalized"
        },
        "findings_per_category": {
            str(k): int(v) for k, v in findings["category"].value_counts().items()
        },
        "findings_per_code": {str(k): int(v) for k, v in findings["code"].value_counts().items()},
        "findings_per_severity": {
            str(k): int(v) for k, v in findings["severity"].value_counts().items()
        },
        "records_per_village": {
            str(village): {str(k): int(v) for k, v in row.items()}
            for village, row in by_village.iterrows()
        },
    }
