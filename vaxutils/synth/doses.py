"""Dose histories of synthetic people that obey the rules of DESIGN §2.4 (vectorised).

Timeline: first doses from 8 March 2021 (AstraZeneca only until July 2021), mass vaccination
July–October 2021, 12–17 year-olds from late October 2021 (Pfizer, some Moderna), 5–11 year-olds
from April 2022 (Pfizer/Moderna paediatric). The eligibility dates, minimum intervals, mixing pairs
and booster gaps come from :mod:`vaxutils.refdata.vaccines`; every generated gap keeps a safety
margin (:data:`MARGIN_DAYS`) above the minimum so that clean data never brushes a rule.

>>> import numpy as np
>>> from vaxutils.synth.population import generate_population
>>> pop = generate_population(500, "01420", seed=2)
>>> d = generate_doses(pop, np.random.default_rng(2))
>>> sorted(d.columns)
['_person', 'dose_date', 'dose_number', 'person_id', 'product']
>>> bool(d.groupby("person_id")["dose_date"].is_monotonic_increasing.all())
True
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from vaxutils.kernel.calendar import add_years
from vaxutils.refdata.vaccines import rules, vaccines
from vaxutils.synth.population import object_frame

MARGIN_DAYS = 7
MAX_DOSES = 4
# Product mix of first doses per period (adults), as weights over PRODUCTS.
PRODUCTS = (
    "AstraZeneca",
    "Pfizer",
    "Moderna",
    "Vero Cell",
    "Sputnik V",
    "Hayat-Vax",
    "Abdala",
    "Janssen",
)
_PERIODS = (  # (first day, weights in PRODUCTS order)
    ("2021-03-08", (1, 0, 0, 0, 0, 0, 0, 0)),
    ("2021-07-01", (35, 15, 12, 30, 3, 0, 0, 0)),
    ("2021-10-01", (25, 25, 10, 20, 2, 5, 8, 2)),
    ("2022-01-01", (30, 45, 20, 5, 0, 0, 0, 0)),
)
# When people got their first dose (adults): share per month window.
_FIRST_DOSE_WINDOWS = (
    ("2021-03-08", "2021-06-30", 0.05),
    ("2021-07-01", "2021-10-31", 0.72),
    ("2021-11-01", "2022-01-31", 0.18),
    ("2022-02-01", "2022-05-31", 0.05),
)
# Second primary dose: probability of switching product (AZ → Pfizer/Moderna, Pfizer ↔ Moderna).
_SWITCH = {"AstraZeneca": (("Pfizer", 0.10), ("Moderna", 0.05)), "Pfizer": (("Moderna", 0.05),),
           "Moderna": (("Pfizer", 0.10),)}  # fmt: skip
_BOOSTERS = (("AstraZeneca", 0.25), ("Pfizer", 0.45), ("Moderna", 0.30))
_BOOSTER_PROGRAMME_START = pd.Timestamp("2021-11-20")
_MONTH = (
    31  # days: gaps in months are generated as 31-day months (always longer than a calendar month)
)


def _product_table() -> pd.DataFrame:
    return vaccines().set_index("product").loc[list(PRODUCTS)]


def earliest_first_dose(dob: np.ndarray) -> np.ndarray:
    """The first day each person was eligible (any age rule of ``rules()``), plus the margin."""
    r = rules()
    best = None
    for start, age in zip(r.eligibility_from, r.eligibility_min_age, strict=True):
        candidate = np.maximum(
            (start + pd.Timedelta(days=MARGIN_DAYS)).to_datetime64(),
            add_years(dob, np.full(len(dob), age)) + np.timedelta64(MARGIN_DAYS, "D"),
        )
        best = candidate if best is None else np.minimum(best, candidate)
    return best.astype("datetime64[ns]")


def _draw_first_dates(rng, n: int) -> np.ndarray:
    windows = np.array([w[2] for w in _FIRST_DOSE_WINDOWS])
    which = rng.choice(len(windows), n, p=windows / windows.sum())
    starts = np.array([np.datetime64(w[0]) for w in _FIRST_DOSE_WINDOWS])[which]
    ends = np.array([np.datetime64(w[1]) for w in _FIRST_DOSE_WINDOWS])[which]
    span = (ends - starts).astype("int64")
    return (starts + (rng.random(n) * span).astype("int64")).astype("datetime64[ns]")


def _age_on(dob: np.ndarray, when: np.ndarray) -> np.ndarray:
    """Completed years on ``when`` (conservative: 365.25-day years, floor)."""
    return ((when - dob) / np.timedelta64(1, "D") / 365.25).astype(int)


def _first_products(rng, dates: np.ndarray, age: np.ndarray) -> np.ndarray:
    """Product codes (index into PRODUCTS) of first doses, by period and age."""
    starts = np.array([np.datetime64(p[0]) for p in _PERIODS])
    period = np.searchsorted(starts, dates.astype("datetime64[D]"), side="right") - 1
    out = np.zeros(len(dates), dtype=np.int8)
    for i, (_, weights) in enumerate(_PERIODS):
        idx = np.flatnonzero(period == i)
        w = np.array(weights, dtype=float)
        out[idx] = rng.choice(len(w), len(idx), p=w / w.sum())
    minors = age < 18  # 12–17 and 5–11: Pfizer mostly, Moderna (the paediatric products)
    out[minors] = np.where(rng.random(int(minors.sum())) < 0.85, _CODE["Pfizer"], _CODE["Moderna"])
    return out


_CODE = {p: i for i, p in enumerate(PRODUCTS)}
_DAY = np.timedelta64(1, "D")


def _days(values: np.ndarray) -> np.ndarray:
    return values.astype("int64") * _DAY


def generate_doses(
    population: pd.DataFrame, rng: np.random.Generator, export_date: date = date(2022, 5, 15)
) -> pd.DataFrame:
    """One row per dose: _person (position), person_id, dose_number (1..4), product, dose_date.

    Everyone gets at least one dose before ``export_date``; adults get up to two boosters.
    """
    table = _product_table()
    r = rules()
    n = len(population)
    dob = population["dob"].to_numpy(dtype="datetime64[ns]")
    last_day = np.datetime64(pd.Timestamp(export_date) - pd.Timedelta(days=1), "ns")

    earliest = earliest_first_dose(dob)
    drawn = _draw_first_dates(rng, n)
    first = np.where(drawn < earliest, earliest + _days(rng.random(n) * 40), drawn)
    first = np.minimum(first, last_day - _DAY)
    first = np.maximum(first, earliest).astype("datetime64[ns]")  # never before eligibility

    dates = np.full((n, MAX_DOSES), np.datetime64("NaT"), dtype="datetime64[ns]")
    codes = np.full((n, MAX_DOSES), -1, dtype=np.int8)
    dates[:, 0] = first
    codes[:, 0] = _first_products(rng, first, _age_on(dob, first))

    primary_of = table["primary_doses"].astype(int).to_numpy()
    min_gap_of = table["min_interval_days"].fillna(0).astype(int).to_numpy()
    spread_of = np.array(
        [{"AstraZeneca": 56, "Vero Cell": 14, "Abdala": 10}.get(p, 14) for p in PRODUCTS]
    )
    primary = primary_of[codes[:, 0]]
    completes = rng.random(n) < 0.95

    # primary series: doses 2..primary_doses, switching product only where mixing is allowed
    for k in (1, 2):
        need = (primary > k) & completes
        prev = codes[:, k - 1].astype(np.int64)
        nxt = prev.copy()
        u = rng.random(n)
        for product, options in _SWITCH.items():
            acc = 0.0
            for other, p in options:
                pick = need & (prev == _CODE[product]) & (u >= acc) & (u < acc + p)
                nxt[pick] = _CODE[other]
                acc += p
        safe_prev, safe_next = np.maximum(prev, 0), np.maximum(nxt, 0)
        gap_min = np.maximum(min_gap_of[safe_prev], min_gap_of[safe_next])
        gap = gap_min + MARGIN_DAYS // 2 + 1 + (rng.random(n) * spread_of[safe_prev]).astype(int)
        dates[need, k] = dates[need, k - 1] + _days(gap[need])
        codes[need, k] = nxt[need]

    # boosters (adults only, on the booster date): first ≥ 3 months after the primary series
    # (≥ 6 months before the rule change), next ≥ 4 months after the previous dose
    given = (~np.isnat(dates)).sum(axis=1)
    last_primary = dates[np.arange(n), np.maximum(primary - 1, 0)]
    wants = (given == primary) & (rng.random(n) < 0.8)
    b1 = last_primary + _days(
        r.first_booster_min_months * _MONTH + MARGIN_DAYS + rng.random(n) * 120
    )
    six = last_primary + _days(np.full(n, r.first_booster_min_months_before * _MONTH + MARGIN_DAYS))
    b1 = np.where(b1 < np.datetime64(r.booster_rule_change, "ns"), np.maximum(b1, six), b1)
    b1 = np.maximum(b1, np.datetime64(_BOOSTER_PROGRAMME_START, "ns"))
    b2 = b1 + _days(r.later_booster_min_months * _MONTH + MARGIN_DAYS + rng.random(n) * 60)
    wants4 = wants & (rng.random(n) < 0.35)
    booster_codes = np.array([_CODE[b] for b, _ in _BOOSTERS], dtype=np.int8)
    booster_p = np.array([p for _, p in _BOOSTERS])
    for dose_dates, mask in ((b1, wants), (b2, wants4)):
        slot = (~np.isnat(dates)).sum(axis=1)
        ok = mask & (slot < MAX_DOSES) & (dose_dates <= last_day)
        ok &= _age_on(dob, np.where(ok, dose_dates, last_day)) >= 18
        rows = np.flatnonzero(ok)
        dates[rows, slot[rows]] = dose_dates[rows]
        codes[rows, slot[rows]] = booster_codes[rng.choice(len(booster_p), len(rows), p=booster_p)]

    # nothing on or after the export date; a later dose exists only if all earlier ones do
    present = np.cumprod(~np.isnat(dates) & (dates <= last_day), axis=1).astype(bool)
    person_idx, dose_idx = np.nonzero(present)
    product_names = np.asarray(PRODUCTS, dtype=object)
    return object_frame(
        {
            "_person": person_idx,  # position in ``population`` (dropped before anyone sees it)
            "person_id": population["person_id"].to_numpy(dtype=object)[person_idx],
            "dose_number": (dose_idx + 1).astype("int64"),
            "product": product_names[codes[person_idx, dose_idx]],
            "dose_date": dates[person_idx, dose_idx],
        }
    )
