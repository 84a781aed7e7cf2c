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

>>> keys = pd.DataFrame({"gid": [1, 2], "part": [0, 1], "k_id": np.array([7, 7], "uint64"),
...     "k_name": np.array([0, 0], "uint64"), "k_phone": np.array([0, 0], "uint64"),
...     "dose_lo": [1, 3], "dose_hi": [2, 3], "first": [1, 300], "last": [60, 300]})
>>> candidate_pairs(blocking_rows(keys))[["gid_a", "gid_b", "rule"]].values.tolist()
[[1, 2, 1]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils.linkage.compare import DIFFERENT, SAME, compare_pairs
from vaxutils.screen.duplicates import connected_components, same_person

RULE_ID, RULE_NAME, RULE_PHONE = 1, 2, 3
KEY_COLUMNS = {"k_id": RULE_ID, "k_name": RULE_NAME, "k_phone": RULE_PHONE}
# A key shared by more records than this is a placeholder ("Không rõ", "0000000000"), not a person.
MAX_BLOCK = 300
# gid = part << PART_SHIFT | position of the record in its commune's records
PART_SHIFT = 32

KEYS_META = {
    "gid": "int64",
    "part": "int32",
    "k_id": "uint64",
    "k_name": "uint64",
    "k_phone": "uint64",
    "dose_lo": "int16",
    "dose_hi": "int16",
    "first": "int32",
    "last": "int32",
}
BLOCK_META = {
    "bkey": "uint64",
    "rule": "int8",
    "gid": "int64",
    "part": "int32",
    "dose_lo": "int16",
    "dose_hi": "int16",
    "first": "int32",
    "last": "int32",
}
PAIR_META = {"gid_a": "int64", "gid_b": "int64", "rule": "int8"}
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


def _hash(text: pd.Series) -> np.ndarray:
    """uint64 hash of each text value; 0 for missing (hash collisions only cost a comparison)."""
    values = text.astype("string")
    hashed = pd.util.hash_array(values.fillna("").to_numpy(dtype=object))
    return np.where(values.isna().to_numpy(), 0, np.maximum(hashed, 1)).astype("uint64")


def cross_keys(
    records: pd.DataFrame, doses: pd.DataFrame, part: np.ndarray, position: np.ndarray
) -> pd.DataFrame:
    """The compact keys of screened records, for the cross pass.

    ``records`` is screening's records output, ``doses`` its prepared doses; ``part`` the number of
    each record's commune in the run and ``position`` its row in that commune's records. Hashes only:
    no name, date or number leaves the commune in clear.
    """
    year = records["birth_year"].astype("Int64").astype("string")
    name = (
        "n|"
        + records["ascii_key"].astype("string")
        + "|"
        + year
        + "|"
        + records["sex"].astype("string")
    )
    phone = "p|" + records["phone"].astype("string") + "|" + year
    ident = "i|" + records["id_compact"].astype("string")
    days = doses["dose_date"].to_numpy("datetime64[D]").astype("int64")
    valid_date = ~np.isnat(doses["dose_date"].to_numpy("datetime64[D]"))
    number = pd.to_numeric(doses["dose_number"], errors="coerce").to_numpy(
        "float64", na_value=np.nan
    )
    usable = valid_date & ~np.isnan(number)
    per_record = (
        pd.DataFrame(
            {
                "record_id": doses["record_id"].to_numpy()[usable],
                "n": number[usable],
                "d": days[usable],
            }
        )
        .groupby("record_id")
        .agg(lo=("n", "min"), hi=("n", "max"), first=("d", "min"), last=("d", "max"))
    )
    span = per_record.reindex(records["record_id"].to_numpy())
    return pd.DataFrame(
        {
            "gid": (np.asarray(part, dtype="int64") << PART_SHIFT) + np.asarray(position, "int64"),
            "part": np.asarray(part, dtype="int32"),
            "k_id": _hash(ident),
            "k_name": _hash(name),
            "k_phone": _hash(phone),
            "dose_lo": span["lo"].fillna(0).clip(0, 99).to_numpy("int16"),
            "dose_hi": span["hi"].fillna(0).clip(0, 99).to_numpy("int16"),
            "first": span["first"].fillna(0).to_numpy("int32"),
            "last": span["last"].fillna(0).to_numpy("int32"),
        }
    ).astype(KEYS_META)


def blocking_rows(keys: pd.DataFrame) -> pd.DataFrame:
    """One row per (record, rule) with a key: what the shuffle moves (a few dozen bytes a row)."""
    parts = []
    rest = ["gid", "part", "dose_lo", "dose_hi", "first", "last"]
    for column, rule in KEY_COLUMNS.items():
        has = keys[column].to_numpy() != 0
        part = keys.loc[has, rest].copy()
        part.insert(0, "rule", np.int8(rule))
        # the rule in the key's top bits: equal hashes of different rules never meet
        part.insert(
            0, "bkey", (keys[column].to_numpy()[has] >> np.uint64(2)) | np.uint64(rule << 62)
        )
        parts.append(part)
    return pd.concat(parts, ignore_index=True).astype(BLOCK_META)


def complementary(a: pd.DataFrame, b: pd.DataFrame) -> np.ndarray:
    """Dose histories that continue each other: every dose of one record before the other's, in dose
    number and in date (doses 1–2 here, boosters there)."""
    lo_a, hi_a, f_a, l_a = (a[c].to_numpy("int64") for c in ("dose_lo", "dose_hi", "first", "last"))
    lo_b, hi_b, f_b, l_b = (b[c].to_numpy("int64") for c in ("dose_lo", "dose_hi", "first", "last"))
    both = (lo_a > 0) & (lo_b > 0)
    return both & (((hi_a < lo_b) & (l_a < f_b)) | ((hi_b < lo_a) & (l_b < f_a)))


def candidate_pairs(rows: pd.DataFrame, max_block: int = MAX_BLOCK) -> pd.DataFrame:
    """Pairs (gid_a < gid_b) within the blocks of one shuffled partition that span communes.

    ID blocks give all their pairs (a shared ID is judged on all its records); name blocks only
    pairs of complementary dose histories across communes (a namesake elsewhere is no evidence by
    itself); phone blocks, pairs across communes.
    """
    empty = pd.DataFrame({c: pd.Series(dtype=t) for c, t in PAIR_META.items()})
    if rows.empty:
        return empty
    spread = rows.groupby("bkey")["part"].agg(["nunique", "size"])
    wanted = spread.index[(spread["nunique"] > 1) & (spread["size"] <= max_block)]
    blocks = rows[rows["bkey"].isin(wanted)]
    if blocks.empty:
        return empty
    both = blocks.merge(blocks, on=["bkey", "rule"], suffixes=("_a", "_b"))
    both = both[both["gid_a"].to_numpy() < both["gid_b"].to_numpy()]
    across = both["part_a"].to_numpy() != both["part_b"].to_numpy()
    rule = both["rule"].to_numpy()
    a = both[["dose_lo_a", "dose_hi_a", "first_a", "last_a"]].set_axis(
        ["dose_lo", "dose_hi", "first", "last"], axis=1
    )
    b = both[["dose_lo_b", "dose_hi_b", "first_b", "last_b"]].set_axis(
        ["dose_lo", "dose_hi", "first", "last"], axis=1
    )
    keep = (
        (rule == RULE_ID)
        | (across & (rule == RULE_PHONE))
        | (across & (rule == RULE_NAME) & complementary(a, b))
    )
    return both.loc[keep, ["gid_a", "gid_b", "rule"]].reset_index(drop=True).astype(PAIR_META)


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
