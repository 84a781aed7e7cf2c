"""What changed in a returned list: the changed fields, the corrected records screened again, and
the change log of DESIGN §3.3."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pandas as pd

from vaxutils.io import Export
from vaxutils.screen import screen
from vaxutils.workflow.returned.rows import Problems
from vaxutils.workflow.returned.values import CORRECTABLE_FIELDS

CHANGE_COLUMNS = (
    "record_id",
    "field",
    "old_value",
    "new_value",
    "source",
    "who",
    "when",
    "sheet",
    "sheet_row",
)


def changed_fields(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Which person field of each row changed (a value where there was none counts)."""
    return pd.DataFrame(
        {
            f: after[f].ne(before[f]).fillna(after[f].notna()).to_numpy(dtype=bool)
            for f in CORRECTABLE_FIELDS
        },
        index=after.index,
    )


def rescreen(
    rows: pd.DataFrame,
    after: pd.DataFrame,
    changed: pd.DataFrame,
    export_date: date | None,
    problems: Problems,
    label_of: dict[str, str],
    strict: np.ndarray | None = None,
) -> None:
    """Screen every changed record again; what is still wrong goes back to whoever changed it.

    ``label_of`` gives the column where each person field was corrected. A problem on a changed
    field keeps screening's severity; one on a field nobody touched is a warning, except on the
    ``strict`` rows (screened even when unchanged): whoever answered "fix" vouches for the whole
    record, so its errors stay errors (what the step's data contract requires).
    """
    strict = np.zeros(len(rows), dtype=bool) if strict is None else np.asarray(strict, dtype=bool)
    fixed = changed.any(axis=1).to_numpy() | strict
    if not fixed.any():
        return
    records = after.loc[fixed, list(CORRECTABLE_FIELDS)].assign(
        record_id=rows.loc[fixed, "record_id"].to_numpy(),
        source_row=np.flatnonzero(fixed),  # position in ``rows``, to find the row again
    )
    found = screen(Export(records=records, doses=pd.DataFrame()), export_date=export_date).findings
    found = found[
        found["severity"].isin(["error", "warning"])
        & found["field"].isin(CORRECTABLE_FIELDS)
        & found["category"].isin(["missing_id", "id_format", "personal_info"])
    ]
    at = found["source_row"].to_numpy(dtype=np.int64)
    touched = changed.to_numpy()[at, [list(CORRECTABLE_FIELDS).index(f) for f in found["field"]]]
    for i, row in enumerate(found.itertuples(index=False)):  # a handful per commune
        where = (rows["sheet"].iat[at[i]], rows["sheet_row"].iat[at[i]])
        if touched[i]:
            text, severity = f"Thông tin sửa chưa đúng: {row.message}", row.severity
        elif strict[at[i]] and row.severity == "error":
            text, severity = f"Hồ sơ ghi 'Sửa' vẫn còn lỗi: {row.message}", "error"
        else:
            text, severity = f"Hồ sơ đã sửa vẫn còn lỗi chưa sửa: {row.message}", "warning"
        problems.add(severity, where, label_of[row.field], row.record_id, row.value, text)


def change_log(
    rows: pd.DataFrame,
    before: pd.DataFrame,
    after: pd.DataFrame,
    changed: pd.DataFrame,
    *,
    source: str,
    who: pd.Series,
) -> pd.DataFrame:
    """Every changed cell: record, field, old and new value, source, who, when, sheet and row."""
    when = datetime.now(UTC).isoformat(timespec="seconds")
    parts = [
        pd.DataFrame(
            {
                "record_id": rows["record_id"],
                "field": field,
                "old_value": before[field],
                "new_value": after[field],
                "source": source,
                "who": who,
                "when": when,
                "sheet": rows["sheet"],
                "sheet_row": rows["sheet_row"],
            }
        )[changed[field].to_numpy()]
        for field in CORRECTABLE_FIELDS
    ]
    table = pd.concat(parts, ignore_index=True).sort_values(["sheet", "sheet_row"], kind="stable")
    types = {c: "Int64" if c == "sheet_row" else "string" for c in CHANGE_COLUMNS}
    return table.reset_index(drop=True).astype(types)
