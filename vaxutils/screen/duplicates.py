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
dates are different people. When a birth date is missing (or only a year), a same name is not
enough: in communes whose names come from a small pool (Tày, Hmong, Khmer) two people share a full
name. Such a pair is one person only with the evidence a person would use (:func:`evidence`) — the
same phone, or the same village and dose histories that continue each other (one record stops
where the other starts) — and never against evidence: different phones, birth years that differ
(a birth date against the other record's ID number), dose histories that interleave in time or each
look like a full primary series, an age that rules out the other record's doses.

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
    """Blocked candidate pairs (positions ``left`` < ``right``) with their field agreements and,
    where ``persons`` has the columns for it, the evidence of :func:`evidence`."""
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
    for name, values in evidence(frame, left, right).items():
        comparison[name] = values
    return comparison


# Columns of the persons frame that :func:`evidence` reads (screening adds the dose summary).
DOSE_SUMMARY_COLUMNS = ("first_dose_date", "last_dose_date", "min_dose_number", "max_dose_number",
                        "min_dose_gap_days")  # fmt: skip
# A booster comes at least 3 months after the primary series; doses of one primary series are
# weeks apart. Gaps that tell "the boosters of the same person" from "another person's series".
_BOOSTER_GAP_DAYS = 90
_SERIES_GAP_DAYS = 60


def _num(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(frame), np.nan)
    values = frame[name]
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        days = values.to_numpy("datetime64[ns]").astype("datetime64[D]")
        out = days.astype("int64").astype("float64")
        out[np.isnat(days)] = np.nan
        return out
    return pd.to_numeric(values, errors="coerce").to_numpy("float64", na_value=np.nan)


def evidence(frame: pd.DataFrame, left: np.ndarray, right: np.ndarray) -> dict[str, np.ndarray]:
    """What, besides name and birth date, says two records are one person or two (per pair).

    - ``birth_years_differ``: the birth year of one record (its date, else its ID number's year)
      differs from the other's;
    - ``doses_interleave``: each record has a dated dose and their dose periods overlap in time;
    - ``doses_continue``: they do not overlap, and the later record continues the earlier one —
      its numbering goes on (doses 1–2 here, 3 there), or the earlier holds a primary series and the
      later starts a booster's gap after it without looking like a primary series itself;
    - ``age_rules_out``: a record's birth year makes the other record's first dose impossible
      (under 12 in 2021: children were not vaccinated before 27 October 2021).

    Missing columns give False (no evidence): the rule then falls back on name, date and contact.
    """
    year = _num(frame, "birth_year")
    id_year = _num(frame, "id_birth_year")
    known_year = np.where(np.isnan(year), id_year, year)
    ly, ry = known_year[left], known_year[right]
    # the date of one against the ID of the other: the ID's year is the better-kept one
    ly_id, ry_id = id_year[left], id_year[right]
    differ = (ly != ry) & ~np.isnan(ly) & ~np.isnan(ry)
    differ |= (ly_id != ry) & ~np.isnan(ly_id) & ~np.isnan(ry) & np.isnan(year[left])
    differ |= (ry_id != ly) & ~np.isnan(ry_id) & ~np.isnan(ly) & np.isnan(year[right])

    first, last = _num(frame, "first_dose_date"), _num(frame, "last_dose_date")
    lo_num, hi_num = _num(frame, "min_dose_number"), _num(frame, "max_dose_number")
    gap = _num(frame, "min_dose_gap_days")
    lf, ll, rf, rl = first[left], last[left], first[right], last[right]
    dated = ~np.isnan(lf) & ~np.isnan(rf)
    interleave = dated & (lf <= rl) & (rf <= ll)
    left_first = ll < rf
    e_last = np.where(left_first, ll, rl)
    l_first = np.where(left_first, rf, lf)
    e_hi = np.where(left_first, hi_num[left], hi_num[right])
    l_lo = np.where(left_first, lo_num[right], lo_num[left])
    l_gap = np.where(left_first, gap[right], gap[left])
    numbering_goes_on = l_lo == e_hi + 1
    booster_after = (e_hi >= 2) & (l_first - e_last >= _BOOSTER_GAP_DAYS)
    not_a_series = np.isnan(l_gap) | (l_gap >= _SERIES_GAP_DAYS)
    continues = dated & ~interleave & (numbering_goes_on | (booster_after & not_a_series))

    # days since 1970 of 27 Oct 2021, when children (12–17) were first vaccinated in Vietnam
    children_from = float(np.datetime64("2021-10-27", "D").astype("int64"))
    born = known_year
    adult_only_first = lambda f: ~np.isnan(f) & (f < children_from)  # noqa: E731
    dose_year = lambda f: 1970 + np.floor(f / 365.25)  # noqa: E731
    rules_out = adult_only_first(rf) & (dose_year(rf) - born[left] < 17)
    rules_out |= adult_only_first(lf) & (dose_year(lf) - born[right] < 17)
    return {
        "birth_years_differ": differ,
        "doses_interleave": interleave,
        "doses_continue": continues,
        "age_rules_out": rules_out,
    }


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series(pd.NA, index=frame.index, dtype="string")


def _text(frame: pd.DataFrame, name: str) -> np.ndarray:
    return as_text(column_or_na(frame, name)).to_numpy()


def same_person(comparison: pd.DataFrame) -> np.ndarray:
    """The decision on compared pairs: True where both records are the same person.

    - two different well-formed ID numbers of the same kind: never (two people);
    - the same ID number: names alike (typo allowed), and the birth dates not in conflict unless the
      names are clearly the same;
    - otherwise: the same name (a typo allowed, the given name agreeing) and birth dates that agree at
      their precision, and sex not in conflict; with the birth date unknown, the same phone, or the
      same village and dose histories that continue each other (when the comparison has the
      evidence columns of :func:`evidence`; without them, the same village);
    - never, without the same ID number, against evidence: different phones, different birth years
      (date against ID), doses interleaving in time, an age that rules the other's doses out —
      when the birth date is unknown or only a year or month.
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
    phone = comparison["phone"].to_numpy()
    village = comparison["village"].to_numpy()

    def flag(name: str) -> np.ndarray:
        if name in comparison.columns:
            return comparison[name].to_numpy(bool)
        return np.zeros(len(comparison), dtype=bool)

    if "doses_continue" in comparison.columns:
        shares_contact = (phone == SAME) | ((village == SAME) & flag("doses_continue"))
    against = (
        (phone == DIFFERENT)
        | flag("birth_years_differ")
        | flag("doses_interleave")
        | flag("age_rules_out")
    )
    # a coarse or missing birth date leaves the name to decide: the evidence must not say "two"
    weak = dob_unknown | (dob == COMPATIBLE)
    by_name = name_close & sex_ok & (dob_ok | (dob_unknown & shares_contact)) & ~(weak & against)
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


def _strong(accepted: pd.DataFrame) -> np.ndarray:
    """Links by the same ID number, birth date (to the day) or phone — not by the name, village
    and dose histories alone."""
    return (
        (accepted["id"].to_numpy() == SAME)
        | (accepted["dob"].to_numpy() == SAME)
        | (accepted["phone"].to_numpy() == SAME)
    )


def _open_middles(left: np.ndarray, right: np.ndarray, n: int) -> np.ndarray:
    """Records linked to two records that are not linked to each other."""
    links = pd.DataFrame({"node": np.r_[left, right], "partner": np.r_[right, left]})
    two_partners = links.merge(links, on="node")
    two_partners = two_partners[two_partners["partner_x"] < two_partners["partner_y"]]
    linked = np.isin(
        two_partners["partner_x"].to_numpy() * n + two_partners["partner_y"].to_numpy(),
        left * n + right,
    )
    return two_partners.loc[~linked, "node"].unique()


def _unambiguous(accepted: pd.DataFrame, n: int) -> pd.DataFrame:
    """Accepted pairs without the links of records that would chain different people together.

    A record with little information (year-only birth date, no ID) can match two namesakes who do not
    match each other; joining it to both would make them one group. Such a record — the middle of an
    open triangle — keeps its strong links (same ID, birth date or phone) when it has one and drops
    the weak ones (name, village and dose histories only); if it is still in the middle, it keeps
    only its links by the same ID number: which namesake it is for a person to decide.
    """
    if accepted.empty:
        return accepted
    left, right = accepted["left"].to_numpy("int64"), accepted["right"].to_numpy("int64")
    middles = _open_middles(left, right, n)
    if len(middles):
        strong = _strong(accepted)
        touches = np.isin(left, middles) | np.isin(right, middles)
        has_strong = np.unique(np.r_[left[strong & touches], right[strong & touches]])
        has_strong = has_strong[np.isin(has_strong, middles)]
        drop = ~strong & (np.isin(left, has_strong) | np.isin(right, has_strong))
        accepted = accepted[~drop]
        left, right = accepted["left"].to_numpy("int64"), accepted["right"].to_numpy("int64")
        middles = _open_middles(left, right, n)
    keep = ~(np.isin(left, middles) | np.isin(right, middles)) | (accepted["id"].to_numpy() == SAME)
    return accepted[keep]


def duplicate_groups(persons: pd.DataFrame) -> pd.DataFrame:
    """Per record (positional index 0..n-1): ``person_group`` (records of one person share it) and
    ``group_size``. Records without duplicates are alone in their group.

    Screening computes it once and hands it to the dose checks (a person's doses are judged on the
    merged history of the group) and to :func:`duplicate_issues`."""
    n = len(persons)
    comparison = candidate_comparisons(persons)
    accepted = _unambiguous(comparison[same_person(comparison)], n)
    labels = connected_components(n, accepted["left"].to_numpy(), accepted["right"].to_numpy())
    groups = pd.DataFrame({"person_group": labels})
    groups["group_size"] = groups.groupby("person_group")["person_group"].transform("size")
    return groups


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
