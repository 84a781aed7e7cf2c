"""Duplicate records (DESIGN §3.2, category ``duplicate``): one person split over several records,
and one ID number shared by different people.

How: blocking on exact normalised keys (:mod:`vaxutils.linkage.blocking`) gives a few candidate
pairs — never all pairs; each pair is compared field by field (:mod:`vaxutils.linkage.compare`,
rapidfuzz on the whole batch of pairs at once) and :func:`same_person` decides. Accepted pairs are
joined into groups (connected components). An ID number whose records fall into more than one
group is shared by different people.

Codes (catalogue ``vaxutils/screen/catalogue/duplicates.yaml``):

- ``duplicate_person`` — on every record of a group; ``related`` names the others, ``suggestion``
  the record to keep (a valid ID first, then the earliest first dose, then the first row).
- ``duplicate_id_shared`` — on every record of an ID number used by different people.
- ``duplicate_id_suggestion`` — info: a record without a valid ID whose duplicate has one; the
  suggestion fills the ``missing_id``/``id_format`` finding of that record.

Twins (same family name and birth date, different given names) and namesakes with different birth
dates are different people.

>>> persons = pd.DataFrame({
...     "record_id": ["A1", "A2", "B1"], "source_row": [2, 3, 4],
...     "full_name": ["Nguyễn Văn Nam", "NGUYEN VAN NAM", "Trần Thị Hoa"],
...     "name_key": ["nguyễn văn nam", "nguyen van nam", "trần thị hoa"],
...     "ascii_key": ["nguyen van nam", "nguyen van nam", "tran thi hoa"],
...     "dob": pd.to_datetime(["1980-05-12", "1980-05-12", "1990-01-02"]),
...     "dob_precision": ["day"] * 3, "sex": ["Nam", "Nam", "Nữ"],
...     "id_kind": ["cccd", "missing", "cccd"], "id_compact": ["001080012345", None, "001190054321"]})
>>> duplicate_issues(persons)[["record_id", "code", "related", "suggestion"]].values.tolist()
[['A1', 'duplicate_person', 'A2', <NA>], ['A2', 'duplicate_id_suggestion', 'A1', '001080012345'], \
['A2', 'duplicate_person', 'A1', 'A1']]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils.kernel.cells import as_dates, as_text, column_or_na
from vaxutils.linkage.blocking import DEDUPE_RULES, blocking_keys, dedupe_pairs
from vaxutils.linkage.compare import COMPATIBLE, DIFFERENT, SAME, UNKNOWN, compare_pairs

ISSUE_COLUMNS = ["record_id", "source_row", "code", "field", "value", "related", "suggestion"]

# Similarity (compare.name_similarity, 0..100, on diacritic-free names) above which two names are
# the same name with a typo — with the given names agreeing. Measured on the synthetic set of
# benchmarks/bench_dedupe.py: twins "nguyen van minh"/"nguyen van manh" score 93 but fail the given-name
# test; one-letter typos in a three-word name score ≥ 90.
NAME_CLOSE = 90
# With the same ID number, a looser name test: the ID already says "one person".
NAME_LOOSE_SAME_ID = 75


def _empty() -> pd.DataFrame:
    frame = pd.DataFrame({col: pd.Series(dtype="string") for col in ISSUE_COLUMNS})
    frame["source_row"] = frame["source_row"].astype("Int64")
    return frame


def candidate_comparisons(persons: pd.DataFrame) -> pd.DataFrame:
    """Blocked candidate pairs (positions ``left`` < ``right``) with their field agreements."""
    frame = persons.reset_index(drop=True)
    keys = blocking_keys(frame)
    # Screening is per commune (the unit of the procedure): a larger input is blocked within each
    # commune, so the candidate pairs grow with the number of communes, not with its square.
    commune = frame["commune_code"] if "commune_code" in frame.columns else None
    keys["commune"] = as_text(commune).fillna("") if commune is not None else ""
    pairs = dedupe_pairs(keys, DEDUPE_RULES, prefix=("commune",))
    left, right = pairs["left"].to_numpy(), pairs["right"].to_numpy()
    # Compare only the records that are in some pair (a small share of a large input).
    involved = np.unique(np.concatenate([left, right]))
    subset = frame.iloc[involved].reset_index(drop=True)
    comparison = compare_pairs(
        subset, subset, np.searchsorted(involved, left), np.searchsorted(involved, right)
    )
    comparison.insert(0, "right", right)
    comparison.insert(0, "left", left)
    return comparison


def _text(frame: pd.DataFrame, name: str) -> np.ndarray:
    return as_text(column_or_na(frame, name)).to_numpy()


def same_person(comparison: pd.DataFrame) -> np.ndarray:
    """The decision on compared pairs: True where both records are the same person.

    - two different well-formed ID numbers of the same kind: never (two people);
    - the same ID number: names alike (typo allowed), and the birth dates not in conflict unless the
      names are clearly the same;
    - otherwise: the same name (a typo allowed, the given name agreeing) and birth dates that agree at
      their precision, and sex not in conflict; with the birth date unknown, a shared phone or
      village is also needed.
    """
    name_close = (comparison["name_score"] >= NAME_CLOSE).to_numpy() & comparison[
        "given_agrees"
    ].to_numpy(bool)
    name_loose = (comparison["name_score"] >= NAME_LOOSE_SAME_ID).to_numpy()
    dob = comparison["dob"].to_numpy()
    dob_ok = (dob == SAME) | (dob == COMPATIBLE)
    dob_unknown = dob == UNKNOWN
    sex_ok = comparison["sex"].to_numpy() != DIFFERENT
    ident = comparison["id"].to_numpy()
    shares_contact = (comparison["phone"].to_numpy() == SAME) | (
        comparison["village"].to_numpy() == SAME
    )
    by_id = (ident == SAME) & (name_close | (name_loose & (dob_ok | dob_unknown)))
    by_name = name_close & sex_ok & (dob_ok | (dob_unknown & shares_contact))
    return (ident != DIFFERENT) & (by_id | by_name)


def connected_components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Group label (the smallest member position) of each of ``n`` nodes joined by the given edges.

    Min-label propagation with pointer jumping: a few vectorised rounds over the (few) edges.

    >>> connected_components(5, np.array([0, 3, 1]), np.array([1, 4, 2])).tolist()
    [0, 0, 0, 3, 3]
    """
    labels = np.arange(n)
    left = np.asarray(left, dtype="int64")
    right = np.asarray(right, dtype="int64")
    while True:
        low = np.minimum(labels[left], labels[right])
        new = labels.copy()
        np.minimum.at(new, left, low)
        np.minimum.at(new, right, low)
        new = new[new]
        if np.array_equal(new, labels):
            return labels
        labels = new


def _unambiguous(accepted: pd.DataFrame, n: int) -> pd.DataFrame:
    """Accepted pairs without the links of records that would chain different people together.

    A record with little information (year-only birth date, no ID) can match two namesakes who do not
    match each other; joining it to both would make them one group. Such a record — the middle of an
    open triangle — keeps only its links by the same ID number: which namesake it is for a person to
    decide.
    """
    if accepted.empty:
        return accepted
    left, right = accepted["left"].to_numpy("int64"), accepted["right"].to_numpy("int64")
    links = pd.DataFrame({"node": np.r_[left, right], "partner": np.r_[right, left]})
    two_partners = links.merge(links, on="node")
    two_partners = two_partners[two_partners["partner_x"] < two_partners["partner_y"]]
    linked = np.isin(
        two_partners["partner_x"].to_numpy() * n + two_partners["partner_y"].to_numpy(),
        left * n + right,
    )
    ambiguous = two_partners.loc[~linked, "node"].unique()
    keep = ~(np.isin(left, ambiguous) | np.isin(right, ambiguous)) | (
        accepted["id"].to_numpy() == SAME
    )
    return accepted[keep]


def duplicate_groups(persons: pd.DataFrame) -> pd.DataFrame:
    """Per record (positional index 0..n-1): ``person_group`` (records of one person share it) and
    ``group_size``. Records without duplicates are alone in their group."""
    n = len(persons)
    comparison = candidate_comparisons(persons)
    accepted = _unambiguous(comparison[same_person(comparison)], n)
    labels = connected_components(n, accepted["left"].to_numpy(), accepted["right"].to_numpy())
    groups = pd.DataFrame({"person_group": labels})
    groups["group_size"] = groups.groupby("person_group")["person_group"].transform("size")
    return groups


def duplicate_issues(persons: pd.DataFrame) -> pd.DataFrame:
    """Duplicate findings in long form: record_id, source_row, code, field, value, related, suggestion.

    ``persons`` is the prepared persons frame (docs/ARCHITECTURE.md); it is not modified.
    """
    if persons is None or len(persons) == 0 or "record_id" not in persons.columns:
        return _empty()
    frame = persons.reset_index(drop=True)
    groups = duplicate_groups(frame)
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
