"""Vaccine reference data: the product table, name lookup and the dosing rules."""

import importlib

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaxutils.refdata._files import provenance
from vaxutils.refdata.vaccines import (
    VACCINE_COLUMNS,
    lookup,
    min_age_on,
    rules,
    vaccine_lookup,
    vaccines,
)

PASSPORT = [
    "AstraZeneca",
    "Pfizer",
    "Moderna",
    "Vero Cell",
    "Sputnik V",
    "Hayat-Vax",
    "Abdala",
    "Janssen",
]


def test_table_columns_and_types():
    v = vaccines()
    assert tuple(v.columns) == VACCINE_COLUMNS
    assert str(v["primary_doses"].dtype) == "Int64"
    assert v["passport"].dtype == bool and v["approved"].dtype == bool
    assert all(isinstance(s, list) for s in v["synonyms"])
    assert v["product"].is_unique


def test_the_eight_passport_products_and_the_unapproved_ones():
    v = vaccines().set_index("product")
    assert v.index[v["passport"]].tolist() == PASSPORT
    assert not v.loc["Nanocovax", "approved"] and not v.loc["Covivac", "approved"]
    assert v.loc[PASSPORT, "approved"].all()


@pytest.mark.parametrize(
    "product, doses, minimum",
    [
        ("AstraZeneca", 2, 28),
        ("Pfizer", 2, 21),
        ("Moderna", 2, 28),
        ("Vero Cell", 2, 21),
        ("Sputnik V", 2, 21),
        ("Hayat-Vax", 2, 21),
        ("Abdala", 3, 14),
    ],
)
def test_design_interval_table(product, doses, minimum):
    row = vaccines().set_index("product").loc[product]
    assert row["primary_doses"] == doses
    assert row["min_interval_days"] == minimum
    assert row["recommended_interval_days"] >= minimum


def test_janssen_is_one_dose_without_interval():
    row = vaccines().set_index("product").loc["Janssen"]
    assert row["primary_doses"] == 1 and pd.isna(row["min_interval_days"])


def test_boosters_allowed_only_for_az_pfizer_moderna():
    v = vaccines()
    assert sorted(v.loc[v["booster_allowed"], "product"]) == ["AstraZeneca", "Moderna", "Pfizer"]


def test_every_call_returns_a_fresh_copy():
    first = vaccines()
    first.loc[0, "product"] = "changed"
    first.loc[1, "synonyms"].append("changed")
    again = vaccines()
    assert again.loc[0, "product"] == "AstraZeneca"
    assert "changed" not in again.loc[1, "synonyms"]


def test_data_file_has_a_provenance_header():
    header = " ".join(provenance("vaccines.yaml"))
    assert "3588/QĐ-BYT" in header and "DESIGN §2.4" in header


@pytest.mark.parametrize(
    "text, product",
    [
        ("AstraZeneca", "AstraZeneca"),
        ("Astra Zeneca", "AstraZeneca"),
        ("ASTRAZENECA", "AstraZeneca"),
        ("AZ", "AstraZeneca"),
        ("az", "AstraZeneca"),
        ("Vaxzevria", "AstraZeneca"),
        ("Covishield", "AstraZeneca"),
        ("Vắc xin AstraZeneca", "AstraZeneca"),
        ("Pfizer", "Pfizer"),
        ("Pfizer BioNTech", "Pfizer"),
        ("pfizer-biontech", "Pfizer"),
        ("Comirnaty", "Pfizer"),
        ("Pfizer (trẻ em 5-11 tuổi)", "Pfizer"),
        ("Moderna", "Moderna"),
        ("Spikevax", "Moderna"),
        ("Vero Cell", "Vero Cell"),
        ("Vero cell", "Vero Cell"),
        ("VERO CELL (Sinopharm)", "Vero Cell"),
        ("Verocell", "Vero Cell"),
        ("Sinopharm", "Vero Cell"),
        ("BBIBP-CorV", "Vero Cell"),
        ("Vắc xin phòng COVID-19 Vero Cell", "Vero Cell"),
        ("Sputnik V", "Sputnik V"),
        ("Gam-COVID-Vac", "Sputnik V"),
        ("Hayat-Vax", "Hayat-Vax"),
        ("Hayat Vax", "Hayat-Vax"),
        ("Abdala", "Abdala"),
        ("Janssen", "Janssen"),
        ("Ad26.COV2.S", "Janssen"),
        ("Johnson & Johnson", "Janssen"),
        ("Nanocovax", "Nanocovax"),
        ("Covivac", "Covivac"),
        ("  moderna\t", "Moderna"),
    ],
)
def test_lookup_known_spellings(text, product):
    assert lookup(text) == product


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Sinovac",
        "CoronaVac",
        "Sputnik Light",
        "A",
        "az1",
        "vắc xin",
        "1",
        "nan",
        "x" * 10_000,
    ],
)
def test_lookup_unknown_is_none(text):
    assert lookup(text) is None


@pytest.mark.parametrize("junk", [None, float("nan"), 0, 1.5, object(), [], {}, pd.NA, pd.NaT])
def test_lookup_never_raises_on_junk(junk):
    assert lookup(junk) is None


def test_vaccine_lookup_series_contract():
    s = pd.Series(
        ["AZ", None, "Pfizer BioNTech", "xyz", "AZ"], index=[10, 11, 12, 13, 14], name="v"
    )
    before = s.copy()
    out = vaccine_lookup(s)
    assert out.index.equals(s.index) and out.name == "v"
    assert out.tolist() == ["AstraZeneca", pd.NA, "Pfizer", pd.NA, "AstraZeneca"]
    pd.testing.assert_series_equal(s, before)


def test_vaccine_lookup_empty_and_junk():
    assert vaccine_lookup(pd.Series([], dtype=object)).empty
    junk = pd.Series(
        [None, float("nan"), 3, 2.5, b"Moderna", object(), "y" * 100_000], dtype=object
    )
    out = vaccine_lookup(junk)
    assert out.tolist() == [pd.NA, pd.NA, pd.NA, pd.NA, "Moderna", pd.NA, pd.NA]


def _spelling_variants(name: str):
    """Case, spacing and hyphen variants of a name, as typed in commune spreadsheets."""
    return st.lists(
        st.sampled_from(["", " ", "-", "  "]), min_size=len(name), max_size=len(name)
    ).flatmap(
        lambda seps: st.lists(st.booleans(), min_size=len(name), max_size=len(name)).map(
            lambda upper: "".join(
                (c.upper() if u else c.lower()) + sep
                for c, u, sep in zip(name, upper, seps, strict=True)
            )
        )
    )


_SYNONYMS = [
    (p, s)
    for p, syns in zip(vaccines()["product"], vaccines()["synonyms"], strict=True)
    for s in [p, *syns]
]


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from([ps for ps in _SYNONYMS if len(ps[1]) >= 4]).flatmap(
        lambda ps: st.tuples(st.just(ps[0]), _spelling_variants(ps[1]))
    )
)
def test_case_space_hyphen_variants_map_to_the_same_product(pair):
    product, typed = pair
    assert lookup(typed) == product


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.sampled_from([s for _, s in _SYNONYMS]), st.text(max_size=15)))
)
def test_vectorised_equals_scalar(values):
    s = pd.Series(values, dtype=object)
    expected = [lookup(v) for v in values]
    assert [None if pd.isna(x) else x for x in vaccine_lookup(s)] == expected


def test_mixing_rules():
    r = rules()
    assert r.mixing_allowed("AstraZeneca", "Pfizer") and r.mixing_allowed("AstraZeneca", "Moderna")
    assert r.mixing_allowed("Pfizer", "Moderna") and r.mixing_allowed("Moderna", "Pfizer")
    assert r.mixing_allowed("Vero Cell", "Vero Cell")
    assert not r.mixing_allowed("Pfizer", "AstraZeneca")
    assert not r.mixing_allowed("Vero Cell", "Pfizer")
    assert not r.mixing_allowed("Sputnik V", "AstraZeneca")


def test_booster_rules():
    r = rules()
    assert (r.first_booster_min_months, r.first_booster_min_months_before) == (3, 6)
    assert r.booster_rule_change == pd.Timestamp("2022-03-01")
    assert r.later_booster_min_months == 4
    assert r.programme_start == pd.Timestamp("2021-03-08")


def test_min_age_timeline_boundaries():
    days = pd.Series(
        pd.to_datetime(
            [
                "2021-03-07",
                "2021-03-08",
                "2021-10-26",
                "2021-10-27",
                "2022-04-08",
                "2022-04-09",
                None,
            ]
        ),
        index=list("abcdefg"),
    )
    out = min_age_on(days)
    assert out.index.equals(days.index)
    assert out.tolist() == [pd.NA, 18, 18, 12, 12, 5, pd.NA]
    assert rules().paediatric_products == frozenset({"Pfizer", "Moderna"})


def test_package_reexports_the_same_functions():
    # the package attribute `refdata.vaccines` is the function (it shadows the submodule name)
    module = importlib.import_module("vaxutils.refdata.vaccines")
    refdata = importlib.import_module("vaxutils.refdata")
    assert refdata.vaccines is module.vaccines and refdata.vaccine_lookup is module.vaccine_lookup
