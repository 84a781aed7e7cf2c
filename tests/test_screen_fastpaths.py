"""The fast paths of screening held to what they replace.

Screening hashes the record ids once (engine.RecordCodes) and hands integer codes to the dose
checks and the persons frame: the same histories, the same findings, the same first dose per
record as the text lookups — also on ids the engine does not produce (repeated, missing, with
spaces, on no record). The smallest dose gap comes from one sort of a packed key: the same
gaps as before."""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vaxutils.io import read_export
from vaxutils.screen.dose_checks.history import (
    group_labels,
    histories,
    keyed_like_persons,
    record_codes,
)
from vaxutils.screen.doses import MAX_DOSE_NUMBER, dose_issues, prepare_doses
from vaxutils.screen.engine import RecordCodes, dose_summary, screen
from vaxutils.screen.persons import prepare_persons
from vaxutils.synth import ErrorRates, generate_commune, write_commune

EXPORT_DATE = date(2022, 5, 15)


def _histories_by_text_map(d, rcode, num, in_range, dates, groups):
    """The history rule as it was written before the integer codes: string maps per dose."""
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
    codes = pd.Series(rcode[in_group]).groupby(merged[in_group].to_numpy()).transform("min")
    hcode[in_group] = codes.to_numpy()
    frame = pd.DataFrame({"h": hcode[in_group], "day": dates["day"][in_group],
                          "ok": dates["exact"][in_group], "row": np.flatnonzero(in_group)})  # fmt: skip
    frame = frame[frame["ok"]].sort_values(["h", "day", "row"], kind="stable")
    frame = frame[(~frame.duplicated(["h", "day"])).to_numpy()]
    num = num.copy()
    num[frame["row"].to_numpy()] = frame.groupby("h").cumcount().to_numpy() + 1
    usable = usable.copy()
    usable[in_group] = False
    usable[frame["row"].to_numpy()] = True
    return hcode, num, usable & (num <= MAX_DOSE_NUMBER)


# ids as exports hold them: repeated, blank, missing, with spaces; dose ids are stripped already
_PERSON_IDS = st.sampled_from(["A1", "A2", "B1", "B2", "C", " A1", "A1 ", "", None, "X9"])
_DOSE_IDS = st.sampled_from(["A1", "A2", "B1", "B2", "C", "Z", None])
_LABELS = st.one_of(
    st.integers(0, 4), st.sampled_from(["g1", "g2", "7"]), st.none()
)  # ints, text, missing


@st.composite
def _case(draw):
    n_persons = draw(st.integers(0, 12))
    person_ids = draw(st.lists(_PERSON_IDS, min_size=n_persons, max_size=n_persons))
    kind = draw(st.sampled_from(["int", "mixed"]))
    if kind == "int":
        labels = draw(st.lists(st.integers(0, 4), min_size=n_persons, max_size=n_persons))
        labels = np.asarray(labels, dtype=np.int64)
    else:
        labels = np.asarray(
            draw(st.lists(_LABELS, min_size=n_persons, max_size=n_persons)), dtype=object
        )
    n_doses = draw(st.integers(1, 25))
    dose_ids = draw(st.lists(_DOSE_IDS, min_size=n_doses, max_size=n_doses))
    num = np.asarray(draw(st.lists(st.integers(0, 11), min_size=n_doses, max_size=n_doses)))
    days = draw(st.lists(st.integers(0, 6), min_size=n_doses, max_size=n_doses))
    exact = np.asarray(draw(st.lists(st.booleans(), min_size=n_doses, max_size=n_doses)))
    persons = pd.DataFrame({"record_id": pd.array(person_ids, dtype="string")})
    d = pd.DataFrame({"record_id": pd.array(dose_ids, dtype="string")})
    # the engine's shape: keyed by the persons' ids (a string index), or an object index
    index = (
        pd.Index(persons["record_id"]) if draw(st.booleans()) else persons["record_id"].to_numpy()
    )
    groups = pd.Series(labels, index=index)
    dates = {
        "day": np.datetime64("2021-06-01", "D") + np.asarray(days, dtype="timedelta64[D]"),
        "exact": exact,
    }
    return d, persons, groups, num.astype(np.int64), dates


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_case())
def test_histories_by_codes_equal_the_text_maps(case):
    d, persons, groups, num, dates = case
    rcode, person_code, _ = record_codes(d["record_id"], persons)
    in_range = (num >= 1) & (num <= MAX_DOSE_NUMBER)
    expected = _histories_by_text_map(d, rcode, num, in_range, dates, groups)
    paths = [histories(d, rcode, num, in_range, dates, groups)]  # ids hashed by Arrow
    if keyed_like_persons(groups, persons):
        paths.append(histories(d, rcode, num, in_range, dates, groups, person_code))
    for got in paths:
        for want, have in zip(expected, got, strict=True):
            np.testing.assert_array_equal(have, want)


def test_group_labels_count_distinct_ids_and_skip_missing_labels():
    groups = pd.Series([1, 1, 1, 2, None], index=["A", "B", "A", "C", "D"], dtype=object)
    label, size = group_labels(pd.Series(["A", "B", "C", "D", "E", None], dtype="string"), groups)
    assert size.tolist() == [2, 2, 1, 1, 1, 1]  # "A" twice is one record id; D has no label
    assert label[0] == label[1] != label[2] and (label[3:] == -1).all()


@pytest.fixture(scope="module")
def commune_export(tmp_path_factory):
    folder = tmp_path_factory.mktemp("codes")
    commune = generate_commune("01420", n_persons=1_200, seed=11, rates=ErrorRates(),
                               export_date=EXPORT_DATE)  # fmt: skip
    write_commune(commune, folder, fmt="csv")
    return read_export(folder / "export_01420.csv")


def _with_awkward_ids(export, spaces: bool):
    """The commune's export (a copy) whose ids include a repeated one, a missing one, a dose on no
    record and (optionally) a record id with spaces around it."""
    records = export.records.copy()
    doses = export.doses.copy()
    records.loc[3, "record_id"] = records.loc[4, "record_id"]  # a repeated id
    records.loc[5, "record_id"] = None  # a missing id
    doses.loc[doses.index[0], "record_id"] = "NOT-ON-A-RECORD"
    if spaces:
        records.loc[6, "record_id"] = f" {records.loc[6, 'record_id']} "
    return dataclasses.replace(export, records=records, doses=doses)


def test_dose_checks_with_the_engines_codes_equal_the_text_path(commune_export):
    for spaces in (False, True):
        export = _with_awkward_ids(commune_export, spaces)
        records = export.records.reset_index(drop=True)
        doses = prepare_doses(export.doses)
        persons = prepare_persons(records)
        codes = RecordCodes.of(records, doses)
        dose_codes = codes.for_dose_checks(records, doses)
        assert (dose_codes is None) == spaces  # spaces: the dose checks strip and hash themselves
        rng = np.random.default_rng(3)
        labels = rng.integers(0, len(persons) // 2, len(persons))  # many groups of several records
        keyed = pd.Series(labels, index=pd.Index(persons["record_id"]))
        as_before = pd.Series(labels, index=persons["record_id"].to_numpy())  # object index
        want = dose_issues(doses, persons, EXPORT_DATE, groups=as_before)
        got = dose_issues(doses, persons, EXPORT_DATE, groups=keyed, codes=dose_codes)
        pd.testing.assert_frame_equal(got, want)
        assert len(want) > 100 and want["code"].nunique() > 5  # the checks had work to do


def test_screened_first_dose_is_the_lookup_by_record_id(commune_export):
    export = _with_awkward_ids(commune_export, spaces=True)
    result = screen(export, export_date=EXPORT_DATE)
    records = export.records.reset_index(drop=True)
    doses = prepare_doses(export.doses)
    first = doses.groupby("record_id")["dose_date"].min()
    want = prepare_persons(records, first)["first_dose_date"]
    got = result.records["first_dose_date"]
    pd.testing.assert_series_equal(got, want, check_names=False)
    assert got.notna().sum() > 1_000 and got.isna().any()


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A", "B", "C", "Z", None]),
            st.one_of(st.none(), st.integers(-100_000, 100_000)),  # days from 1970, NaT
            st.integers(1, 4),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_smallest_dose_gap_equals_a_groupby_of_sorted_dates(rows):
    doses = pd.DataFrame(
        {
            "record_id": pd.array([r[0] for r in rows], dtype="string"),
            "dose_date": pd.to_datetime(
                [None if r[1] is None else np.datetime64(r[1], "D") for r in rows]
            ).astype("datetime64[ns]"),
            "dose_number": pd.array([r[2] for r in rows], dtype="Int64"),
        }
    )
    records = pd.DataFrame({"record_id": pd.array(["A", "B", "C", "D"], dtype="string")})
    got = dose_summary(doses, records["record_id"])["min_dose_gap_days"]
    dated = doses.dropna(subset=["dose_date"]).sort_values(["record_id", "dose_date"])
    gaps = dated.groupby("record_id")["dose_date"].diff().dt.days
    want = gaps.groupby(dated["record_id"]).min().reindex(records["record_id"]).to_numpy()
    np.testing.assert_array_equal(got.to_numpy(dtype=float), want.astype(float))
    # the other columns of the summary against a plain groupby
    summary = dose_summary(doses, records["record_id"])
    by = doses.groupby("record_id")
    for column, plain in (
        ("last_dose_date", by["dose_date"].max()),
        ("min_dose_number", by["dose_number"].min()),
        ("max_dose_number", by["dose_number"].max()),
    ):
        expected = plain.reindex(records["record_id"]).reset_index(drop=True)
        pd.testing.assert_series_equal(
            summary[column].reset_index(drop=True), expected, check_names=False
        )
