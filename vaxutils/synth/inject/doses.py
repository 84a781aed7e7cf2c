"""Dose-history damage: out of order, too close, before the programme, in the future,
unapproved product, before the eligible age, a hole in the dose numbers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from vaxutils.refdata.vaccines import rules, vaccines
from vaxutils.synth.inject.values import DAY, format_dates

if TYPE_CHECKING:
    from vaxutils.synth.inject.injector import Injector


UNAPPROVED = ("Nanocovax", "Covivac")


def dose_errors(inj: Injector) -> None:
    rng = inj.rng
    d = inj.doses
    dates = d["dose_date"].to_numpy(dtype="datetime64[ns]").copy()
    first, count = inj.first_row, inj.n_doses
    intact_dob = inj.free["dob"]
    products = vaccines().set_index("product")
    r = rules()

    # out of order: dose j+1 dated before dose j
    pos = inj.pick("dose_out_of_order", count >= 2, ("dose",))
    if len(pos):
        j = first[pos] + np.array([rng.integers(0, c - 1) for c in count[pos]])
        true = format_dates(dates[j + 1])
        differ = dates[j] != dates[j + 1]
        dates[j[differ]], dates[j[differ] + 1] = dates[j[differ] + 1], dates[j[differ]]
        inj.label(pos, "dose", "dose_out_of_order", "dose_date", true)

    # too close: second primary dose earlier than the smaller of the two products' minimum gaps
    prod = d["product"].to_numpy(dtype=object)
    min_gap = products["min_interval_days"].astype("Float64").fillna(0).to_dict()
    primary = products["primary_doses"].astype(int).to_dict()
    in_primary = np.zeros(inj.n, dtype=bool)
    has2 = count >= 2
    p1 = np.where(has2, prod[np.minimum(first, len(d) - 1)], None)
    p2 = np.where(has2, prod[np.minimum(first + 1, len(d) - 1)], None)
    gap_allowed = np.array(
        [min(min_gap.get(a, 0), min_gap.get(b, 0)) if a else 0 for a, b in zip(p1, p2, strict=True)]
    )
    in_primary = (
        has2 & np.array([primary.get(a, 1) >= 2 if a else False for a in p1]) & (gap_allowed >= 10)
    )
    pos = inj.pick("dose_too_close", in_primary & inj.free["dose"], ("dose",))
    if len(pos):
        gap = np.array([rng.integers(3, int(g) - 3 + 1) for g in gap_allowed[pos]])
        true = format_dates(dates[first[pos] + 1])
        dates[first[pos] + 1] = dates[first[pos]] + gap.astype("int64") * DAY
        inj.label(pos, "dose", "dose_too_close", "dose_date", true)

    # before the programme: a year typo (2021 -> 2020) on the first dose of an adult
    first_dates = dates[np.minimum(first, len(d) - 1)]
    adult_first = inj.cols["_first_age"] >= 19
    early = (count >= 1) & (first_dates < np.datetime64("2022-03-01"))
    pos = inj.pick("dose_before_start", adult_first & early & intact_dob, ("dose",))
    if len(pos):
        true = format_dates(dates[first[pos]])
        dates[first[pos]] = dates[first[pos]] - 365 * DAY
        inj.label(pos, "dose", "dose_before_start", "dose_date", true)

    # in the future (after the export date)
    pos = inj.pick("dose_future", count >= 1, ("dose",))
    if len(pos):
        last = first[pos] + count[pos] - 1
        true = format_dates(dates[last])
        plus_year = dates[last] + 365 * DAY
        floor = (inj.export_date + pd.Timedelta(days=10)).to_datetime64()
        later = floor + (rng.random(len(pos)) * 200).astype("int64") * DAY
        dates[last] = np.where(plus_year > floor, plus_year, later)
        inj.label(pos, "dose", "dose_future", "dose_date", true)

    # an unapproved product (clinical-trial vaccines that were never approved)
    pos = inj.pick("dose_unapproved", count >= 1, ("dose",))
    if len(pos):
        j = first[pos] + np.array([rng.integers(0, c) for c in count[pos]])
        vaccine = d["vaccine"].to_numpy(dtype=object).copy()
        true = vaccine[j].copy()
        vaccine[j] = rng.choice(UNAPPROVED, len(j))
        d["vaccine"] = pd.Series(vaccine, dtype=object, index=d.index)
        product = d["product"].to_numpy(dtype=object).copy()
        product[j] = vaccine[j]
        d["product"] = pd.Series(product, dtype=object, index=d.index)
        inj.label(pos, "dose", "dose_unapproved", "vaccine", true)

    # before the age of eligibility: a minor's first dose moved before their age group opened
    first_age = inj.cols["_first_age"]
    minor = (count >= 1) & (first_age >= 5) & (first_age < 18)
    pos = inj.pick("dose_before_eligibility", minor & intact_dob, ("dose",))
    if len(pos):
        true = format_dates(dates[first[pos]])
        starts = np.array(r.eligibility_from, dtype="datetime64[ns]")
        ages = np.array(r.eligibility_min_age)
        age_now = first_age[pos]
        # the date the person's age group opened; move the dose 3–12 weeks before it
        opened = np.array([starts[np.argmax(ages <= a)] for a in age_now], dtype="datetime64[ns]")
        back = (21 + rng.random(len(pos)) * 63).astype("int64") * DAY
        dates[first[pos]] = np.maximum(
            opened - back, np.datetime64(r.programme_start, "ns") + 7 * DAY
        )
        inj.label(pos, "dose", "dose_before_eligibility", "dose_date", true)

    # a missing dose number between two given doses (dose 2 of 3 deleted)
    pos = inj.pick("dose_number_gap", count >= 3, ("dose",))
    d["dose_date"] = dates
    if len(pos):
        j = first[pos] + np.array([rng.integers(1, c - 1) for c in count[pos]])
        true = d["dose_number"].to_numpy()[j].astype(str)
        inj.doses = d.drop(index=d.index[j]).reset_index(drop=True)
        inj.label(pos, "dose", "dose_number_gap", "dose_number", true)
    else:
        inj.doses = d
