"""Dose-history checks on small hand-built histories of synthetic people.

Most tests build the prepared doses frame directly (no date parsing involved), so they pin down
the rules; a few go through :func:`prepare_doses` from the raw export text.
"""

import importlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vaxutils.refdata.vaccines import vaccine_lookup

doses_module = importlib.import_module("vaxutils.screen.doses")
dose_issues = doses_module.dose_issues
prepare_doses = doses_module.prepare_doses

EXPORT = "2022-05-20"
ADULT = "1980-05-04"


def prepared(rows, precision=None):
    """Prepared doses from (record_id, dose_number, vaccine, dose_date) tuples; rows start at 2."""
    frame = pd.DataFrame(rows, columns=["record_id", "dose_number_raw", "vaccine", "dose_date_raw"])
    frame["source_row"] = range(2, 2 + len(frame))
    frame["dose_number"] = pd.to_numeric(frame["dose_number_raw"], errors="coerce").astype("Int64")
    frame["product"] = vaccine_lookup(frame["vaccine"])
    frame["dose_date"] = pd.to_datetime(frame["dose_date_raw"], errors="coerce", format="%Y-%m-%d")
    frame["dose_date_precision"] = precision or [
        "day" if d else None for d in frame["dose_date_raw"]
    ]
    for col in ("record_id", "dose_number_raw", "vaccine", "dose_date_raw", "dose_date_precision"):
        frame[col] = frame[col].astype("string")
    return frame


def people(births: dict, precision: str = "day", rows: dict | None = None):
    frame = pd.DataFrame({"record_id": list(births), "dob": pd.to_datetime(list(births.values()))})
    frame["dob_precision"] = precision
    frame["birth_year"] = frame["dob"].dt.year.astype("Int64")
    frame["source_row"] = [rows.get(r, 100) for r in births] if rows else 100
    return frame


def run(rows, births=None, precision=None, export=EXPORT):
    doses = prepared(rows, precision)
    ids = doses["record_id"].dropna().unique()
    persons = people(births if births is not None else dict.fromkeys(ids, ADULT))
    return dose_issues(doses, persons, export)


def codes(issues) -> list[str]:
    return sorted(issues["code"])


# --- clean histories: no finding --------------------------------------------------------------


@pytest.mark.parametrize(
    "history",
    [
        # AZ, AZ at 8 weeks, Pfizer booster 6 months later (before March 2022)
        [
            ("1", "AstraZeneca", "2021-07-01"),
            ("2", "AZ", "2021-08-26"),
            ("3", "Pfizer", "2022-02-26"),
        ],
        # AZ then Pfizer (allowed mix), Moderna booster 3 months later (after March 2022)
        [
            ("1", "AstraZeneca", "2021-09-01"),
            ("2", "Pfizer", "2021-09-29"),
            ("3", "Moderna", "2022-03-29"),
        ],
        # Pfizer exactly at the 21-day minimum
        [("1", "Pfizer BioNTech", "2021-10-01"), ("2", "Comirnaty", "2021-10-22")],
        # AZ at 30 days: between the minimum (28) and the recommended 8–12 weeks is normal
        [("1", "AZ", "2021-08-01"), ("2", "AZ", "2021-08-31")],
        # Moderna then Pfizer (allowed), 4th dose exactly 4 months after the 3rd
        [
            ("1", "Moderna", "2021-08-01"),
            ("2", "Pfizer", "2021-08-29"),
            ("3", "Pfizer", "2022-03-01"),
            ("4", "Moderna", "2022-07-01"),
        ],
        # Janssen is one dose; a Pfizer booster 3 months later (after March 2022)
        [("1", "Janssen", "2021-12-01"), ("2", "Pfizer", "2022-03-01")],
        [("1", "Janssen", "2021-12-01")],
        # Abdala: 3 primary doses 14 days apart, then a Pfizer booster (4th dose = first booster)
        [
            ("1", "Abdala", "2021-09-01"),
            ("2", "Abdala", "2021-09-15"),
            ("3", "Abdala", "2021-09-29"),
            ("4", "Pfizer", "2022-03-29"),
        ],
        # Vero Cell then Hayat-Vax: the same antigen
        [("1", "VERO CELL (Sinopharm)", "2021-08-01"), ("2", "Hayat-Vax", "2021-08-22")],
        # Sputnik V twice, AZ booster
        [
            ("1", "Sputnik V", "2021-07-01"),
            ("2", "Gam-COVID-Vac", "2021-07-22"),
            ("3", "AZ", "2022-01-22"),
        ],
        # 31 Aug + 6 months is clamped to 28 Feb: a booster on that day is on time
        [
            ("1", "Pfizer", "2021-08-10"),
            ("2", "Pfizer", "2021-08-31"),
            ("3", "Pfizer", "2022-02-28"),
        ],
    ],
)
def test_clean_histories_have_no_findings(history):
    out = run([("P1", *dose) for dose in history], export="2022-12-31")
    assert out.empty, out


def test_output_columns_and_types():
    out = run([("P1", "1", "AZ", "2021-08-01"), ("P1", "2", "AZ", "2021-08-10")])
    assert list(out.columns) == ["record_id", "source_row", "code", "field", "value", "suggestion"]
    assert str(out["source_row"].dtype) == "Int64"
    assert out.loc[0, "record_id"] == "P1" and out.loc[0, "source_row"] == 3


def test_empty_input():
    out = dose_issues(prepared([]), people({}), EXPORT)
    assert out.empty and list(out.columns)[:3] == ["record_id", "source_row", "code"]


# --- intervals, order, boosters, mixing --------------------------------------------------------


def test_interval_one_day_short_of_minimum():
    out = run([("P1", "1", "Pfizer", "2021-10-01"), ("P1", "2", "Pfizer", "2021-10-21")])
    assert codes(out) == ["dose_interval_too_short"]
    row = out.iloc[0]
    assert (row["source_row"], row["field"], row["value"]) == (3, "dose_date", "2021-10-21")


def test_mixed_series_uses_the_earlier_products_minimum():
    # AZ then Pfizer 25 days later: AZ's 28-day minimum applies
    out = run([("P1", "1", "AZ", "2021-09-01"), ("P1", "2", "Pfizer", "2021-09-26")])
    assert codes(out) == ["dose_interval_too_short"]


def test_abdala_third_dose_too_soon():
    out = run(
        [
            ("P1", "1", "Abdala", "2021-09-01"),
            ("P1", "2", "Abdala", "2021-09-15"),
            ("P1", "3", "Abdala", "2021-09-20"),
        ]
    )
    assert codes(out) == ["dose_interval_too_short"] and out.iloc[0]["source_row"] == 4


def test_doses_out_of_order():
    out = run([("P1", "1", "AZ", "2021-10-01"), ("P1", "2", "AZ", "2021-08-01")])
    assert codes(out) == ["dose_out_of_order"]
    assert out.iloc[0]["source_row"] == 3


def test_primary_mixing_not_allowed():
    out = run([("P1", "1", "Vero Cell", "2021-08-01"), ("P1", "2", "Pfizer", "2021-09-01")])
    assert codes(out) == ["primary_mixing_not_allowed"]
    assert out.iloc[0][["field", "value"]].tolist() == ["vaccine", "Pfizer"]
    out = run([("P1", "1", "Pfizer", "2021-08-01"), ("P1", "2", "AstraZeneca", "2021-09-01")])
    assert codes(out) == ["primary_mixing_not_allowed"]


def test_a_booster_may_be_another_product():
    out = run(
        [
            ("P1", "1", "Vero Cell", "2021-08-01"),
            ("P1", "2", "Vero Cell", "2021-08-22"),
            ("P1", "3", "Moderna", "2022-03-01"),
        ]
    )
    assert out.empty


def test_booster_with_a_product_outside_the_guidance_is_a_warning():
    out = run(
        [
            ("P1", "1", "Vero Cell", "2021-08-01"),
            ("P1", "2", "Vero Cell", "2021-08-22"),
            ("P1", "3", "Vero Cell", "2022-03-01"),
        ]
    )
    assert codes(out) == ["booster_product_not_recommended"]


@pytest.mark.parametrize(
    "second, third, too_early",
    [
        ("2021-09-01", "2022-01-10", True),  # before March 2022: 6 months needed, 4 given
        ("2021-08-01", "2022-02-01", False),  # exactly 6 months, before the rule change
        ("2021-08-02", "2022-02-01", True),  # a day short of 6 months
        ("2021-12-20", "2022-03-15", True),  # from March 2022: 3 months needed
        ("2021-12-15", "2022-03-15", False),  # exactly 3 months
        ("2021-09-01", "2022-03-01", False),
    ],
)
def test_first_booster_interval(second, third, too_early):
    first = (pd.Timestamp(second) - pd.Timedelta(days=28)).strftime("%Y-%m-%d")
    out = run([("P1", "1", "AZ", first), ("P1", "2", "AZ", second), ("P1", "3", "Pfizer", third)])
    assert codes(out) == (["booster_too_early"] if too_early else [])


def test_fourth_dose_needs_four_months():
    base = [
        ("P1", "1", "AZ", "2021-07-01"),
        ("P1", "2", "AZ", "2021-08-01"),
        ("P1", "3", "Pfizer", "2022-03-01"),
    ]
    late = "2022-12-31"
    assert codes(run([*base, ("P1", "4", "Moderna", "2022-06-30")], export=late)) == [
        "booster_too_early"
    ]
    assert run([*base, ("P1", "4", "Moderna", "2022-07-01")], export="2022-12-31").empty


def test_janssen_booster_too_early():
    out = run([("P1", "1", "Janssen", "2022-03-01"), ("P1", "2", "Pfizer", "2022-04-15")])
    assert codes(out) == ["booster_too_early"]


def test_month_precision_dates_are_not_checked_for_intervals():
    out = run(
        [("P1", "1", "Pfizer", "2021-08-01"), ("P1", "2", "Pfizer", "2021-08-01")],
        precision=["month", "month"],
    )
    assert codes(out) == ["dose_date_incomplete", "dose_date_incomplete"]


# --- dose numbers -------------------------------------------------------------------------------


def test_missing_dose_between_two_given_doses():
    out = run([("P1", "1", "AZ", "2021-07-01"), ("P1", "3", "Pfizer", "2022-03-01")])
    assert codes(out) == ["dose_number_gap"]
    assert out.iloc[0][["value", "suggestion"]].tolist() == ["3", "2"]
    out = run([("P1", "1", "AZ", "2021-07-01"), ("P1", "4", "Pfizer", "2022-03-01")])
    assert out.iloc[0]["suggestion"] == "2, 3"


def test_history_starting_at_dose_two_is_not_a_gap():
    # dose 1 may be recorded elsewhere (another record or commune): not "between two given doses"
    out = run([("P1", "2", "AZ", "2021-08-01"), ("P1", "3", "Pfizer", "2022-03-01")])
    assert out.empty


def test_same_dose_number_twice():
    out = run(
        [
            ("P1", "1", "AZ", "2021-07-01"),
            ("P1", "2", "AZ", "2021-08-15"),
            ("P1", "2", "AZ", "2021-08-16"),
        ]
    )
    assert codes(out) == ["dose_number_repeated"]
    assert out.iloc[0]["source_row"] == 4  # the later-dated copy


@pytest.mark.parametrize(
    "number, code",
    [
        ("0", "dose_number_out_of_range"),
        ("10", "dose_number_out_of_range"),
        ("-1", "dose_number_out_of_range"),
    ],
)
def test_dose_number_out_of_range(number, code):
    doses = prepared([("P1", number, "AZ", "2021-08-01")])
    out = dose_issues(doses, people({"P1": ADULT}), EXPORT)
    assert codes(out) == [code]


def test_dose_number_missing_or_unreadable():
    doses = prepared([("P1", None, "AZ", "2021-08-01"), ("P2", "mũi nhắc", "AZ", "2021-08-01")])
    out = dose_issues(doses, people({"P1": ADULT, "P2": ADULT}), EXPORT)
    assert codes(out) == ["dose_number_invalid", "dose_number_missing"]


# --- dates ----------------------------------------------------------------------------------------


def test_date_cells():
    rows = [
        ("P1", "1", "AZ", None),
        ("P2", "1", "AZ", "2020-12-01"),
        ("P3", "1", "AZ", "2022-06-01"),
        ("P4", "1", "AZ", "31/02/2021"),
        ("P5", "1", "AZ", "hôm qua"),
        ("P6", "1", "AZ", "2021-03-08"),
        ("P7", "1", "AZ", "2022-05-20"),
    ]
    out = run(rows).set_index("record_id")["code"]
    assert out.to_dict() == {
        "P1": "dose_date_missing",
        "P2": "dose_date_before_start",
        "P3": "dose_date_future",
        "P4": "dose_date_impossible",
        "P5": "dose_date_unparseable",
    }


def test_day_month_swap_is_suggested_when_it_makes_the_date_real_or_plausible():
    out = run(
        [
            ("P1", "1", "AZ", "08/13/2021"),  # month 13: 13 August is real
            ("P2", "1", "AZ", "2022-12-05"),  # future on 20 May 2022; 12 May is not
            ("P3", "1", "AZ", "2021-07-01"),
            ("P3", "2", "AZ", "2021-03-09"),  # before dose 1; 3 September fits
        ]
    )
    got = out.set_index("record_id")[["code", "suggestion"]]
    assert got.loc["P1"].tolist() == ["dose_date_impossible", "13/08/2021"]
    assert got.loc["P2"].tolist() == ["dose_date_future", "12/05/2022"]
    assert got.loc["P3"].tolist() == ["dose_out_of_order", "03/09/2021"]


def test_no_swap_suggestion_when_the_swap_does_not_help():
    out = run(
        [
            ("P1", "1", "AZ", "2022-12-25"),
            ("P2", "1", "AZ", "2021-07-01"),
            ("P2", "2", "AZ", "2021-06-20"),
        ]
    )
    assert out["suggestion"].isna().all() and len(out) == 2


def test_year_only_dose_date_before_start_only_when_certain():
    out = run(
        [("P1", "1", "AZ", "2020-01-01"), ("P2", "1", "AZ", "2021-01-01")], precision=["year"] * 2
    )
    assert sorted(zip(out["record_id"], out["code"], strict=True)) == [
        ("P1", "dose_date_before_start"),
        ("P2", "dose_date_incomplete"),
    ]


# --- products ------------------------------------------------------------------------------------


def test_unapproved_unknown_and_missing_products():
    rows = [
        ("P1", "1", "Nanocovax", "2021-03-20"),
        ("P2", "1", "Covivac", "2021-08-01"),
        ("P3", "1", "Sinovac", "2021-08-01"),
        ("P4", "1", None, "2021-08-01"),
    ]
    out = run(rows).set_index("record_id")
    assert out["code"].to_dict() == {
        "P1": "vaccine_unapproved",
        "P2": "vaccine_unapproved",
        "P3": "vaccine_unknown",
        "P4": "vaccine_missing",
    }
    assert out.loc["P1", "value"] == "Nanocovax" and out.loc["P1", "field"] == "vaccine"


def test_unapproved_trial_doses_do_not_also_raise_interval_or_mixing_findings():
    out = run([("P1", "1", "Nanocovax", "2021-03-20"), ("P1", "2", "AZ", "2021-03-25")])
    assert codes(out) == ["vaccine_unapproved"]


# --- ages and birth dates ---------------------------------------------------------------------


def test_under_18_before_12_to_17_eligibility():
    rows = [("P1", "1", "Pfizer", "2021-09-01"), ("P1", "2", "Pfizer", "2021-11-15")]
    out = run(rows, births={"P1": "2005-06-01"})
    assert codes(out) == ["dose_before_eligible_age"] and out.iloc[0]["source_row"] == 2


def test_year_only_birth_flags_only_when_certainly_too_young():
    # born "2004": at most 17 on 2021-08-01 -> certainly under 18
    out = run([("P1", "1", "AZ", "2021-08-01")], births={"P1": "2004-01-01"})
    assert codes(out) == ["dose_before_eligible_age"]
    doses = prepared([("P1", "1", "AZ", "2021-08-01")])
    # born "2003": could be 18 on 2021-08-01 -> not flagged with a year-only birth date
    assert dose_issues(doses, people({"P1": "2003-01-01"}, precision="year"), EXPORT).empty
    # ... but flagged when the full date says 17
    assert codes(dose_issues(doses, people({"P1": "2003-12-01"}), EXPORT)) == [
        "dose_before_eligible_age"
    ]


def test_children_5_to_11_from_april_2022_with_paediatric_products():
    born = {"K": "2015-01-10"}
    assert run([("K", "1", "Pfizer", "2022-04-20")], births=born).empty
    assert codes(run([("K", "1", "Pfizer", "2022-03-01")], births=born)) == [
        "dose_before_eligible_age"
    ]
    assert codes(run([("K", "1", "Vero Cell", "2022-04-20")], births=born)) == [
        "dose_product_not_for_age"
    ]
    assert codes(run([("K", "1", "Pfizer", "2022-04-20")], births={"K": "2018-01-10"})) == [
        "dose_before_eligible_age"
    ]


def test_dob_after_first_dose_is_personal_info_on_the_persons_row():
    doses = prepared([("P1", "1", "AZ", "2021-08-01"), ("P1", "2", "AZ", "2021-09-01")])
    persons = people({"P1": "2021-08-15"}, rows={"P1": 7})
    out = dose_issues(doses, persons, EXPORT)
    assert out[["record_id", "source_row", "code", "field", "value"]].values.tolist() == [
        ["P1", 7, "dob_after_first_dose", "dob", "2021-08-15"]
    ]


def test_year_only_dob_in_the_year_of_the_dose_is_not_after_it():
    doses = prepared([("P1", "1", "AZ", "2021-08-01")])
    out = dose_issues(doses, people({"P1": "2021-01-01"}, precision="year"), EXPORT)
    assert codes(out) == ["dose_before_eligible_age"]


def test_birth_year_alone_bounds_the_age():
    doses = prepared([("P1", "1", "AZ", "2021-08-01")])
    persons = pd.DataFrame(
        {"record_id": ["P1"], "dob": [pd.NaT], "dob_precision": [None], "birth_year": [2010]}
    )
    assert codes(dose_issues(doses, persons, EXPORT)) == ["dose_before_eligible_age"]


def test_people_without_birth_date_or_unknown_to_persons_get_no_age_findings():
    doses = prepared([("P1", "1", "AZ", "2021-08-01"), ("P9", "1", "AZ", "2021-08-01")])
    persons = pd.DataFrame({"record_id": ["P1"], "dob": [pd.NaT], "dob_precision": [None]})
    assert dose_issues(doses, persons, EXPORT).empty
    assert dose_issues(doses, pd.DataFrame(), EXPORT).empty


# --- the raw export path --------------------------------------------------------------------------


def raw_export():
    return pd.DataFrame(
        {
            "record_id": ["A1", "A1", "A1", "B2"],
            "source_row": [2, 3, 4, 5],
            "dose_number": ["Mũi 1", "2", "3", "1"],
            "vaccine": ["Astra Zeneca", "VERO CELL (Sinopharm)", "Pfizer BioNTech", "Nanocovax"],
            "lot": ["A1234", "202108A", "FG1234", "N01"],
            "dose_date": ["2021-08-01", "2021-08-20", "2022-04-01", "2021-03-20"],
            "facility": ["TTYT huyện", "Trạm y tế xã", "BV tỉnh", "Học viện Quân y"],
            "facility_level": ["Tuyến huyện", "Xã", "Tỉnh", "Bộ Quốc phòng"],
        }
    )


def test_prepare_doses_types_and_contract_columns():
    raw = raw_export()
    before = raw.copy()
    out = prepare_doses(raw)
    pd.testing.assert_frame_equal(raw, before)
    assert list(out.columns) == list(doses_module.PREPARED_COLUMNS)
    assert str(out["dose_number"].dtype) == "Int64"
    assert out["dose_number"].tolist() == [1, 2, 3, 1]
    assert out["product"].tolist() == ["AstraZeneca", "Vero Cell", "Pfizer", "Nanocovax"]
    assert out["dose_date"].dtype.kind == "M"
    assert out.loc[0, "dose_date"] == pd.Timestamp("2021-08-01")
    assert out["exempt_from_cleaning"].dtype == bool
    assert out["vaccine"].tolist() == raw["vaccine"].tolist()


def test_exempt_facilities_are_still_checked():
    doses = prepare_doses(raw_export())
    assert doses.loc[0, "exempt_from_cleaning"]  # district level
    out = dose_issues(doses, people({"A1": ADULT, "B2": ADULT}), EXPORT)
    got = sorted(zip(out["source_row"], out["code"], strict=True))
    assert got == [
        (3, "dose_interval_too_short"),
        (3, "primary_mixing_not_allowed"),
        (5, "vaccine_unapproved"),
    ]


def test_dose_issues_accepts_the_raw_export_too():
    persons = people({"A1": ADULT, "B2": ADULT})
    prepared_out = dose_issues(prepare_doses(raw_export()), persons, EXPORT)
    pd.testing.assert_frame_equal(dose_issues(raw_export(), persons, EXPORT), prepared_out)


def test_inputs_are_not_mutated():
    doses = prepared([("P1", "1", "AZ", "2021-08-01"), ("P1", "2", "AZ", "2021-08-05")])
    doses.index = [10, 20]
    persons = people({"P1": "2010-01-01"})
    d0, p0 = doses.copy(), persons.copy()
    dose_issues(doses, persons, EXPORT)
    pd.testing.assert_frame_equal(doses, d0)
    pd.testing.assert_frame_equal(persons, p0)


JUNK = [
    None,
    np.nan,
    0,
    -3,
    1.5,
    1e300,
    b"\xff\xfe",
    b"Mui 2",
    object(),
    "x" * 100_000,
    "",
    "  ",
    [],
    True,
]


@pytest.mark.parametrize(
    "column",
    ["record_id", "source_row", "dose_number", "vaccine", "dose_date", "facility_level", "lot"],
)
def test_junk_in_every_raw_column(column):
    raw = raw_export().iloc[[0] * len(JUNK)].reset_index(drop=True)
    raw[column] = pd.Series(JUNK, dtype=object)
    prepared_doses = prepare_doses(raw)
    assert len(prepared_doses) == len(raw)
    out = dose_issues(prepared_doses, people({"A1": ADULT}), EXPORT)
    assert list(out.columns) == list(doses_module.ISSUE_COLUMNS)
    assert out["code"].isin(doses_module.CODES).all()


def test_junk_persons_and_export_date():
    doses = prepared([("P1", "1", "AZ", "2021-08-01")])
    persons = pd.DataFrame(
        {"record_id": [None, 3, "P1"], "dob": ["x", None, 12], "dob_precision": [1, None, "day"]}
    )
    assert set(dose_issues(doses, persons, None)["code"]) <= {"dose_before_eligible_age"}
    assert dose_issues(doses, persons, pd.Timestamp(EXPORT).date()).empty


# --- catalogue ------------------------------------------------------------------------------------


def test_every_emitted_code_is_in_the_catalogue():
    import yaml

    path = doses_module.__file__.replace("doses.py", "catalogue/doses.yaml")
    with open(path, encoding="utf-8") as f:
        entries = yaml.safe_load(f)
    catalogue = {e["code"]: e for e in entries}
    assert set(catalogue) == set(doses_module.CODES)
    assert catalogue["dob_after_first_dose"]["category"] == "personal_info"
    assert {e["category"] for c, e in catalogue.items() if c != "dob_after_first_dose"} == {"dose"}
    assert catalogue["vaccine_unapproved"]["severity"] == "error"
    assert catalogue["vaccine_unknown"]["severity"] == "warning"


# --- properties -----------------------------------------------------------------------------------

PRIMARY = {
    "AstraZeneca": (2, 28),
    "Pfizer": (2, 21),
    "Moderna": (2, 28),
    "Vero Cell": (2, 21),
    "Sputnik V": (2, 21),
    "Hayat-Vax": (2, 21),
    "Abdala": (3, 14),
    "Janssen": (1, 0),
}


@st.composite
def clean_history(draw, record_id):
    product = draw(st.sampled_from(sorted(PRIMARY)))
    n_primary, minimum = PRIMARY[product]
    day = pd.Timestamp("2021-03-08") + pd.Timedelta(days=draw(st.integers(0, 300)))
    rows = [(record_id, "1", product, day)]
    for number in range(2, n_primary + 1):
        day += pd.Timedelta(days=minimum + draw(st.integers(0, 60)))
        rows.append((record_id, str(number), product, day))
    for number in range(n_primary + 1, n_primary + 1 + draw(st.integers(0, 2))):
        # 6 months and a day satisfies every booster rule
        day += pd.DateOffset(months=6)
        day += pd.Timedelta(days=1 + draw(st.integers(0, 90)))
        rows.append(
            (record_id, str(number), draw(st.sampled_from(["AZ", "Pfizer", "Moderna"])), day)
        )
    return [(r, n, v, d.strftime("%Y-%m-%d")) for r, n, v, d in rows]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.integers(0, 10_000), min_size=1, max_size=6, unique=True).flatmap(
        lambda ids: st.tuples(*[clean_history(f"R{i}") for i in ids])
    )
)
def test_clean_generated_histories_have_no_findings(histories):
    rows = [row for history in histories for row in history]
    out = run(rows, export="2025-01-01")
    assert out.empty, out


@st.composite
def any_history(draw):
    rows = []
    for rid in draw(
        st.lists(st.sampled_from(["A", "B", "C"]), min_size=1, max_size=3, unique=True)
    ):
        for _ in range(draw(st.integers(1, 5))):
            rows.append(
                (
                    rid,
                    draw(st.sampled_from(["1", "2", "3", "4", "0", "12", None])),
                    draw(
                        st.sampled_from(
                            [
                                "AZ",
                                "Pfizer",
                                "Moderna",
                                "Vero Cell",
                                "Janssen",
                                "Abdala",
                                "Nanocovax",
                                "xx",
                                None,
                            ]
                        )
                    ),
                    draw(
                        st.sampled_from(
                            [
                                "2021-02-01",
                                "2021-07-01",
                                "2021-07-20",
                                "2021-08-15",
                                "2021-12-01",
                                "2022-03-10",
                                "2022-08-01",
                                None,
                            ]
                        )
                    ),
                )
            )
    return rows


@settings(max_examples=30, deadline=None)
@given(any_history(), st.randoms(use_true_random=False))
def test_permuting_rows_never_changes_the_findings(rows, rnd):
    births = {"A": "1990-01-01", "B": "2010-06-15", "C": "2016-02-29"}
    doses = prepared(rows)
    shuffled = doses.sample(frac=1, random_state=rnd.randint(0, 2**31))
    persons = people(births)
    key = ["record_id", "source_row", "code", "field"]
    a = dose_issues(doses, persons, EXPORT).sort_values(key).reset_index(drop=True)
    b = dose_issues(shuffled, persons, EXPORT).sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def _with_additional_dose(third_label: str, third_gap: int, fourth_gap: int | None = None):
    """Pfizer ×2, then a third dose ``third_gap`` days later (and a fourth), through prepare_doses."""
    second = pd.Timestamp("2021-09-01")
    rows = [("1", "2021-08-01"), ("2", "2021-09-01")]
    third = second + pd.Timedelta(days=third_gap)
    rows.append((third_label, third.strftime("%Y-%m-%d")))
    if fourth_gap is not None:
        rows.append(("4", (third + pd.Timedelta(days=fourth_gap)).strftime("%Y-%m-%d")))
    raw = pd.DataFrame(
        {
            "record_id": "P1",
            "source_row": 2,
            "dose_number": [r[0] for r in rows],
            "vaccine": "Pfizer",
            "dose_date": [r[1] for r in rows],
        }
    )
    return codes(dose_issues(prepare_doses(raw), people({"P1": ADULT}), EXPORT))


@pytest.mark.parametrize("label", ["3 (bổ sung)", "Mũi 3 bổ sung", "mui 3 bo sung", "3 - BỔ XUNG"])
def test_a_named_additional_dose_needs_28_days_not_a_boosters_months(label):
    assert _with_additional_dose(label, 30) == []  # an additional primary dose after 30 days
    assert _with_additional_dose(label, 20) == ["dose_interval_too_short"]
    # the first booster counts from the additional dose: 3 months after it (from March 2022) ...
    assert _with_additional_dose(label, 30, fourth_gap=200) == []
    # ... and 60 days is too early
    assert _with_additional_dose(label, 30, fourth_gap=60) == ["booster_too_early"]


def test_an_unnamed_third_dose_after_30_days_is_still_an_early_booster():
    assert _with_additional_dose("3", 30) == ["booster_too_early"]
    assert _with_additional_dose("Mũi 3 (nhắc lại)", 30) == ["booster_too_early"]


def test_boosters_counted_on_their_own_are_doses_three_and_four():
    raw = pd.DataFrame(
        {
            "record_id": "P1",
            "source_row": 2,
            "dose_number": ["Mũi 1", "Mũi 2", "Mũi nhắc lại 1", "Nhắc lại lần 2"],
            "vaccine": ["AZ", "AZ", "Pfizer", "Moderna"],
            "dose_date": ["2021-07-01", "2021-08-01", "2022-03-01", "2022-07-15"],
        }
    )
    prepared = prepare_doses(raw)
    assert prepared["dose_number"].tolist() == [1, 2, 3, 4]
    assert dose_issues(prepared, people({"P1": ADULT}), "2022-12-31").empty
