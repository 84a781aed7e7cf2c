"""Dose histories as sorted chains: each dose next to the previous one of its record (or person).

One stable sort of a packed integer key puts a record's doses in dose-number order; every check
then compares a dose with the previous chain element, with no loop and no groupby over records.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils.screen.dose_checks.prepare import MAX_DOSE_NUMBER, column_text


def histories(d, rcode, num, in_range, dates, groups, person_code=None):
    """History code, dose number and usability per dose.

    Without ``groups``: the record's code and the dose number as typed. With them, the doses of a
    group of several records share the code of the group's first record and are numbered 1, 2, …
    in date order (one per day); doses of such a group without a full plausible date, and a second
    dose of the group on one day, are left out of the history (their dates are findings already,
    the same-day copy is the duplicate's).

    ``person_code`` (the persons' codes of :func:`record_codes`) says that ``groups`` is keyed by the
    persons' record ids row for row: the doses then find their group by integer code.
    """
    usable = in_range & (rcode >= 0)
    if groups is None or len(groups) == 0:
        return rcode, num, usable
    if person_code is not None:
        label, size = group_labels_by_code(rcode, person_code, groups)
    else:
        label, size = group_labels(d["record_id"], groups)
    in_group = (size > 1) & usable
    if not in_group.any():
        return rcode, num, usable
    hcode = rcode.copy()
    # the code of the group: the smallest record code among the group's doses
    group_min = np.full(int(label.max()) + 1, np.iinfo(np.int64).max)
    np.minimum.at(group_min, label[in_group], rcode[in_group].astype(np.int64))
    hcode[in_group] = group_min[label[in_group]]
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


def group_labels(record_id: pd.Series, groups: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Per dose: the integer label of its record's group (-1: none) and the group's number of
    distinct record ids (1 when it has no group).

    ``groups`` maps record_id → label (labels compared as text, the first row of a repeated record_id
    counting, a missing label making no group). Integer codes throughout: a string map of millions of
    doses (twice) is what this replaces; Arrow hashes the ids once each way.
    """
    ids = pa.array(pd.Index(groups.index).astype("string").array).cast(pa.large_string())
    # the first row of each record_id (a missing id counts as one value, like a pandas index)
    first_at = pc.index_in(ids, value_set=ids, skip_nulls=False).to_numpy(zero_copy_only=False)
    first = first_at == np.arange(len(ids))
    at = pc.index_in(
        pa.array(record_id.astype("string").array).cast(pa.large_string()),
        value_set=ids,
        skip_nulls=True,
    )
    return _labels(groups, first, at.fill_null(-1).to_numpy().astype(np.int64))


def group_labels_by_code(rcode: np.ndarray, person_code: np.ndarray, groups: pd.Series):
    """:func:`group_labels` when ``groups`` is keyed row for row by the persons' record ids that
    ``person_code`` codes (shared with the doses' ``rcode``): no text hashed again."""
    n_codes = max(int(rcode.max(initial=-1)), int(person_code.max(initial=-1))) + 1
    rows = np.arange(len(person_code))
    first_row = np.full(n_codes + 1, -1, dtype=np.int64)
    # written in reverse order, the first row of a code wins; -1 (a missing id) → the spare slot
    first_row[np.where(person_code >= 0, person_code, n_codes)[::-1]] = rows[::-1]
    first = np.zeros(len(person_code), dtype=bool)
    first[first_row[first_row >= 0]] = True
    dose_row = np.where(rcode >= 0, first_row[np.maximum(rcode, 0)], -1)
    return _labels(groups, first, dose_row)


def _labels(groups: pd.Series, first: np.ndarray, dose_row: np.ndarray):
    """Label code and group size per dose from the row of ``groups`` of each dose (-1: none) and
    the first rows of the record ids (the only ones that count)."""
    values = groups.to_numpy()
    if not pd.api.types.is_integer_dtype(values.dtype):  # integers as text are equal iff equal
        values = pd.Series(values, dtype=object).astype("string").array
    label_of_row, _ = pd.factorize(values)
    label_of_row = np.where(first, label_of_row, -1)
    n_labels = int(label_of_row.max(initial=-1)) + 1
    members = np.bincount(label_of_row[label_of_row >= 0], minlength=n_labels)
    label = np.where(dose_row >= 0, label_of_row[np.maximum(dose_row, 0)], -1)
    size = np.where(label >= 0, np.append(members, 1)[label], 1)
    return label, size


def keyed_like_persons(groups: pd.Series, persons: pd.DataFrame) -> bool:
    """Whether ``groups`` is keyed by the persons' record ids (stripped), row for row."""
    if len(groups) != len(persons) or "record_id" not in persons.columns:
        return False
    theirs = column_text(persons, "record_id").str.strip().reset_index(drop=True)
    ours = pd.Series(pd.Index(groups.index).astype("string").array)
    same = ours.eq(theirs).fillna(False) | (ours.isna() & theirs.isna())
    return bool(same.all())


@dataclass(frozen=True)
class DoseCodes:
    """What :func:`record_codes` computes, when the caller has it already (screening hashed the
    record ids once): per dose and per persons row the code of the record id (stripped; -1 when
    missing), shared by both, and the number of codes. Any numbering will do: the checks only
    compare codes for equality and sort by them within a history."""

    doses: np.ndarray
    persons: np.ndarray
    n: int


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
