"""Helpers for the analyst notebook: filter findings and follow one person's full history.

>>> import pandas as pd
>>> f = pd.DataFrame({"record_id": ["A", "B"], "category": ["dose", "missing_id"],
...                   "code": ["dose_too_early", "id_missing"], "severity": ["error", "error"]})
>>> filter_findings(f, category="dose")["record_id"].tolist()
['A']
"""

from __future__ import annotations

import pandas as pd


def filter_findings(
    findings: pd.DataFrame,
    category: str | list[str] | None = None,
    code: str | list[str] | None = None,
    village: str | list[str] | None = None,
    records: pd.DataFrame | None = None,
    include_info: bool = False,
) -> pd.DataFrame:
    """Findings matching every given filter (a value or a list of values; None = any).

    ``village`` needs ``records`` (findings do not carry the village).
    """

    def as_list(value: str | list[str]) -> list[str]:
        return [value] if isinstance(value, str) else list(value)

    keep = pd.Series(True, index=findings.index)
    if not include_info:
        keep &= findings["severity"].isin(["error", "warning"])
    if category is not None:
        keep &= findings["category"].isin(as_list(category))
    if code is not None:
        keep &= findings["code"].isin(as_list(code))
    if village is not None and records is not None:
        ids = records.loc[records["village"].isin(as_list(village)), "record_id"]
        keep &= findings["record_id"].isin(ids)
    return findings[keep]


def person_history(
    record_id: str, records: pd.DataFrame, doses: pd.DataFrame, findings: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """Everything about one record: the record, its doses in order, its findings (all severities).

    Records of the same person (its duplicate group) are included in ``records``.
    """
    own = findings[findings["record_id"] == record_id]
    related = own["related"].dropna().astype("string").str.split(r"\s*[,;]\s*").explode()
    ids = {record_id, *related.dropna().tolist()}
    person_doses = doses[doses["record_id"].isin(ids)]
    sort_by = [c for c in ("record_id", "dose_date", "dose_number") if c in person_doses]
    return {
        "records": records[records["record_id"].isin(ids)],
        "doses": person_doses.sort_values(sort_by, kind="stable"),
        "findings": findings[findings["record_id"].isin(ids)],
    }
