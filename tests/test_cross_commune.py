"""The cross-commune pass on its own (no cluster): keys, candidate pairs, the decision."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from vaxutils.screen.cross_commune import (
    PART_SHIFT,
    blocking_rows,
    candidate_pairs,
    complementary,
    cross_issues,
    cross_keys,
    judge_pairs,
    merge_judgements,
)


def _keys(rows):
    frame = pd.DataFrame(
        rows,
        columns=["gid", "part", "k_id", "k_name", "k_phone", "dose_lo", "dose_hi", "first", "last"],
    )
    for c in ("k_id", "k_name", "k_phone"):
        frame[c] = frame[c].astype("uint64")
    return frame


def test_blocks_within_one_commune_give_no_pairs():
    keys = _keys([[1, 0, 5, 6, 7, 1, 2, 10, 40], [2, 0, 5, 6, 7, 3, 3, 200, 200]])
    assert candidate_pairs(blocking_rows(keys)).empty


def test_namesakes_across_communes_pair_only_with_complementary_doses():
    keys = _keys(
        [
            [1, 0, 0, 6, 0, 1, 2, 10, 40],  # doses 1-2
            [2, 1, 0, 6, 0, 3, 3, 200, 200],  # booster later: continues 1
            [3, 2, 0, 6, 0, 1, 2, 12, 50],  # doses 1-2 again: no evidence with record 1
        ]
    )
    pairs = candidate_pairs(blocking_rows(keys))
    # 1 and 3 both had doses 1-2: namesakes elsewhere, never a candidate pair by name
    assert sorted(pairs[["gid_a", "gid_b"]].values.tolist()) == [[1, 2], [2, 3]]


def test_placeholder_blocks_are_skipped():
    n = 400
    keys = _keys([[i, i % 3, 0, 0, 9, 0, 0, 0, 0] for i in range(n)])  # one phone for 400 people
    assert candidate_pairs(blocking_rows(keys)).empty


def _span(lo, hi, first, last):
    return pd.DataFrame({"dose_lo": lo, "dose_hi": hi, "first": first, "last": last})


@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(0, 900), st.integers(0, 900)),
        min_size=2,
        max_size=20,
    )
)
def test_complementary_is_symmetric_and_needs_disjoint_ordered_histories(rows):
    lo, hi, first, last = (np.array(c) for c in zip(*rows, strict=True))
    hi, last = np.maximum(lo, hi), np.maximum(first, last)
    a = _span(lo, hi, first, last)
    b = a.iloc[::-1].reset_index(drop=True)
    got = complementary(a, b)
    assert (got == complementary(b, a)).all()
    # a history never continues itself, and an empty one continues nothing
    assert not complementary(a, a).any()
    assert not got[(a["dose_lo"].to_numpy() == 0) | (b["dose_lo"].to_numpy() == 0)].any()
    overlap = (a["dose_hi"].to_numpy() >= b["dose_lo"].to_numpy()) & (
        b["dose_hi"].to_numpy() >= a["dose_lo"].to_numpy()
    )
    assert not got[overlap].any()


def _persons():
    """Screened-records-like rows: one person in two communes (same ID), a number shared by two
    different people in two communes (one of them twice in its commune), twins."""
    rows = [
        # gid part commune record name dob sex id phone
        (0, 0, "00001", "A1", "Lê Văn Khánh", "1985-03-12", "Nam", "001085012345", None),
        (1, 0, "00001", "S1", "Hoàng Văn Tú", "1970-01-02", "Nam", "001070000111", None),
        (2, 0, "00001", "S2", "Hoàng Văn Tú", "1970-01-02", "Nam", "001070000111", None),
        (3, 0, "00001", "T1", "Phạm Văn Minh", "2000-01-05", "Nam", None, "0987654321"),
        ((1 << PART_SHIFT) + 0, 1, "00004", "A2", "Lê Văn Khánh", "1985-03-12", "Nam", "001085012345", None),
        ((1 << PART_SHIFT) + 1, 1, "00004", "S3", "Đinh Thị Hạnh", "1991-09-09", "Nữ", "001070000111", None),
        ((1 << PART_SHIFT) + 2, 1, "00004", "T2", "Phạm Văn Mạnh", "2000-01-05", "Nam", None, "0987654321"),
    ]  # fmt: skip
    frame = pd.DataFrame(
        rows,
        columns=[
            "gid",
            "part",
            "commune",
            "record_id",
            "full_name",
            "dob",
            "sex",
            "id_compact",
            "phone",
        ],
    )
    from vaxutils.text import names

    frame["name_key"] = names.match_key_series(frame["full_name"])
    frame["ascii_key"] = names.ascii_key_series(frame["full_name"])
    frame["dob"] = pd.to_datetime(frame["dob"])
    frame["dob_precision"] = "day"
    frame["birth_year"] = frame["dob"].dt.year.astype("Int64")
    frame["id_kind"] = np.where(frame["id_compact"].notna(), "cccd", "missing")
    frame["id_raw"] = frame["id_compact"]
    frame["id_suggestion"] = None
    frame["source_row"] = np.arange(2, 2 + len(frame))
    frame["first_dose_date"] = pd.NaT
    frame["village"] = "Thôn 1"
    # twins: T1 doses 1-2, T2 the booster — histories continue each other, names do not match
    frame["dose_lo"] = [1, 1, 1, 1, 1, 1, 3]
    frame["dose_hi"] = [2, 2, 2, 2, 2, 2, 3]
    frame["first"] = [10, 10, 10, 10, 10, 10, 300]
    frame["last"] = [40, 40, 40, 40, 40, 40, 300]
    return frame


def test_cross_issues_one_person_a_shared_number_and_twins():
    persons = _persons()
    doses = pd.DataFrame({"record_id": [], "dose_number": [], "dose_date": pd.to_datetime([])})
    keys = cross_keys(
        persons, doses, persons["part"].to_numpy(), persons["gid"].to_numpy() & 0xFFFF
    )
    keys[["dose_lo", "dose_hi", "first", "last"]] = persons[["dose_lo", "dose_hi", "first", "last"]]
    pairs = candidate_pairs(blocking_rows(keys))
    issues, redo = cross_issues(pairs, persons)
    by = issues.set_index(["record_id", "code"])
    assert by.loc[("A1", "duplicate_other_commune"), "related"] == "A2 (xã 00004)"
    assert by.loc[("A2", "duplicate_other_commune"), "related"] == "A1 (xã 00001)"
    # the shared number: every record of it, the others listed in dataset order
    assert by.loc[("S1", "duplicate_id_shared"), "related"] == "S2,S3"
    assert by.loc[("S3", "duplicate_id_shared"), "related"] == "S1,S2"
    assert not issues["record_id"].isin(["T1", "T2"]).any()
    assert set(redo["record_id"]) == {"A1", "A2", "S1", "S2", "S3"}


def _three_communes():
    """:func:`_persons` plus one person in three communes, linked by different keys: B1 and B2 by
    their ID (and phone), B3 (no ID, the booster) by the phone and by name with the dose history
    that continues theirs — a group only the run-wide step can see whole; and S4, S1 again in a
    third commune."""
    base = _persons()
    b = pd.concat([base[base["record_id"] == "A1"]] * 3, ignore_index=True)
    b["gid"] = [4, (1 << PART_SHIFT) + 3, 2 << PART_SHIFT]
    b["part"] = [0, 1, 2]
    b["commune"] = ["00001", "00004", "00007"]
    b["record_id"] = ["B1", "B2", "B3"]
    b["source_row"] = [20, 21, 22]
    b["full_name"] = "Trần Thị Mai"
    b["dob"] = pd.Timestamp("1990-06-01")
    b["birth_year"] = pd.array([1990] * 3, dtype="Int64")
    b["sex"] = "Nữ"
    b["id_compact"] = ["001190004444", "001190004444", None]
    b["id_raw"] = b["id_compact"]
    b["id_kind"] = ["cccd", "cccd", "missing"]
    b["phone"] = "0912345678"
    b["dose_lo"], b["dose_hi"] = [1, 1, 3], [2, 2, 3]
    b["first"], b["last"] = [10, 11, 300], [40, 41, 300]
    from vaxutils.text import names

    b["name_key"] = names.match_key_series(b["full_name"])
    b["ascii_key"] = names.ascii_key_series(b["full_name"])
    # S4: S1 again in a third commune (same number, same phone) — inside a shared number, reported
    # as the shared number, even though its phone links it to S1 too
    s4 = base[base["record_id"] == "S1"].assign(
        gid=(2 << PART_SHIFT) + 1, part=2, commune="00007", record_id="S4", source_row=23
    )
    base.loc[base["record_id"] == "S1", "phone"] = "0909000111"
    s4["phone"] = "0909000111"
    return pd.concat([base, b, s4], ignore_index=True)


def _pairs_of(persons):
    doses = pd.DataFrame({"record_id": [], "dose_number": [], "dose_date": pd.to_datetime([])})
    keys = cross_keys(
        persons, doses, persons["part"].to_numpy(), persons["gid"].to_numpy() & 0xFFFF
    )
    keys[["dose_lo", "dose_hi", "first", "last"]] = persons[["dose_lo", "dose_hi", "first", "last"]]
    return blocking_rows(keys)


def test_a_person_linked_by_several_keys_in_three_communes_is_one_group():
    persons = _three_communes()
    issues, _ = cross_issues(candidate_pairs(_pairs_of(persons)), persons)
    by = issues[issues["code"] == "duplicate_other_commune"].set_index("record_id")
    assert by.loc["B1", "related"] == "B2 (xã 00004), B3 (xã 00007)"
    assert by.loc["B3", "related"] == "B1 (xã 00001), B2 (xã 00004)"
    # the record to keep is the one with a valid ID that comes first; the others point to it
    assert pd.isna(by.loc["B1", "suggestion"])
    assert by.loc["B3", "suggestion"] == by.loc["B2", "suggestion"] == "B1 (xã 00001)"
    assert issues["record_id"].value_counts().max() == 1
    shared = issues[issues["code"] == "duplicate_id_shared"].set_index("record_id")["related"]
    assert shared.to_dict() == {
        "S1": "S2,S3,S4",
        "S2": "S1,S3,S4",
        "S3": "S1,S2,S4",
        "S4": "S1,S2,S3",
    }


# each example compares a dozen records once per partition (~0.2 s): a few examples
@functools.cache
def _whole_run():
    persons = _three_communes()
    rows = _pairs_of(persons)
    return persons, rows, cross_issues(candidate_pairs(rows), persons)


@settings(max_examples=6, deadline=None)
@given(st.integers(2, 5), st.integers(0, 2**32 - 1))
def test_judging_each_shuffled_partition_apart_gives_the_single_calls_findings(n_parts, seed):
    """The dataset run judges every partition of the shuffled keys in its own task, with only its
    pairs' records; merged, the decisions are those of one call over every pair — whatever blocks
    land together."""
    persons, rows, whole = _whole_run()
    keys = np.unique(rows["bkey"].to_numpy())
    where = pd.Series(np.random.default_rng(seed).integers(0, n_parts, len(keys)), index=keys)
    judged = []
    for k in range(n_parts):
        pairs = candidate_pairs(rows[where.reindex(rows["bkey"]).to_numpy() == k])
        needed = np.r_[pairs["gid_a"].to_numpy(), pairs["gid_b"].to_numpy()]
        # shuffled rows of the candidate records: the task does not rely on their order
        mine = persons[persons["gid"].isin(needed)].sample(frac=1, random_state=seed % 1000)
        judged.append(judge_pairs(pairs, mine))
    merged = merge_judgements(judged)
    for got, want in zip(merged, whole, strict=True):
        pd.testing.assert_frame_equal(
            got.reset_index(drop=True), want.reset_index(drop=True), check_dtype=False
        )


# a few dozen joins per example (one per batch)
@settings(max_examples=6, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(200, 3000))
def test_blocks_joined_in_batches_give_the_same_pairs(seed, join_rows):
    """A partition joins its blocks a batch at a time (its memory bounded whatever the size of a
    common name's block): any batch size gives the pairs of one join."""
    rng = np.random.default_rng(seed)
    n = 300
    lo = rng.integers(0, 4, n)
    first = rng.integers(0, 500, n)
    keys = _keys(
        np.c_[
            np.arange(n),
            rng.integers(0, 6, n),
            rng.integers(0, 120, n),
            rng.integers(1, 15, n),
            rng.integers(0, 150, n),
            lo,
            lo + rng.integers(0, 2, n),
            first,
            first + rng.integers(0, 100, n),
        ].tolist()
    )
    rows = blocking_rows(keys)
    one = candidate_pairs(rows, join_rows=10**9)
    batched = candidate_pairs(rows, join_rows=join_rows)
    assert len(one) > 100 and set(one["rule"]) == {1, 2, 3}
    order = ["gid_a", "gid_b", "rule"]
    pd.testing.assert_frame_equal(
        batched.sort_values(order, ignore_index=True), one.sort_values(order, ignore_index=True)
    )
