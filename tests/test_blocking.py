"""Blocking gives exactly the pairs its rules describe: every pair of records equal in all the keys
of a rule (blocks larger than the cap left out), each once — checked against the plain definition
on random frames, since the fast path (hash buckets, packed sorts) must never lose a pair."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from vaxutils.linkage.blocking import (
    UNKNOWN_YEAR_COLUMN,
    UNKNOWN_YEAR_RULE,
    _stable_order,
    dedupe_pairs,
)

RULES = (("name", "birth_year"), ("phone",), ("name", "phone", "birth_year"))

names = st.sampled_from(["nguyen van an", "le thi hoa", "tran binh", None])
phones = st.sampled_from(["0912345678", "0987654321", None])
years = st.sampled_from([1950, 1980, 1981, None])


def _naive(frame: pd.DataFrame, rules, max_block: int, prefix=()) -> set[tuple[int, int]]:
    """The definition: all pairs inside each block of each rule, by comparing every pair."""
    found = set()
    rows = frame.to_dict("records")
    for rule in rules:
        rule = (*prefix, *rule)
        key = [
            None if any(pd.isna(r[c]) for c in rule) else tuple(r[c] for c in rule) for r in rows
        ]
        sizes = pd.Series([k for k in key if k is not None]).value_counts().to_dict()
        for i, j in combinations(range(len(rows)), 2):
            if key[i] is not None and key[i] == key[j] and sizes[key[i]] <= max_block:
                found.add((i, j))
    # a record without a birth year meets every record of its name
    rule = (*prefix, *UNKNOWN_YEAR_RULE)
    key = [None if any(pd.isna(r[c]) for c in rule) else tuple(r[c] for c in rule) for r in rows]
    sizes = pd.Series([k for k in key if k is not None]).value_counts().to_dict()
    for i, j in combinations(range(len(rows)), 2):
        if key[i] is None or key[i] != key[j] or sizes[key[i]] > max_block:
            continue
        if pd.isna(rows[i][UNKNOWN_YEAR_COLUMN]) or pd.isna(rows[j][UNKNOWN_YEAR_COLUMN]):
            found.add((i, j))
    return found


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.tuples(names, phones, years, st.sampled_from(["00001", "00002"])), max_size=40
    ),
    max_block=st.integers(min_value=2, max_value=8),
)
def test_blocking_finds_exactly_the_pairs_its_rules_describe(rows, max_block):
    frame = pd.DataFrame(rows, columns=["name", "phone", "birth_year", "commune"])
    frame = frame.astype({"name": "string", "phone": "string", "commune": "string"})
    frame["birth_year"] = pd.array(frame["birth_year"].tolist(), dtype="Int64")
    # ascii_key is what the unknown-year rule blocks on
    frame["ascii_key"] = frame["name"]
    found = dedupe_pairs(frame, RULES, max_block=max_block, prefix=("commune",))
    assert set(zip(found["left"], found["right"], strict=True)) == _naive(
        frame, RULES, max_block, prefix=("commune",)
    )
    assert not found.duplicated().any()
    assert (found["left"] < found["right"]).all()


def test_blocking_a_large_frame_keeps_every_pair_of_a_shared_key():
    """Many distinct keys and a few shared ones: the hash buckets of the singletons must not hide or
    invent a pair."""
    rng = np.random.default_rng(7)
    n = 50_000
    phone = pd.Series([f"09{v:08d}" for v in rng.permutation(n)], dtype="string")
    twins = rng.choice(n, size=(500, 2), replace=False)
    phone.iloc[twins[:, 1]] = phone.iloc[twins[:, 0]].to_numpy()
    found = dedupe_pairs(pd.DataFrame({"phone": phone}), [("phone",)])
    expected = {tuple(sorted(p)) for p in twins.tolist()}
    assert set(zip(found["left"], found["right"], strict=True)) == expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=2**62 - 1), max_size=60),
    st.integers(min_value=1, max_value=62),
)
def test_the_packed_sort_orders_like_a_stable_argsort(values, bits):
    array = np.array([v % (1 << bits) for v in values], dtype=np.int64)
    assert np.array_equal(_stable_order(array), np.argsort(array, kind="stable"))
