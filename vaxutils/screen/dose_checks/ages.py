"""Age rules: birth after the first dose, doses before the eligible age, adult products for children."""

from __future__ import annotations

import numpy as np
import pandas as pd

from vaxutils.kernel.calendar import age_years
from vaxutils.refdata.vaccines import min_age_on, rules
from vaxutils.screen.dose_checks.days import (
    DAY,
    YEAR,
    as_days,
    iso_at_precision,
    period_bounds,
    precision_codes,
)


def birth_bounds(persons: pd.DataFrame, person_code: np.ndarray, n_ids: int, rcode: np.ndarray):
    """Per dose: the person's dob (day), its precision code, the earliest possible birth day and
    the person's source_row (NaN when unknown). A birth year without a parsed date still bounds
    the birth (1 January). When a record_id appears twice in ``persons``, the first row counts."""
    dob = np.full(n_ids + 1, np.datetime64("NaT"), dtype="datetime64[D]")
    precision = np.full(n_ids + 1, DAY, dtype=np.int8)
    person_row = np.full(n_ids + 1, np.nan)
    # writing in reverse order lets the first row of a repeated record_id win; -1 → spare slot
    slot = np.where(person_code >= 0, person_code, n_ids)[::-1]
    if "dob" in persons.columns:
        dob[slot] = as_days(persons["dob"])[::-1]
    if "dob_precision" in persons.columns:
        precision[slot] = precision_codes(persons["dob_precision"].astype("string"))[::-1]
    if "birth_year" in persons.columns:
        year = pd.to_numeric(persons["birth_year"], errors="coerce").to_numpy(dtype=float)[::-1]
        only_year = np.isnat(dob[slot]) & (year > 1800) & (year < 2200)
        years = (year[only_year] - 1970).astype(np.int64).astype("datetime64[Y]")
        dob[slot[only_year]] = years.astype("datetime64[D]")
        precision[slot[only_year]] = YEAR
    if "source_row" in persons.columns:
        rows = pd.to_numeric(persons["source_row"], errors="coerce")
        person_row[slot] = rows.to_numpy(dtype=float, na_value=np.nan)[::-1]
    dob[n_ids], person_row[n_ids] = np.datetime64("NaT"), np.nan
    birth_lo, _ = period_bounds(dob, precision)
    # the age rules: on the ID's birth year when the ID and the birth date disagree (or there is no
    # date); the ID holds the year the population database has, a typed date may be years off.
    # Of the two, the earlier counts (the ID may be the wrong one: swapped digits)
    age_lo = birth_lo.copy()
    if "id_birth_year" in persons.columns:
        id_year = np.full(n_ids + 1, np.nan)
        id_year[slot] = pd.to_numeric(persons["id_birth_year"], errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )[::-1]
        id_year[n_ids] = np.nan
        typed_year = dob.astype("datetime64[Y]").astype("int64").astype(float) + 1970
        typed_year[np.isnat(dob)] = np.nan
        use_id = (id_year > 1800) & (id_year < 2200) & ~(typed_year == id_year)
        years = (id_year[use_id] - 1970).astype(np.int64).astype("datetime64[Y]")
        id_lo = years.astype("datetime64[D]")
        # of the two, the earlier: like a coarse date, only a certain problem is reported
        age_lo[use_id] = np.where(
            np.isnat(age_lo[use_id]), id_lo, np.minimum(age_lo[use_id], id_lo)
        )
    at = np.where(rcode >= 0, rcode, n_ids)
    return {
        "dob": dob[at],
        "precision": precision[at],
        "birth_lo": birth_lo[at],
        "age_birth_lo": age_lo[at],
        "person_row": person_row[at],
    }


# Nobody born this long before a dose can be under the highest minimum age (18)
_ADULT_FOR_SURE = np.timedelta64(19 * 366, "D")


def check_ages(issues, d, rcode, pcode, facts, dates, births) -> None:
    """Birth after the first dose (personal_info), doses before the age of eligibility and
    non-paediatric products for children. A coarse date (year or month only) is taken at its most
    favourable bound, so only certain problems are reported."""
    r = rules()
    hi, plausible = dates["hi"], dates["plausible"]
    birth_lo = births["birth_lo"]
    known = plausible & ~np.isnat(birth_lo)
    born_after = known & (birth_lo > hi)
    person_flagged = np.zeros(len(d), dtype=bool)
    if born_after.any():
        person_flagged = np.isin(rcode, np.unique(rcode[born_after]))
        # one finding per person, on the person's own row (value: the dob at its precision)
        first = np.flatnonzero(born_after)
        first = first[~pd.Series(rcode[first]).duplicated().to_numpy()]
        value = np.full(len(d), None, dtype=object)
        value[first] = iso_at_precision(births["dob"][first], births["precision"][first])
        person_row = pd.array(births["person_row"], dtype="Int64")
        issues.add(first, "dob_after_first_dose", "dob", value, source_row=person_row)

    # only people who may be minors on the dose date need the calendar arithmetic; their age is
    # judged on the ID's birth year when the ID and the typed date disagree (see birth_bounds)
    age_lo = births["age_birth_lo"]
    young = np.flatnonzero(
        plausible & ~np.isnat(age_lo) & ~person_flagged & (age_lo > hi - _ADULT_FOR_SURE)
    )
    # the oldest the person can have been on the latest day the dose date can mean
    age = age_years(age_lo[young], hi[young])
    min_age = min_age_on(pd.Series(hi[young].astype("datetime64[ns]")))
    too_young = age < min_age.to_numpy(dtype=float, na_value=np.nan)
    issues.add(young[too_young], "dose_before_eligible_age", "dose_date", d["dose_date_raw"])
    child = ~too_young & (age < r.paediatric_under_age)
    adult_product = facts.approved[pcode[young]] & ~facts.paediatric[pcode[young]]
    issues.add(young[child & adult_product], "dose_product_not_for_age", "vaccine", d["vaccine"])
