"""Duplicate detection on hand-made prepared persons frames and a tiny synthetic commune.

Persons frames are built here directly (the layer-1 normalisers are separate modules): ``_fold``
mimics names.match_key_series / ascii_key_series closely enough for these names.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from persons_fixture import GIVEN, JUNK, _ascii_key, make_persons, random_person

from vaxutils.linkage.compare import compare_pairs
from vaxutils.screen.dedupe.pairs import (
    commune_parts,
    compared_candidates,
    compared_in_part,
    joined_parts,
)
from vaxutils.screen.duplicates import (
    ISSUE_COLUMNS,
    candidate_comparisons,
    connected_components,
    duplicate_groups,
    duplicate_issues,
    evidence,
    same_person,
)

CATALOGUE = Path(__file__).parents[1] / "vaxutils" / "screen" / "catalogue" / "duplicates.yaml"


def codes_by_record(issues):
    return {(r.record_id, r.code): r for r in issues.itertuples(index=False)}


# ---------------------------------------------------------------- one person, several records


@pytest.mark.parametrize(
    "variant",
    [
        "NGUYỄN THỊ THANH HÒA",
        "Nguyễn Thị Thanh Hoà",
        "Nguyen Thi Thanh Hoa",
        "nguyễn  thị thanh hòa",
    ],
)
def test_same_person_written_differently_is_one_person(variant):
    persons = make_persons(
        [
            ("R1", "Nguyễn Thị Thanh Hòa", "1985-03-14", "day", "Nữ", "001185012345"),
            ("R2", variant, "1985-03-14", "day", "Nữ", ""),
        ]
    )
    found = codes_by_record(duplicate_issues(persons))
    assert found[("R1", "duplicate_person")].related == "R2"
    assert found[("R2", "duplicate_person")].related == "R1"
    # Keep the record with a valid ID; fill the other's missing ID from it.
    assert found[("R2", "duplicate_person")].suggestion == "R1"
    assert pd.isna(found[("R1", "duplicate_person")].suggestion)
    assert found[("R2", "duplicate_id_suggestion")].suggestion == "001185012345"
    assert ("R1", "duplicate_id_suggestion") not in found


def test_year_only_birth_date_agrees_with_full_date_of_that_year():
    persons = make_persons(
        [
            ("R1", "Lò Văn Pảo", "1948-01-01", "year", "Nam", ""),
            ("R2", "Lò Văn Pảo", "1948-06-30", "day", "Nam", ""),
            ("R3", "Lò Văn Pảo", "1949-06-30", "day", "Nam", ""),
        ]
    )
    issues = duplicate_issues(persons)
    assert set(issues["record_id"]) == {"R1", "R2"}
    assert set(issues["code"]) == {"duplicate_person"}


def test_three_records_of_one_person_form_one_group():
    persons = make_persons(
        [
            ("R1", "Trần Văn Đức", "1970-11-02", "day", "Nam", "036070001122"),
            ("R2", "TRAN VAN DUC", "1970-11-02", "day", "Nam", ""),
            ("R3", "Trần Văn Đức", "1970-01-01", "year", None, "36070001122"),
        ]
    )
    issues = duplicate_issues(persons).query("code == 'duplicate_person'")
    assert dict(zip(issues["record_id"], issues["related"], strict=True)) == {
        "R1": "R2,R3",
        "R2": "R1,R3",
        "R3": "R1,R2",
    }


def test_lost_leading_zero_matches_the_valid_number():
    persons = make_persons(
        [
            ("R1", "Bế Thị Slam", "1990-02-03", "day", "Nữ", "004190012345"),
            ("R2", "Bế Thị Slam", "1990-02-03", "day", "Nữ", "4190012345"),
        ]
    )
    comparison = candidate_comparisons(persons)
    assert comparison["id"].tolist() == ["same"]
    assert set(duplicate_issues(persons)["record_id"]) == {"R1", "R2"}


def test_cmnd_and_cccd_of_one_person_are_not_a_conflict():
    persons = make_persons(
        [
            ("R1", "Thạch Thị Sa Rây", "1965-07-07", "day", "Nữ", "094165001234"),
            ("R2", "Thạch Thị Sa Rây", "1965-07-07", "day", "Nữ", "365123456"),
        ]
    )
    found = codes_by_record(duplicate_issues(persons))
    assert ("R1", "duplicate_person") in found and ("R2", "duplicate_person") in found
    assert ("R2", "duplicate_id_suggestion") not in found  # R2 has a valid CMND


def test_same_id_with_a_typo_in_the_name_is_one_person_not_a_shared_id():
    persons = make_persons(
        [
            ("R1", "Phạm Minh Tuấn", "1999-09-09", "day", "Nam", "027099012345"),
            ("R2", "Phạm Mnh Tuấn", "1999-09-19", "day", "Nam", "027099012345"),
        ]
    )
    assert set(duplicate_issues(persons)["code"]) == {"duplicate_person"}


# ---------------------------------------------------------------- different people


def test_twins_are_not_duplicates():
    persons = make_persons(
        [
            ("R1", "Nguyễn Văn Minh", "2010-04-01", "day", "Nam", "001210011111"),
            ("R2", "Nguyễn Văn Mạnh", "2010-04-01", "day", "Nam", "001210022222"),
            ("R3", "Nguyễn Thị Hoa", "2012-05-05", "day", "Nữ", ""),
            ("R4", "Nguyễn Thị Hòa", "2012-05-05", "day", "Nữ", ""),
            ("R5", "Nguyễn Văn Long", "2010-04-01", "day", "Nam", ""),
        ]
    )
    assert duplicate_issues(persons).empty


def test_namesakes_with_different_birth_dates_are_not_duplicates():
    persons = make_persons(
        [
            ("R1", "Nguyễn Thị Lan", "1960-02-02", "day", "Nữ", ""),
            ("R2", "Nguyễn Thị Lan", "1975-08-21", "day", "Nữ", ""),
            ("R3", "Nguyen Thi Lan", "1960-03-02", "day", "Nữ", ""),
        ]
    )
    assert duplicate_issues(persons).empty


def test_vague_record_matching_two_namesakes_joins_neither():
    # R3 (year only, no ID) fits both namesakes; they must not become one group through it.
    persons = make_persons(
        [
            ("R1", "Nguyễn Văn Hải", "1958-12-15", "day", "Nam", "079058478727"),
            ("R2", "Nguyễn Văn Hải", "1958-08-24", "day", "Nam", "079058305546"),
            ("R3", "Nguyen Van Hai", "1958-01-01", "year", "Nam", ""),
            ("R4", "Nguyễn Văn Hải", "1958-08-24", "day", "Nam", "079058305546"),
        ]
    )
    issues = duplicate_issues(persons)
    assert issues.query("code == 'duplicate_person'")["record_id"].tolist() == ["R2", "R4"]


def test_two_different_valid_ids_are_two_people():
    persons = make_persons(
        [
            ("R1", "Lê Văn Hùng", "1980-01-15", "day", "Nam", "038080000001"),
            ("R2", "Lê Văn Hùng", "1980-01-15", "day", "Nam", "038080000002"),
        ]
    )
    assert duplicate_issues(persons).empty


def test_same_name_and_dob_but_different_sex_is_not_merged():
    persons = make_persons(
        [
            ("R1", "Lê Minh Anh", "2001-01-15", "day", "Nam", ""),
            ("R2", "Lê Minh Anh", "2001-01-15", "day", "Nữ", ""),
        ]
    )
    assert duplicate_issues(persons).empty


# ---------------------------------------------------------------- one ID, several people


def test_id_shared_by_different_people_flags_every_record():
    persons = make_persons(
        [
            ("R1", "Hoàng Văn Thái", "1955-05-05", "day", "Nam", "031055012345"),
            ("R2", "Đỗ Thị Mai", "1958-12-12", "day", "Nữ", "031055012345"),
            ("R3", "Hoàng Văn Thái", "1955-05-05", "day", "Nam", "031055012345"),
            ("R4", "Vũ Văn Khoa", "1960-01-01", "day", "Nam", "031060099999"),
        ]
    )
    issues = duplicate_issues(persons)
    shared = issues.query("code == 'duplicate_id_shared'").set_index("record_id")
    assert shared["related"].to_dict() == {"R1": "R2,R3", "R2": "R1,R3", "R3": "R1,R2"}
    assert set(shared["value"]) == {"031055012345"}
    person = issues.query("code == 'duplicate_person'").set_index("record_id")["related"]
    assert person.to_dict() == {"R1": "R3", "R3": "R1"}


# ---------------------------------------------------------------- contract and robustness


def test_output_columns_order_and_input_not_mutated():
    persons = make_persons(
        [
            ("R1", "Nguyễn Văn Nam", "1980-05-12", "day", "Nam", "001080012345"),
            ("R2", "NGUYEN VAN NAM", "1980-05-12", "day", "Nam", ""),
        ]
    )
    persons.index = [10, 20]
    before = persons.copy(deep=True)
    issues = duplicate_issues(persons)
    pd.testing.assert_frame_equal(persons, before)
    assert list(issues.columns) == ISSUE_COLUMNS
    assert issues["source_row"].dtype == "Int64"
    assert set(issues["source_row"]) == {2, 3}


def test_empty_and_missing_input():
    one = make_persons([("R1", "Lê Văn Hùng", "1980-01-15", "day", "Nam", "")])
    assert list(duplicate_issues(one.iloc[:0]).columns) == ISSUE_COLUMNS
    assert duplicate_issues(one).empty
    assert duplicate_issues(pd.DataFrame()).empty
    assert duplicate_issues(None).empty


def test_junk_cells_do_not_raise():
    rng = random.Random(7)
    columns = ["record_id", "full_name", "name_key", "ascii_key", "dob", "dob_precision", "sex"]
    columns += [
        "id_raw",
        "id_kind",
        "id_compact",
        "id_suggestion",
        "phone",
        "village",
        "birth_year",
    ]
    columns += ["source_row", "first_dose_date"]
    junk = pd.DataFrame({c: [rng.choice(JUNK) for _ in range(40)] for c in columns})
    junk["record_id"] = [f"J{i}" for i in range(40)]
    issues = duplicate_issues(junk)
    assert list(issues.columns) == ISSUE_COLUMNS
    # The same junk in every row is not a person: nothing is claimed about such rows.
    same_junk = pd.DataFrame({c: [JUNK[3]] * 5 for c in columns}).assign(record_id=list("abcde"))
    assert duplicate_issues(same_junk).query("code == 'duplicate_person'").empty


def test_catalogue_lists_every_code_emitted():
    entries = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    codes = {e["code"] for e in entries}
    assert codes == {"duplicate_person", "duplicate_id_shared", "duplicate_id_suggestion"}
    for entry in entries:
        assert entry["category"] in ("duplicate", "normalized")
        assert entry["message_vi"] and entry["action_vi"]


@given(
    st.integers(1, 30).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=40),
        )
    )
)
def test_connected_components_match_a_plain_union_find(case):
    n, edges = case
    parent = list(range(n))

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        parent[max(ra, rb)] = min(ra, rb)
    expected = [min(i for i in range(n) if find(i) == find(x)) for x in range(n)]
    left = np.array([a for a, _ in edges], dtype="int64")
    right = np.array([b for _, b in edges], dtype="int64")
    assert connected_components(n, left, right).tolist() == expected


# ---------------------------------------------------------------- a tiny synthetic commune


def synthetic_commune(n_people, seed=1):
    """People with planted duplicates (one person, 2 records) and twins; returns (persons, truth)."""
    rng = random.Random(seed)
    rows, truth = [], []
    for p in range(n_people):
        sex, name, year, dob, pid = random_person(rng)
        has_id = rng.random() < 0.85
        rows.append((f"P{p}", name, dob, "day", sex, pid if has_id else ""))
        truth.append(p)
        roll = rng.random()
        if roll < 0.10:  # the same person entered again, written differently
            variant = rng.choice([name.upper(), _ascii_key(name).title(), name.replace("òa", "oà")])
            precision = rng.choice(["day", "day", "year"])
            second_dob = dob if precision == "day" else f"{year}-01-01"
            second_id = rng.choice(["", pid, pid.lstrip("0")])
            rows.append((f"P{p}b", variant, second_dob, precision, sex, second_id))
            truth.append(p)
        elif roll < 0.14:  # a twin: same family and middle name, same birth date, other given name
            twin_given = rng.choice([g for g in GIVEN[sex] if g != name.split()[-1]])
            twin = " ".join(name.split()[:-1] + [twin_given])
            rows.append((f"P{p}t", twin, dob, "day", sex, ""))
            truth.append(-p - 1)
    return make_persons(rows), np.array(truth)


def _pair_set(labels):
    frame = pd.DataFrame({"pos": np.arange(len(labels)), "g": labels})
    pairs = frame.merge(frame, on="g")
    return set(
        map(tuple, pairs.loc[pairs["pos_x"] < pairs["pos_y"], ["pos_x", "pos_y"]].to_numpy())
    )


def test_synthetic_commune_precision_and_recall():
    persons, truth = synthetic_commune(600)
    found = _pair_set(duplicate_groups(persons)["person_group"].to_numpy())
    true = _pair_set(truth)
    assert len(true) > 30
    precision = len(found & true) / max(len(found), 1)
    recall = len(found & true) / len(true)
    assert precision >= 0.97, precision
    assert recall >= 0.95, recall


def test_blocking_loses_no_pair_that_all_pairs_would_accept():
    persons, _ = synthetic_commune(150, seed=3)
    n = len(persons)
    left, right = map(np.array, zip(*itertools.combinations(range(n), 2), strict=True))
    naive = compare_pairs(persons, persons, left, right)
    for name, values in evidence(persons, left, right).items():  # what screening adds to pairs
        naive[name] = values
    accepted_naive = set(zip(left[same_person(naive)], right[same_person(naive)], strict=True))
    blocked = candidate_comparisons(persons)
    accepted_blocked = set(
        map(tuple, blocked.loc[same_person(blocked), ["left", "right"]].to_numpy())
    )
    assert accepted_naive == accepted_blocked


@settings(max_examples=5, deadline=None)
@given(st.randoms(use_true_random=False))
def test_findings_do_not_depend_on_record_order(rnd):
    persons, _ = synthetic_commune(60, seed=5)
    shuffled = persons.sample(frac=1.0, random_state=rnd.randint(0, 10_000))

    def summary(issues):
        return {
            (r.record_id, r.code, frozenset(str(r.related).split(","))) for r in issues.itertuples()
        }

    assert summary(duplicate_issues(shuffled)) == summary(duplicate_issues(persons))


def test_related_lists_are_symmetric():
    persons, _ = synthetic_commune(300, seed=9)
    issues = duplicate_issues(persons).query("code == 'duplicate_person'")
    links = {
        (a, b)
        for a, rel in zip(issues["record_id"], issues["related"], strict=True)
        for b in rel.split(",")
    }
    assert links == {(b, a) for a, b in links}


@pytest.mark.parametrize("n_parts", [1, 2, 3, 7])
def test_candidates_found_commune_by_commune_equal_the_whole(n_parts):
    """Screening finds the candidate pairs of two halves of the communes on two threads: joined,
    they are exactly the whole's, in the same order (commune codes missing included)."""
    persons, _ = synthetic_commune(400, seed=5)
    # consecutive blocks (a planted duplicate is next to its original): three communes, and
    # records without a commune
    communes = np.array(["00004", "00001", None, "00006"], dtype=object)
    persons["commune_code"] = pd.array(
        communes[np.arange(len(persons)) * 4 // len(persons)], dtype="string"
    )
    whole = compared_candidates(persons)
    parts = commune_parts(persons, n_parts)
    assert sorted(np.concatenate(parts).tolist()) == list(range(len(persons)))
    assert 1 <= len(parts) <= n_parts
    joined = joined_parts([compared_in_part(persons, part) for part in parts])
    assert len(whole) > 30
    pd.testing.assert_frame_equal(joined, whole)
