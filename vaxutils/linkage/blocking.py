"""Blocking: the few candidate pairs worth comparing, never all pairs.

A commune has ~8,000 records, i.e. 32 million pairs; records of one person almost always share
something exact once normalised — the diacritic-free name, the ID number, a phone number with the
birth year, the given name with the birth date. Each *blocking rule* is a tuple of key columns;
records with equal, non-missing values in all of them form a block, and only pairs inside a block
are compared. The union over the rules is the candidate set.

>>> persons = pd.DataFrame({"ascii_key": ["nguyen van nam", "nguyen van nam", "le thi hoa"],
...                         "birth_year": pd.array([1980, 1980, 1990], dtype="Int64")})
>>> dedupe_pairs(blocking_keys(persons), [("ascii_key", "birth_year")]).to_dict("list")
{'left': [0], 'right': [1]}
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from vaxutils.kernel.cells import as_dates, as_text, column_or_na

Rule = tuple[str, ...]

# Default rules for finding one person's several records (and records against the registry).
# Why each: name typed with/without diacritics or in capitals (same birth year: two records of one
# person whose birth dates differ are not accepted anyway; a record with no birth year meets its
# namesakes through UNKNOWN_YEAR_RULE); same ID (or its leading-zero repair); family registering
# children under one phone; typo in the family or middle name; typo in the given name (also brings
# twins together, whom the comparison then keeps apart); typo in the middle name of a record with a
# year-only birth date.
DEDUPE_RULES: tuple[Rule, ...] = (
    ("ascii_key", "birth_year"),
    ("id_key",),
    ("phone", "birth_year"),
    ("given_ascii", "dob_day"),
    ("family_ascii", "dob_day"),
    ("family_ascii", "given_ascii", "birth_year"),
)

# A record without a birth year is compared with every record of the same name (not all pairs of
# namesakes: a common name in a large commune would cost its count squared).
UNKNOWN_YEAR_RULE: Rule = ("ascii_key",)
UNKNOWN_YEAR_COLUMN = "birth_year"

# A block this large is a placeholder value ("0000000000" as phone, "Không rõ" as name), not a
# person; comparing it would cost its size squared. Its records still meet through the other rules.
MAX_BLOCK_SIZE = 300


def blocking_keys(persons: pd.DataFrame) -> pd.DataFrame:
    """The key columns the rules use, one row per person (same index), as clean nullable values.

    ascii_key and phone as text; family_ascii / given_ascii: first and last word of ``ascii_key``;
    id_key: the valid ID, else its repaired suggestion; birth_year; dob_day: the birth date as text
    when known to the day.
    """
    return blocking_keys_and_codes(persons)[0]


def blocking_keys_and_codes(persons: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """:func:`blocking_keys` and, for its name columns, integer codes as :func:`dedupe_pairs`'
    ``factorized`` takes them: the names are hashed once, not again per key column.

    >>> keys, codes = blocking_keys_and_codes(pd.DataFrame({"ascii_key": ["le van an", "an", None]}))
    >>> codes["given_ascii"][0].tolist(), keys["given_ascii"].tolist()
    ([0, -1, -1], ['an', <NA>, <NA>])
    """
    ascii_key = as_text(column_or_na(persons, "ascii_key"))
    if "dob" in persons.columns:
        dob = as_dates(persons["dob"])
    else:
        dob = pd.Series(pd.NaT, index=persons.index, dtype="datetime64[ns]")
    precision = as_text(column_or_na(persons, "dob_precision"))
    known_day = (precision.isna() | precision.eq("day")).fillna(True) & dob.notna()
    if "birth_year" in persons.columns:
        birth_year = pd.to_numeric(persons["birth_year"], errors="coerce")
        birth_year = birth_year.where(birth_year.between(1800, 2200))
    else:
        birth_year = dob.dt.year
    # Names and birth dates repeat a lot: the text work is done once per distinct value.
    index = persons.index
    name_codes, names = pd.factorize(ascii_key)
    names = pd.Series(names, dtype="string")
    day_codes, days = pd.factorize(dob)
    day_text = pd.Series(pd.DatetimeIndex(days).strftime("%Y-%m-%d"), dtype="string")
    family = names.str.replace(r" .*$", "", regex=True)
    # A one-word name has no separate given name to block on.
    given = names.str.replace(r"^.* ", "", regex=True).where(
        names.str.contains(" ", regex=False).fillna(False)
    )
    factorized = {
        "ascii_key": (name_codes, names),
        "family_ascii": _codes_through(family, name_codes),
        "given_ascii": _codes_through(given, name_codes),
        "dob_day": (np.where(known_day.to_numpy(bool), day_codes, -1), day_text),
    }
    keys = pd.DataFrame(
        {
            "ascii_key": ascii_key,
            "family_ascii": _take(family, name_codes, index),
            "given_ascii": _take(given, name_codes, index),
            "id_key": as_text(column_or_na(persons, "id_compact")).fillna(
                as_text(column_or_na(persons, "id_suggestion"))
            ),
            "phone": as_text(column_or_na(persons, "phone")),
            "birth_year": birth_year.round().astype("Int64"),
            "dob_day": _take(day_text, day_codes, index).where(known_day),
        },
        index=persons.index,
    )
    return keys, factorized


def _codes_through(distinct: pd.Series, codes: np.ndarray) -> tuple[np.ndarray, pd.Index]:
    """``pd.factorize`` of ``distinct`` taken at ``codes`` (per record), by hashing only the distinct
    values: equal codes for equal values, -1 for missing, as ``_block_codes`` reads them."""
    inner, uniques = pd.factorize(distinct)
    # code -1 (a missing name) reads the appended -1; no distinct value at all is fine too
    return np.append(inner, -1)[codes], uniques


def _take(distinct: pd.Series, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """Per-record values from the values of the distinct keys (code -1: missing)."""
    return pd.Series(distinct.array.take(codes, allow_fill=True), index=index)


def _block_codes(keys: pd.DataFrame, rule: Rule, factorized: dict | None = None) -> np.ndarray:
    """One integer per record: equal for records equal in every key of ``rule``, -1 if any is missing.

    ``factorized`` caches each column's ``pd.factorize`` across rules (text hashing is the cost).
    """
    factorized = {} if factorized is None else factorized
    combined = np.zeros(len(keys), dtype="int64")
    n_combined = 1  # combined codes lie in [0, n_combined)
    missing = np.zeros(len(keys), dtype=bool)
    for column in rule:
        if column not in factorized:
            factorized[column] = pd.factorize(keys[column])
        codes, uniques = factorized[column]
        missing |= codes < 0
        # Mixed-radix codes stay exact while they fit in int64; only then is a re-numbering needed.
        if n_combined * (len(uniques) + 1) >= 2**62:
            combined, distinct = pd.factorize(combined)
            n_combined = len(distinct)
        combined = combined * (len(uniques) + 1) + np.maximum(codes, 0)
        n_combined *= len(uniques) + 1
    return np.where(missing, -1, combined)


# Fibonacci hashing: a block code times this odd constant, top bits kept, spreads codes evenly.
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _shared_positions(block: np.ndarray) -> np.ndarray:
    """Positions whose block code (not -1) may be shared with another record: most records are
    alone in their block, and a count per hash bucket (linear, no sort) rules them out; a shared
    bucket may still hold two different codes, which the sort that follows tells apart."""
    known = np.flatnonzero(block >= 0)
    bits = max(int(np.ceil(np.log2(max(len(known), 1)))) + 2, 8)
    bucket = ((block[known].astype(np.uint64) * _GOLDEN) >> np.uint64(64 - bits)).astype(np.intp)
    return known[np.bincount(bucket, minlength=1 << bits)[bucket] >= 2]


def _stable_order(values: np.ndarray) -> np.ndarray:
    """``np.argsort(values, kind="stable")`` of non-negative integers; when each value and its
    position fit in one int64 together, by sorting those packed numbers (a plain sort of numbers is
    several times faster than an argsort)."""
    width = max(len(values) - 1, 1).bit_length()
    if len(values) == 0 or int(values.max()) >= 1 << (62 - width):
        return np.argsort(values, kind="stable")
    packed = np.sort((values.astype(np.int64) << width) | np.arange(len(values)))
    return packed & ((1 << width) - 1)


def _pairs_within_blocks(block: np.ndarray, max_block: int) -> np.ndarray:
    """All pairs (i, j), i < j, of positions with the same block code (not -1), as an (m, 2) array.

    Sorting the records that may share a block puts each block in a run; every element pairs with
    the rest of its run.
    """
    candidates = _shared_positions(block)
    order = candidates[_stable_order(block[candidates])]
    sorted_block = block[order]
    # Run boundaries from the changes of value (cheaper than searching every element).
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_block)) + 1]
    lengths = np.diff(np.r_[starts, len(sorted_block)])
    run_start = np.repeat(starts, lengths)
    run_end = run_start + np.repeat(lengths, lengths)
    usable = run_end - run_start <= max_block
    position = np.arange(len(sorted_block))
    partners = np.where(usable, run_end - position - 1, 0)
    first = np.repeat(position, partners)
    offset = np.arange(partners.sum()) - np.repeat(np.cumsum(partners) - partners, partners)
    a, b = order[first], order[first + 1 + offset]
    return np.column_stack([np.minimum(a, b), np.maximum(a, b)])


def dedupe_pairs(
    frame: pd.DataFrame,
    rules: Sequence[Rule] = DEDUPE_RULES,
    max_block: int = MAX_BLOCK_SIZE,
    prefix: Rule = (),
    factorized: dict | None = None,
) -> pd.DataFrame:
    """Candidate pairs of records of one frame (positions 0..n-1), each pair once with left < right.

    ``prefix`` columns are added to every rule (e.g. the commune: records only meet within it).
    ``factorized``: codes of some columns already known (:func:`blocking_keys_and_codes`).
    """
    factorized = {} if factorized is None else dict(factorized)
    parts = [
        _pairs_within_blocks(_block_codes(frame, (*prefix, *rule), factorized), max_block)
        for rule in rules
        if set(prefix) | set(rule) <= set(frame.columns)
    ]
    parts.append(_unknown_year_pairs(frame, prefix, max_block, factorized))
    found = np.concatenate(parts) if parts else np.empty((0, 2), dtype="int64")
    # Each pair once, whichever rules found it (one int64 per pair makes unique cheap).
    n = max(len(frame), 1)
    codes = np.unique(found[:, 0].astype("int64") * n + found[:, 1])
    return pd.DataFrame({"left": codes // n, "right": codes % n}, dtype="int64")


def _unknown_year_pairs(
    frame: pd.DataFrame, prefix: Rule, max_block: int, factorized: dict | None = None
) -> np.ndarray:
    """Pairs of a record without a birth year with each record of the same name (UNKNOWN_YEAR_RULE)."""
    rule = (*prefix, *UNKNOWN_YEAR_RULE)
    if not set(rule) | {UNKNOWN_YEAR_COLUMN} <= set(frame.columns):
        return np.empty((0, 2), dtype="int64")
    block = _block_codes(frame, rule, factorized)
    unknown = frame[UNKNOWN_YEAR_COLUMN].isna().to_numpy() & (block >= 0)
    if not unknown.any():
        return np.empty((0, 2), dtype="int64")
    block = np.where(block >= 0, pd.factorize(block)[0], -1)
    sizes = np.bincount(block[block >= 0])
    position = np.arange(len(frame))
    askers = pd.DataFrame({"block": block[unknown], "a": position[unknown]})
    askers = askers[sizes[askers["block"]] <= max_block]
    everyone = pd.DataFrame({"block": block[block >= 0], "b": position[block >= 0]})
    pairs = askers.merge(everyone, on="block")[["a", "b"]].to_numpy()
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return np.column_stack([pairs.min(axis=1), pairs.max(axis=1)])


def link_pairs(
    left: pd.DataFrame,
    right: pd.DataFrame,
    rules: Sequence[Rule],
    max_block: int = MAX_BLOCK_SIZE,
) -> pd.DataFrame:
    """Candidate pairs between two frames: positions in ``left`` and in ``right``, each pair once."""
    parts = []
    for rule in rules:
        if not (set(rule) <= set(left.columns) and set(rule) <= set(right.columns)):
            continue
        lk = _keyed(left, rule)
        rk = _keyed(right, rule)
        pairs = lk.merge(rk, on=list(rule), suffixes=("_l", "_r"))
        per_block = pairs.groupby(list(rule), sort=False)["pos_l"].transform("size")
        pairs = pairs[per_block <= max_block * max_block]
        parts.append(pairs[["pos_l", "pos_r"]].to_numpy())
    found = np.unique(np.concatenate(parts), axis=0) if parts else np.empty((0, 2), dtype="int64")
    return pd.DataFrame({"left": found[:, 0], "right": found[:, 1]}, dtype="int64")


def _keyed(frame: pd.DataFrame, rule: Rule) -> pd.DataFrame:
    keys = frame.loc[:, list(rule)].reset_index(drop=True).astype("string")
    keys["pos"] = np.arange(len(keys))
    return keys[keys[list(rule)].notna().all(axis=1).to_numpy()]
