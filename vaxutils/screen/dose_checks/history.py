"""Dose histories as sorted chains: each dose next to the previous one of its record (or person).

One stable sort of a packed integer key puts a record's doses in dose-number order; every check
then compares a dose with the previous chain element, with no loop and no groupby over records.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vaxutils.screen.dose_checks.prepare import MAX_DOSE_NUMBER, column_text


def histories(d, rcode, num, in_range, dates, groups):
    """History code, dose number and usability per dose.

    Without ``groups``: the record's code and the dose number as typed. With them, the doses of a
    group of several records share the code of the group's first record and are numbered 1, 2, …
    in date order (one per day); doses of such a group without a full plausible date, and a second
    dose of the group on one day, are left out of the history (their dates are findings already,
    the same-day copy is the duplicate's).
    """
    usable = in_range & (rcode >= 0)
    if groups is None or len(groups) == 0:
        return rcode, num, usable
    label = pd.Series(groups.to_numpy(), index=groups.index.astype("string")).astype("string")
    label = label[~label.index.duplicated()]
    size = label.map(label.value_counts())
    merged = d["record_id"].map(label).astype("string")
    in_group = (d["record_id"].map(size).fillna(1) > 1).to_numpy(dtype=bool) & usable
    if not in_group.any():
        return rcode, num, usable
    hcode = rcode.copy()
    # the code of the group: the smallest record code among the group's doses
    codes = pd.Series(rcode[in_group]).groupby(merged[in_group].to_numpy()).transform("min")
    hcode[in_group] = codes.to_numpy()
    day = dates["day"]
    exact = dates["exact"]
    frame = pd.DataFrame({"h": hcode[in_group], "day": day[in_group], "ok": exact[in_group],
                          "row": np.flatnonzero(in_group)})  # fmt: skip
    frame = frame[frame["ok"]].sort_values(["h", "day", "row"], kind="stable")
    first_of_day = ~frame.duplicated(["h", "day"])
    frame = frame[first_of_day.to_numpy()]
    num = num.copy()
    num[frame["row"].to_numpy()] = frame.groupby("h").cumcount().to_numpy() + 1
    usable = usable.copy()
    usable[in_group] = False
    usable[frame["row"].to_numpy()] = True
    return hcode, num, usable & (num <= MAX_DOSE_NUMBER)


def record_codes(record_id: pd.Series, persons: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, int]:
    """One integer per record_id, shared by doses and persons (-1 for a missing id)."""
    if "record_id" in persons.columns:
        # stripped like the doses' ids, so " A1" in one sheet still meets "A1" in the other
        theirs = column_text(persons, "record_id").str.strip().reset_index(drop=True)
    else:
        theirs = pd.Series([], dtype="string")
    codes, uniques = pd.factorize(pd.concat([record_id, theirs], ignore_index=True))
    return codes[: len(record_id)], codes[len(record_id) :], len(uniques)


def dose_chain(rcode, num, day, source_row, usable) -> np.ndarray:
    """Positions of usable doses sorted by record, dose number, date (missing last), source row.

    The tie-breaks make the result independent of the row order of the file. One stable sort of
    a packed integer key (record | number | day) after ordering by source row.
    """
    chain = np.flatnonzero(usable)
    src = source_row.fillna(-1).to_numpy(dtype=np.int64)[chain]
    if np.any(src[1:] < src[:-1]):
        chain = chain[np.argsort(src, kind="stable")]
    offset = (day[chain] - np.datetime64("1900-01-01", "D")).astype(np.int64)
    day_key = np.where(np.isnat(day[chain]), _DAY_KEY_MAX, np.clip(offset, 0, _DAY_KEY_MAX - 1))
    key = (rcode[chain].astype(np.int64) << 24) | (num[chain] << 20) | day_key
    return chain[np.argsort(key, kind="stable")]


_DAY_KEY_MAX = (1 << 20) - 1  # 20 bits of days from 1900: past 4700; NaT sorts last


def same_record_as_prev(rcode: np.ndarray, chain: np.ndarray) -> np.ndarray:
    same = np.zeros(len(chain), dtype=bool)
    same[1:] = rcode[chain][1:] == rcode[chain][:-1]
    return same


def prev(values: np.ndarray, chain: np.ndarray) -> np.ndarray:
    """The previous chain element's value (the first element gets its own: mask it out)."""
    v = values[chain]
    return np.concatenate([v[:1], v[:-1]])


def repeated_numbers(rcode, num, chain) -> np.ndarray:
    """Chain elements whose dose number the same record already had (the earliest-dated stays)."""
    return same_record_as_prev(rcode, chain) & (num[chain] == prev(num, chain))


def primary_doses_by_record(rcode, pcode, facts, kept, n_ids) -> np.ndarray:
    """Per record code: primary doses of the record's first known product in dose-number order
    (NaN when none is known). ``kept`` is sorted by record, so a record starts where the code
    changes: no groupby needed."""
    out = np.full(n_ids + 1, np.nan)
    known = kept[pcode[kept] >= 0]
    rc = rcode[known]
    starts = np.ones(len(rc), dtype=bool)
    starts[1:] = rc[1:] != rc[:-1]
    out[rc[starts]] = facts.primary_doses[pcode[known[starts]]]
    return out
