"""The cross-commune pass on its own (no cluster): keys, candidate pairs, the decision."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from vaxutils.screen.cross_commune import (
    PART_SHIFT,
    blocking_rows,
    candidate_pairs,
    complementary,
    cross_issues,
    cross_keys,
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
