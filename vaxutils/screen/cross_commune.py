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

The decision is cut in two so that no task holds the whole run's candidate records:
:func:`judge_pairs` decides the pairs of one shuffled partition from those pairs' records only (all
the records of one ID number share a block, so a shared number is decided there too), and
:func:`merge_judgements` joins the partitions' decisions — links, shared numbers, the linked
records' ids — into person groups, which can span keys and so partitions. :func:`cross_issues` is
both in one call.

Findings (:func:`cross_issues`, :func:`merge_judgements`):

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
    "MEMBER_COLUMNS",
    "PAIR_META",
    "PART_SHIFT",
    "blocking_rows",
    "candidate_pairs",
    "complementary",
    "cross_issues",
    "cross_keys",
    "judge_pairs",
    "merge_judgements",
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


ISSUE_COLUMNS = [
    "gid",
    "record_id",
    "source_row",
    "code",
    "field",
    "value",
    "related",
    "suggestion",
]
# What the run-wide step keeps of a record linked to another commune (no name, date or number).
MEMBER_COLUMNS = ["gid", "part", "record_id", "source_row", "commune", "no_id", "first_dose_date"]


def _empty_judgement() -> dict:
    return {
        "links": pd.DataFrame(
            {"gid_a": pd.Series(dtype="int64"), "gid_b": pd.Series(dtype="int64"),
             "same_id": pd.Series(dtype=bool)}
        ),
        "members": pd.DataFrame(columns=MEMBER_COLUMNS),
        "shared": np.array([], dtype="int64"),
        "shared_issues": pd.DataFrame(columns=ISSUE_COLUMNS),
        "redo": pd.DataFrame({"gid": pd.Series(dtype="int64"), "record_id": pd.Series(dtype="string")}),
    }  # fmt: skip


def judge_pairs(pairs: pd.DataFrame, persons: pd.DataFrame) -> dict:
    """The decisions on the candidate pairs of one shuffled partition (its blocking keys), from the
    candidate records of those pairs only.

    Every block of one key lands in one partition, so everything about an ID number is decided
    here: which records carry it (``redo``), whether it is one person or a number shared by
    several (``shared`` gids and their ``duplicate_id_shared`` findings). What links records
    through several keys — a person is a connected component of links — is left to
    :func:`merge_judgements`: ``links`` (accepted pairs, and whether the IDs are the same) and
    ``members`` (:data:`MEMBER_COLUMNS` of the linked records), small whatever the partition.

    ``persons`` holds, per candidate gid (column ``gid``), :data:`COMPARE_COLUMNS`, ``part``,
    ``commune`` (partition value) and the dose span columns of :func:`cross_keys`.
    """
    if pairs.empty:
        return _empty_judgement()
    persons = persons.drop_duplicates("gid").sort_values("gid").reset_index(drop=True)
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
    linked = np.unique(np.r_[pos_a[accepted], pos_b[accepted]])
    members = persons.iloc[linked]
    return {
        "links": pd.DataFrame(
            {
                "gid_a": gids[pos_a[accepted]],
                "gid_b": gids[pos_b[accepted]],
                "same_id": same_id[accepted],
            }
        ),
        "members": members.assign(no_id=members["id_compact"].isna())[MEMBER_COLUMNS],
        "shared": gids[shared],
        "shared_issues": _shared_issues(persons, shared, id_groups),
        "redo": persons.loc[in_id_group, ["gid", "record_id"]],
    }


def merge_judgements(judgements: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Findings (long form plus ``gid``), and the records (gid, record_id) of ID numbers found in
    several communes — whose ``duplicate_id_shared`` findings from screening, which saw only some
    of the communes, these findings replace — from the partitions' :func:`judge_pairs`.

    Only this step sees the whole run, and only links and linked records' ids: the person groups
    (connected across keys, so across partitions) and the record to keep in each.
    """
    empty = _empty_judgement()
    judgements = [j for j in judgements if j is not None] or [empty]

    def cat(name: str) -> pd.DataFrame:
        frames = [j[name] for j in judgements if len(j[name])]
        return pd.concat(frames, ignore_index=True) if frames else empty[name]

    links, shared = cat("links"), np.concatenate([j["shared"] for j in judgements])
    # links inside a shared number are reported as the shared number (as a single run would)
    inside = (
        np.isin(links["gid_a"].to_numpy(), shared)
        & np.isin(links["gid_b"].to_numpy(), shared)
        & links["same_id"].to_numpy(bool)
    )
    members = cat("members").drop_duplicates("gid").sort_values("gid", ignore_index=True)
    parts = [
        cat("shared_issues").sort_values("gid", kind="stable"),
        _person_issues(links[~inside], members),
    ]
    out = pd.concat(
        [p for p in parts if not p.empty] or [pd.DataFrame(columns=ISSUE_COLUMNS)],
        ignore_index=True,
    )
    redo = cat("redo").sort_values("gid", kind="stable", ignore_index=True)
    return out[ISSUE_COLUMNS], redo[["gid", "record_id"]]


def cross_issues(pairs: pd.DataFrame, persons: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`merge_judgements` of one :func:`judge_pairs` over all the pairs: the whole pass in one
    call (the dataset run judges each shuffled partition in its own task)."""
    return merge_judgements([judge_pairs(pairs, persons)])


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


def _person_issues(links: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """``duplicate_other_commune`` on every linked record (``members``: :data:`MEMBER_COLUMNS`,
    sorted by gid), its group being the records connected to it by ``links``."""
    if links.empty:
        return pd.DataFrame()
    gids = members["gid"].to_numpy()
    left = np.searchsorted(gids, links["gid_a"].to_numpy())
    right = np.searchsorted(gids, links["gid_b"].to_numpy())
    labels = connected_components(len(members), left, right)
    involved = np.unique(np.r_[left, right])
    members = members.iloc[involved].assign(group=labels[involved])
    # the record to keep: a valid ID first, then the earliest first dose, then dataset order
    ranked = members.assign(
        _no_id=members["no_id"].astype(bool), _no_dose=members["first_dose_date"].isna()
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
