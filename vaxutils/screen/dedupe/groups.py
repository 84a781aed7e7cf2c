"""Accepted pairs joined into groups of one person (connected components), keeping only the
unambiguous links."""

from __future__ import annotations

import numpy as np
import pandas as pd

from vaxutils.linkage.compare import SAME
from vaxutils.screen.dedupe.pairs import compared_candidates, same_person, with_evidence


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


def duplicate_groups(persons: pd.DataFrame, compared: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per record (positional index 0..n-1): ``person_group`` (records of one person share it) and
    ``group_size``. Records without duplicates are alone in their group.

    Screening computes it once and hands it to the dose checks (a person's doses are judged on the
    merged history of the group) and to :func:`duplicate_issues`. ``compared`` is
    :func:`compared_candidates` of the same records when the caller has it (screening finds the
    pairs before the doses are summarised; the evidence is then added from ``persons``)."""
    n = len(persons)
    compared = compared_candidates(persons) if compared is None else compared
    comparison = with_evidence(compared, persons)
    accepted = _unambiguous(comparison[same_person(comparison)], n)
    labels = connected_components(n, accepted["left"].to_numpy(), accepted["right"].to_numpy())
    groups = pd.DataFrame({"person_group": labels})
    groups["group_size"] = groups.groupby("person_group")["person_group"].transform("size")
    return groups
