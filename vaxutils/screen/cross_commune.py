"""Duplicates across communes and provinces: one person registered in two places (where they work
and where they live, or before and after a move), each record holding part of the dose history.

Screening blocks duplicates within a commune; this second pass looks across all of them without
holding the records together. Every commune contributes compact *keys* (:func:`cross_keys`: hashes
of the normalised ID; of the diacritic-free name + birth year + sex; of the phone + birth year; and
the span of its dose history); the keys are shuffled by hash (:func:`blocking_rows` then a dask
shuffle), and only blocks that span several communes give candidate pairs (:func:`candidate_pairs`).
The few records in those pairs are then compared with the same rules as within a commune
(:func:`vaxutils.screen.duplicates.same_person`), plus evidence that a namesake across the country
does not have: the same ID number, the same phone, or complementary dose histories (doses 1–2 on one
record, boosters on the other, in order). Twins (different given names) stay apart, as within a
commune.

Findings (:func:`cross_issues`):

- ``duplicate_other_commune`` on each record of a person found in another commune; ``related`` names
  the other record and its commune (``K123 (xã 01423)``), nothing else of the other person.
- ``duplicate_id_shared`` for an ID number carried by records of different people in different
  communes — the same finding, with the same ``related``, as a single screening of all the communes.

The keys are :mod:`vaxutils.screen.cross_keys`, the blocks and candidate pairs
:mod:`vaxutils.screen.cross_pairs`; this module decides on the pairs and writes the findings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils.linkage.compare import DIFFERENT, SAME, compare_pairs
from vaxutils.screen.cross_keys import PART_SHIFT, cross_keys
from vaxutils.screen.cross_pairs import (
    BLOCK_META,
    PAIR_META,
    RULE_ID,
    blocking_rows,
    candidate_pairs,
    complementary,
)
from vaxutils.screen.duplicates import connected_components, same_person

# the pass's steps, importable from here as before the split
__all__ = [
    "BLOCK_META",
    "COMPARE_COLUMNS",
    "PAIR_META",
    "PART_SHIFT",
    "blocking_rows",
    "candidate_pairs",
    "complementary",
    "cross_issues",
    "cross_keys",
]

# The records' columns the comparison needs (fetched for candidate records only).
COMPARE_COLUMNS = (
    "record_id",
    "source_row",
    "full_name",
    "name_key",
    "ascii_key",
    "dob",
    "dob_precision",
    "birth_year",
    "sex",
    "id_raw",
    "id_kind",
    "id_compact",
    "id_suggestion",
    "phone",
    "first_dose_date",
)


def _related_text(record_ids: pd.Series, communes: pd.Series) -> pd.Series:
    return record_ids.astype("string") + " (xã " + communes.astype("string") + ")"


def cross_issues(pairs: pd.DataFrame, persons: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Findings (long form plus ``gid``), and the records (gid, record_id) of ID numbers found in
    several communes — whose ``duplicate_id_shared`` findings from screening, which saw only some
    of the communes, these findings replace — from candidate pairs and the candidate records.

    ``persons`` holds, per candidate gid (column ``gid``), :data:`COMPARE_COLUMNS`, ``part``,
    ``commune`` (partition value) and the dose span columns of :func:`cross_keys`.
    """
    columns = ["gid", "record_id", "source_row", "code", "field", "value", "related", "suggestion"]
    none = pd.DataFrame(columns=columns), pd.DataFrame(columns=["gid", "record_id"])
    if pairs.empty:
        return none
    persons = persons.sort_values("gid").reset_index(drop=True)
    gids = persons["gid"].to_numpy()
    pairs = pairs.drop_duplicates(["gid_a", "gid_b", "rule"])
    pos_a = np.searchsorted(gids, pairs["gid_a"].to_numpy())
    pos_b = np.searchsorted(gids, pairs["gid_b"].to_numpy())
    part = persons["part"].to_numpy()
    across = part[pos_a] != part[pos_b]
    # village names repeat from commune to commune ("Thôn 1"): no evidence across communes
    compared = persons.drop(columns=["village"], errors="ignore")
    comparison = compare_pairs(compared, compared, pos_a, pos_b)
    same_id = comparison["id"].to_numpy() == SAME
    evidence = (
        same_id
        | (comparison["phone"].to_numpy() == SAME)
        | complementary(persons.iloc[pos_a], persons.iloc[pos_b])
    )
    accepted = (
        across & same_person(comparison) & evidence & (comparison["id"].to_numpy() != DIFFERENT)
    )

    # An ID in several communes: one person (all its cross pairs accepted) or a shared number.
    id_rule = pairs["rule"].to_numpy() == RULE_ID
    id_groups = connected_components(len(persons), pos_a[id_rule], pos_b[id_rule])
    in_id_group = np.zeros(len(persons), dtype=bool)
    in_id_group[pos_a[id_rule]] = in_id_group[pos_b[id_rule]] = True
    refused = id_rule & across & ~accepted
    shared_groups = np.unique(id_groups[pos_a[refused]])
    shared = in_id_group & np.isin(id_groups, shared_groups)
    # links inside a shared number are reported as the shared number (as a single run would)
    accepted &= ~(shared[pos_a] & shared[pos_b] & same_id)
    parts = [
        _shared_issues(persons, shared, id_groups),
        _person_issues(persons, pos_a, pos_b, accepted),
    ]
    out = pd.concat([p for p in parts if not p.empty] or [none[0]], ignore_index=True)
    return out[columns], persons.loc[in_id_group, ["gid", "record_id"]]


def _shared_issues(persons: pd.DataFrame, shared: np.ndarray, groups: np.ndarray) -> pd.DataFrame:
    members = persons[shared].assign(group=groups[shared])
    if members.empty:
        return pd.DataFrame()
    ids = members["record_id"].astype("string").fillna("")
    listed = ids.groupby(members["group"].to_numpy()).agg(list)
    related = [
        ",".join(r for r in listed[g] if r != own)
        for g, own in zip(members["group"], ids, strict=True)
    ]
    return pd.DataFrame(
        {
            "gid": members["gid"],
            "record_id": members["record_id"],
            "source_row": members["source_row"],
            "code": "duplicate_id_shared",
            "field": "id_number",
            "value": members["id_raw"].fillna(members["id_compact"]),
            "related": related,
            "suggestion": pd.NA,
        }
    )


def _person_issues(persons, pos_a, pos_b, accepted) -> pd.DataFrame:
    if not accepted.any():
        return pd.DataFrame()
    left, right = pos_a[accepted], pos_b[accepted]
    labels = connected_components(len(persons), left, right)
    involved = np.unique(np.r_[left, right])
    members = persons.iloc[involved].assign(group=labels[involved])
    # the record to keep: a valid ID first, then the earliest first dose, then dataset order
    ranked = members.assign(
        _no_id=members["id_compact"].isna(), _no_dose=members["first_dose_date"].isna()
    ).sort_values(["group", "_no_id", "_no_dose", "first_dose_date", "gid"])
    keeper = ranked.groupby("group")["gid"].first()
    text = _related_text(members["record_id"], members["commune"])
    by_group = pd.DataFrame({"group": members["group"], "part": members["part"], "text": text})
    # each member with the members of its group in other communes, joined in dataset order
    by_group = by_group.assign(gid=members["gid"].to_numpy(), row=np.arange(len(members)))
    both = by_group.merge(by_group, on="group", suffixes=("", "_other"))
    both = both[both["part"] != both["part_other"]].sort_values(["row", "gid_other"])
    table = pa.table(
        {"row": both["row"].to_numpy(), "text": both["text_other"].astype(str).to_numpy()}
    )
    grouped = table.group_by("row", use_threads=False).aggregate([("text", "list")])
    joined = pd.Series(
        pc.binary_join(grouped["text_list"], ", ").to_pylist(), index=grouped["row"].to_numpy()
    )
    related = pd.Series(joined.reindex(np.arange(len(members))).to_numpy(), index=members.index)
    keep_gid = members["group"].map(keeper)
    keep_text = pd.Series(text.to_numpy(), index=members["gid"].to_numpy())
    suggestion = keep_text.reindex(keep_gid.to_numpy()).to_numpy()
    return pd.DataFrame(
        {
            "gid": members["gid"],
            "record_id": members["record_id"],
            "source_row": members["source_row"],
            "code": "duplicate_other_commune",
            "field": "record_id",
            "value": members["record_id"],
            "related": related.reindex(members.index),
            "suggestion": pd.Series(suggestion, index=members.index).where(
                keep_gid.to_numpy() != members["gid"].to_numpy()
            ),
        }
    )
