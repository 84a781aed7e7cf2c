"""Candidate pairs of records (blocked, never all pairs), compared field by field, and the
rule that decides whether a pair is one person."""

from __future__ import annotations

import numpy as np
import pandas as pd

from vaxutils.kernel.cells import as_text
from vaxutils.linkage.blocking import DEDUPE_RULES, blocking_keys_and_codes, dedupe_pairs
from vaxutils.linkage.compare import (
    COMPARED_COLUMNS,
    COMPATIBLE,
    DIFFERENT,
    SAME,
    UNKNOWN,
    compare_pairs,
)
from vaxutils.screen.dedupe.evidence import evidence

# Similarity (compare.name_similarity, 0..100, on diacritic-free names) above which two names are
# the same name with a typo — with the given names agreeing. Measured on the synthetic set of
# benchmarks/bench_dedupe.py: twins "nguyen van minh"/"nguyen van manh" score 93 but fail the given-name
# test; one-letter typos in a three-word name score ≥ 90.
NAME_CLOSE = 90
# With the same ID number, a looser name test: the ID already says "one person".
NAME_LOOSE_SAME_ID = 75


def candidate_comparisons(persons: pd.DataFrame) -> pd.DataFrame:
    """Blocked candidate pairs (positions ``left`` < ``right``) with their field agreements and,
    where ``persons`` has the columns for it, the evidence of :func:`evidence`."""
    return with_evidence(compared_candidates(persons), persons)


def compared_candidates(persons: pd.DataFrame) -> pd.DataFrame:
    """Blocked candidate pairs (positions ``left`` < ``right``) with their field agreements: what
    the person fields alone say (screening finds them while the doses are still being read)."""
    frame = persons.reset_index(drop=True)
    keys, factorized = blocking_keys_and_codes(frame)
    # Screening is per commune (the unit of the procedure): a larger input is blocked within each
    # commune, so the candidate pairs grow with the number of communes, not with its square.
    keys["commune"] = _commune_keys(frame)
    pairs = dedupe_pairs(keys, DEDUPE_RULES, prefix=("commune",), factorized=factorized)
    left, right = pairs["left"].to_numpy(), pairs["right"].to_numpy()
    # Compare only the records that are in some pair (a small share of a large input), on the
    # columns a comparison reads.
    involved = np.unique(np.concatenate([left, right]))
    compared = [column for column in COMPARED_COLUMNS if column in frame.columns]
    subset = frame[compared].iloc[involved].reset_index(drop=True)
    comparison = compare_pairs(
        subset, subset, np.searchsorted(involved, left), np.searchsorted(involved, right)
    )
    comparison.insert(0, "right", right)
    comparison.insert(0, "left", left)
    return comparison


def _commune_keys(frame: pd.DataFrame) -> pd.Series | str:
    commune = frame["commune_code"] if "commune_code" in frame.columns else None
    return as_text(commune).fillna("") if commune is not None else ""


def commune_parts(persons: pd.DataFrame, n_parts: int) -> list[np.ndarray]:
    """Positions of ``persons`` in at most ``n_parts`` parts of whole communes, of near-equal size
    (communes in order of their codes; each in the part its middle record falls in). Records
    meet only within their commune: the candidates of the parts together are the whole's.

    >>> [p.tolist() for p in commune_parts(pd.DataFrame({"commune_code": list("abab") + [None]}), 2)]
    [[0, 2, 4], [1, 3]]
    """
    key = _commune_keys(persons.reset_index(drop=True))
    if isinstance(key, str) or n_parts <= 1 or len(persons) == 0:
        return [np.arange(len(persons))]
    code, distinct = pd.factorize(key, sort=True)
    sizes = np.bincount(code, minlength=len(distinct))
    # each commune goes to the part its middle record falls in
    middle = np.cumsum(sizes) - sizes / 2
    part_of = np.minimum((middle * n_parts // len(persons)).astype("int64"), n_parts - 1)[code]
    order = np.argsort(part_of, kind="stable")
    bounds = np.searchsorted(part_of[order], np.arange(1, n_parts))
    return [part for part in np.split(order, bounds) if len(part)]


def compared_in_part(persons: pd.DataFrame, positions: np.ndarray) -> pd.DataFrame:
    """:func:`compared_candidates` of the records at ``positions`` (a :func:`commune_parts` part),
    with ``left``/``right`` as positions in ``persons``."""
    comparison = compared_candidates(persons.iloc[positions])
    comparison["left"] = positions[comparison["left"].to_numpy()]
    comparison["right"] = positions[comparison["right"].to_numpy()]
    return comparison


def joined_parts(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The comparisons of :func:`compared_in_part` as :func:`compared_candidates` of the whole
    gives them: one table, pairs ordered by ``left`` then ``right``."""
    joined = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    order = np.lexsort((joined["right"].to_numpy(), joined["left"].to_numpy()))
    return joined.take(order).reset_index(drop=True)


def with_evidence(comparison: pd.DataFrame, persons: pd.DataFrame) -> pd.DataFrame:
    """:func:`compared_candidates` of ``persons`` with the evidence of :func:`evidence` (from the
    columns ``persons`` has: the dose summary among them)."""
    found = evidence(
        persons.reset_index(drop=True),
        comparison["left"].to_numpy(),
        comparison["right"].to_numpy(),
    )
    return comparison.assign(**found)


# Columns of the persons frame that :func:`evidence` reads (screening adds the dose summary).


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
