"""Candidate pairs across communes from the shuffled keys (:mod:`vaxutils.screen.cross_keys`):
one row per (record, rule) with a key (:func:`blocking_rows`, what the shuffle moves), then per
shuffled partition the pairs of blocks that span communes (:func:`candidate_pairs`).

>>> keys = pd.DataFrame({"gid": [1, 2], "part": [0, 1], "k_id": np.array([7, 7], "uint64"),
...     "k_name": np.array([0, 0], "uint64"), "k_phone": np.array([0, 0], "uint64"),
...     "dose_lo": [1, 3], "dose_hi": [2, 3], "first": [1, 300], "last": [60, 300]})
>>> candidate_pairs(blocking_rows(keys))[["gid_a", "gid_b", "rule"]].values.tolist()
[[1, 2, 1]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

RULE_ID, RULE_NAME, RULE_PHONE = 1, 2, 3
KEY_COLUMNS = {"k_id": RULE_ID, "k_name": RULE_NAME, "k_phone": RULE_PHONE}
# A key shared by more records than this is a placeholder ("Không rõ", "0000000000"), not a person.
MAX_BLOCK = 300
# Rows of the block × block join made at once: a block of n records joins into n² rows before the
# filters, and blocks of common names grow with the country (a name + birth year has 5× the records
# in 5× the people), so a partition joins its blocks a batch at a time.
JOIN_ROWS = 1_000_000
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


def candidate_pairs(
    rows: pd.DataFrame, max_block: int = MAX_BLOCK, join_rows: int = JOIN_ROWS
) -> pd.DataFrame:
    """Pairs (gid_a < gid_b) within the blocks of one shuffled partition that span communes.

    ID blocks give all their pairs (a shared ID is judged on all its records); name blocks only
    pairs of complementary dose histories across communes (a namesake elsewhere is no evidence by
    itself); phone blocks, pairs across communes. The blocks are joined in batches of about
    ``join_rows`` rows (:data:`JOIN_ROWS`): a partition's memory does not grow with its blocks.
    """
    empty = pd.DataFrame({c: pd.Series(dtype=t) for c, t in PAIR_META.items()})
    if rows.empty:
        return empty
    spread = rows.groupby("bkey")["part"].agg(["nunique", "size"])
    wanted = spread[(spread["nunique"] > 1) & (spread["size"] <= max_block)]
    blocks = rows[rows["bkey"].isin(wanted.index)]
    # a record without a dated dose continues no history: no pair by name
    blocks = blocks[(blocks["rule"].to_numpy() != RULE_NAME) | (blocks["dose_lo"].to_numpy() > 0)]
    if blocks.empty:
        return empty
    cost = wanted["size"].to_numpy("int64") ** 2
    batch = pd.Series(np.cumsum(cost) // max(1, int(join_rows)), index=wanted.index)
    found = [
        _block_pairs(batch_rows)
        for _, batch_rows in blocks.groupby(blocks["bkey"].map(batch).to_numpy(), sort=True)
    ]
    return pd.concat(found, ignore_index=True).astype(PAIR_META)


def _block_pairs(blocks: pd.DataFrame) -> pd.DataFrame:
    """The candidate pairs of some whole blocks (see :func:`candidate_pairs`)."""
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
    return both.loc[keep, ["gid_a", "gid_b", "rule"]]
