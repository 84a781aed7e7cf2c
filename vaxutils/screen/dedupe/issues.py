"""The findings of duplicate screening: ``duplicate_person``, ``duplicate_id_shared``,
``duplicate_id_suggestion`` (catalogue ``duplicates.yaml``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils.kernel.cells import as_dates, as_text, column_or_na
from vaxutils.screen.dedupe.groups import duplicate_groups

ISSUE_COLUMNS = ["record_id", "source_row", "code", "field", "value", "related", "suggestion"]


def _text(frame: pd.DataFrame, name: str) -> np.ndarray:
    return as_text(column_or_na(frame, name)).to_numpy()


def _empty() -> pd.DataFrame:
    frame = pd.DataFrame({col: pd.Series(dtype="string") for col in ISSUE_COLUMNS})
    frame["source_row"] = frame["source_row"].astype("Int64")
    return frame


def duplicate_issues(persons: pd.DataFrame, groups: pd.DataFrame | None = None) -> pd.DataFrame:
    """Duplicate findings in long form: record_id, source_row, code, field, value, related, suggestion.

    ``persons`` is the prepared persons frame (docs/ARCHITECTURE.md); it is not modified.
    ``groups`` is :func:`duplicate_groups` of it when already computed.
    """
    if persons is None or len(persons) == 0 or "record_id" not in persons.columns:
        return _empty()
    frame = persons.reset_index(drop=True)
    groups = duplicate_groups(frame) if groups is None else groups.reset_index(drop=True)
    in_group = groups["group_size"].to_numpy() > 1
    # Only records in a group or with a repeated ID number can have a finding: the member columns
    # (Python strings) are built for those few, not for the whole input.
    id_codes, _ = pd.factorize(as_text(column_or_na(frame, "id_compact")))
    id_count = np.bincount(id_codes[id_codes >= 0], minlength=1)
    repeated_id = (id_codes >= 0) & (id_count[np.maximum(id_codes, 0)] > 1)
    involved = np.flatnonzero(in_group | repeated_id)
    subset = frame.iloc[involved]
    members = pd.DataFrame(
        {
            "pos": involved,
            "record_id": _text(subset, "record_id"),
            "source_row": _row_numbers(column_or_na(subset, "source_row")),
            "person_group": groups["person_group"].to_numpy()[involved],
            "id_compact": _text(subset, "id_compact"),
            "id_kind": _text(subset, "id_kind"),
            "id_raw": _text(subset, "id_raw"),
            "first_dose": as_dates(column_or_na(subset, "first_dose_date")).to_numpy(),
        }
    )
    parts = [
        _person_issues(members[in_group[involved]]),
        _shared_id_issues(members),
    ]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return _empty()
    out = pd.concat(parts, ignore_index=True)
    out["source_row"] = out["source_row"].astype("Int64")
    for col in ISSUE_COLUMNS:
        if col != "source_row":
            out[col] = out[col].astype("string")
    return (
        out[ISSUE_COLUMNS].sort_values(["source_row", "code"], kind="stable").reset_index(drop=True)
    )


def _row_numbers(values: pd.Series) -> np.ndarray:
    """Source row numbers as float (NaN where not a whole number), ready for Int64."""
    numbers = pd.to_numeric(values.where(values.map(type).ne(bool), None), errors="coerce")
    numbers = numbers.astype("float64")
    return numbers.where(numbers % 1 == 0).to_numpy()


def _related(members: pd.DataFrame, group_column: str) -> pd.Series:
    """For each member (by ``pos``), the other record_ids of its group, comma-separated."""
    both = members[["pos", group_column]].merge(
        members[[group_column, "record_id", "pos"]], on=group_column, suffixes=("", "_other")
    )
    both = both[both["pos"] != both["pos_other"]].sort_values(["pos", "pos_other"])
    # Group-wise string join in Arrow (list aggregation keeps the sorted order without threads).
    table = pa.table(
        {"pos": both["pos"].to_numpy(), "rid": both["record_id"].fillna("").astype(str).to_numpy()}
    )
    grouped = table.group_by("pos", use_threads=False).aggregate([("rid", "list")])
    joined = pc.binary_join(grouped["rid_list"], ",")
    return pd.Series(joined.to_pylist(), index=grouped["pos"].to_numpy(), dtype="string")


def _person_issues(members: pd.DataFrame) -> pd.DataFrame:
    if members.empty:
        return _empty()
    ranked = members.assign(
        _no_id=members["id_compact"].isna(), _no_dose=pd.isna(members["first_dose"])
    ).sort_values(["person_group", "_no_id", "_no_dose", "first_dose", "source_row", "pos"])
    keeper = ranked.groupby("person_group")["record_id"].first()
    related = _related(members, "person_group")
    keep_as = members["person_group"].map(keeper)
    person = pd.DataFrame(
        {
            "record_id": members["record_id"],
            "source_row": members["source_row"],
            "code": "duplicate_person",
            "field": "record_id",
            "value": members["record_id"],
            "related": members["pos"].map(related),
            "suggestion": keep_as.where(keep_as != members["record_id"]),
        }
    )
    return pd.concat([person, _id_suggestions(members, ranked, related)], ignore_index=True)


def _id_suggestions(
    members: pd.DataFrame, ranked: pd.DataFrame, related: pd.Series
) -> pd.DataFrame:
    """The group's ID number for its records that have none (or a malformed one).

    Only when the group holds one personal ID (a CCCD, else one CMND): a group joined through a record
    without ID can hold two different numbers, and then nobody can say which is right.
    """
    valid = ranked.dropna(subset=["id_compact"])
    is_cmnd = valid["id_kind"].eq("cmnd").fillna(False)
    # A CCCD when the group has one, else its CMND.
    preferred = is_cmnd.groupby(valid["person_group"]).transform("min")
    per_group = valid[is_cmnd == preferred].groupby("person_group")["id_compact"]
    group_id = per_group.first()[per_group.nunique() == 1]
    needs = members[members["id_compact"].isna() & members["person_group"].isin(group_id.index)]
    return pd.DataFrame(
        {
            "record_id": needs["record_id"],
            "source_row": needs["source_row"],
            "code": "duplicate_id_suggestion",
            "field": "id_number",
            "value": needs["id_raw"],
            "related": needs["pos"].map(related),
            "suggestion": needs["person_group"].map(group_id),
        }
    )


def _shared_id_issues(members: pd.DataFrame) -> pd.DataFrame:
    """Every record of an ID number whose records belong to more than one person."""
    with_id = members.dropna(subset=["id_compact"])
    with_id = with_id[with_id["id_compact"].duplicated(keep=False).to_numpy()]
    people = with_id.groupby("id_compact")["person_group"].nunique()
    shared = with_id[with_id["id_compact"].map(people).gt(1).to_numpy()]
    if shared.empty:
        return _empty()
    related = _related(shared, "id_compact")
    return pd.DataFrame(
        {
            "record_id": shared["record_id"],
            "source_row": shared["source_row"],
            "code": "duplicate_id_shared",
            "field": "id_number",
            "value": shared["id_raw"].fillna(shared["id_compact"]),
            "related": shared["pos"].map(related),
            "suggestion": pd.NA,
        }
    )
