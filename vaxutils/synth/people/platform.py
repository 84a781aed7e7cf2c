"""The health station on the platform: the S5 files applied to a copy of the export, and the
platform's re-export afterwards."""

from __future__ import annotations

import numpy as np
import pandas as pd

from vaxutils import dates
from vaxutils.schema import CORRECTABLE_FIELDS, FIELD_LABELS_VI
from vaxutils.synth.people.script import EVENTS

# the export as the platform re-exports it after S5: one row per dose
LONG_LABELS = {
    f: FIELD_LABELS_VI[f]
    for f in (
        "record_id", "full_name", "dob", "sex", "id_number", "phone", "village",
        "dose_number", "vaccine", "lot", "dose_date", "facility", "facility_level",
    )
}  # fmt: skip


def apply_platform_files(
    records: pd.DataFrame,
    doses: pd.DataFrame,
    imports: pd.DataFrame,
    edits: pd.DataFrame,
    merges: pd.DataFrame,
    removals: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The export's ``records`` and ``doses`` (as :func:`vaxutils.io.read_export` gives them)
    after the S5 files were applied on the platform; the inputs are not modified.

    Imports and edits overwrite the person fields; a merge moves the doses of the duplicate to the
    record kept (numbered again by date) and deletes the duplicate; a person who moved or does not
    live here leaves the commune's export, a death stays on it (the platform marks it).
    """
    records = records.copy()
    doses = doses.copy()
    at = pd.Series(np.arange(len(records)), index=records["record_id"].astype("string"))
    for frame in (imports,):
        rows = at.reindex(frame["record_id"]).dropna().astype(int).to_numpy()
        for f in CORRECTABLE_FIELDS:
            records.iloc[rows, records.columns.get_loc(f)] = frame[f].to_numpy()
    field_of = {
        "Họ và tên": "full_name",
        "Ngày sinh": "dob",
        "Giới tính": "sex",
        "Số CMND/CCCD": "id_number",
    }
    for e in edits.itertuples(index=False):  # a few hundred cells per commune
        records.iloc[at[e.record_id], records.columns.get_loc(field_of[e.field])] = e.new_value
    if len(merges):
        keep = dict(zip(merges["record_id"], merges["keep_record_id"], strict=True))
        moved = doses["record_id"].isin(list(keep))
        doses.loc[moved, "record_id"] = doses.loc[moved, "record_id"].map(keep)
        touched = doses["record_id"].isin(set(keep.values()))
        day = dates.parse_dates(doses["dose_date"].astype("string"))["date"]
        order = doses.assign(_day=day)[touched].sort_values(["record_id", "_day"], kind="stable")
        doses.loc[order.index, "dose_number"] = (
            order.groupby("record_id").cumcount().add(1).astype(str).to_numpy()
        )
        records = records[~records["record_id"].isin(list(keep))]
    gone = removals.loc[removals["decision"].isin(EVENTS[1:]), "record_id"]
    records = records[~records["record_id"].isin(gone)]
    doses = doses[doses["record_id"].isin(records["record_id"])]
    return records.reset_index(drop=True), doses.reset_index(drop=True)


def long_export(records: pd.DataFrame, doses: pd.DataFrame) -> pd.DataFrame:
    """The platform's re-export, one row per dose, under Vietnamese headers (every cell text)."""
    person = ["record_id"] + [
        f for f in LONG_LABELS if f in records.columns and f not in doses.columns
    ]
    dose = [f for f in LONG_LABELS if f in doses.columns]
    table = doses[dose].merge(records[person], on="record_id", how="right")
    order = [f for f in LONG_LABELS if f in table.columns]
    return table[order].rename(columns=LONG_LABELS).astype("string")
