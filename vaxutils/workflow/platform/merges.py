"""The merge list: which record each duplicate is merged into, the doses to move, the fields
that differ and the value kept."""

from __future__ import annotations

import numpy as np
import pandas as pd

from vaxutils.workflow.fields import column
from vaxutils.workflow.platform.outcomes import FIELD_NAMES_VI, MERGE_COLUMNS, POLICE
from vaxutils.workflow.returned import CORRECTABLE_FIELDS


def merge_targets(duplicate_of: pd.Series) -> pd.Series:
    """``{record merged away: record kept}`` from "A duplicates B" links.

    Links chain (A→B→C: both into C); of a cycle (A→B, B→A) the smallest record id stays.
    A commune has a few dozen links: plain Python over them.

    >>> merge_targets(pd.Series({"A": "B", "B": "C", "D": "E", "E": "D", "F": None})).to_dict()
    {'A': 'C', 'B': 'C', 'E': 'D'}
    """
    link = {a: b for a, b in duplicate_of.dropna().items() if a != b}
    out = {}
    for start in link:
        seen, node = [start], link[start]
        while node in link and node not in seen:
            seen.append(node)
            node = link[node]
        keep = min(seen[seen.index(node) :]) if node in seen else node
        if keep != start:
            out[start] = keep
    return pd.Series(out, dtype="string")


def _doses_text(doses: pd.DataFrame | None, record_ids: pd.Series) -> pd.Series:
    """Per record, its doses as a person finds them on the platform ("Mũi 2 ngày 01/09/2021")."""
    if doses is None or not len(doses):
        return pd.Series(pd.NA, index=record_ids.index, dtype="string")
    mine = doses[doses["record_id"].isin(record_ids)]
    day = (
        pd.to_datetime(mine["dose_date"], errors="coerce").dt.strftime("%d/%m/%Y").astype("string")
    )
    number = pd.to_numeric(mine["dose_number"], errors="coerce").astype("Int64").astype("string")
    number = number.fillna("?")
    text = ("Mũi " + number + " ngày " + day.fillna("?")).rename("text")
    joined = pd.concat([mine["record_id"], text], axis=1).groupby("record_id")["text"]
    return record_ids.map(joined.agg("; ".join)).astype("string")


def merge_table(rows, final, targets, merge_source, village, police_rows, doses) -> pd.DataFrame:
    """Record to merge away, record to keep, the doses to move, the fields that differ."""
    if not len(targets):
        return pd.DataFrame({c: pd.Series(dtype="string") for c in MERGE_COLUMNS})
    gone = pd.Series(targets.index, dtype="string")
    keep = pd.Series(targets.to_numpy(), dtype="string")
    by_id = final.set_index("record_id")
    diffs = []
    for f in CORRECTABLE_FIELDS:
        a = by_id[f].reindex(gone).reset_index(drop=True)
        b = by_id[f].reindex(keep).reset_index(drop=True)
        differ = a.ne(b).fillna(a.notna() & b.notna()).to_numpy(dtype=bool)
        winner = b.fillna(a)
        diffs.append(
            pd.Series(
                np.where(
                    differ,
                    FIELD_NAMES_VI[f] + ": giữ '" + winner.fillna("") + "' (hồ sơ trùng ghi '"
                    + a.fillna("(trống)") + "')",
                    "",
                ),
                dtype="string",
            )
        )  # fmt: skip
    differences = pd.concat(diffs, axis=1).agg(lambda r: "; ".join(v for v in r if v), axis=1)
    source = merge_source.reindex(gone).reset_index(drop=True)
    reviewer = (
        column(village, "reviewer").reindex(gone)
        if "reviewer" in village.columns
        else pd.Series(pd.NA, index=gone)
    )
    officer = (
        column(police_rows, "officer").reindex(gone)
        if "officer" in police_rows.columns
        else pd.Series(pd.NA, index=gone)
    )
    who = np.where(source.eq(POLICE), officer.to_numpy(), reviewer.to_numpy())
    return pd.DataFrame(
        {
            "record_id": gone,
            "keep_record_id": keep,
            "doses_to_move": _doses_text(doses, gone).to_numpy(),
            "differences": differences.replace("", pd.NA).to_numpy(),
            "source": source.to_numpy(),
            "who": who,
        }
    ).astype("string")[list(MERGE_COLUMNS)]
