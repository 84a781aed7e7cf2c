"""The dose checks: dates, products, numbering, series, intervals and ages, over prepared doses."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from vaxutils.dates import issues_series as date_issues
from vaxutils.kernel.calendar import add_months
from vaxutils.refdata.vaccines import rules
from vaxutils.screen.dose_checks.ages import birth_bounds, check_ages
from vaxutils.screen.dose_checks.days import (
    DAY,
    as_days,
    day_month_swapped,
    dmy,
    period_bounds,
    precision_codes,
    swap_suggestion,
)
from vaxutils.screen.dose_checks.history import (
    DoseCodes,
    dose_chain,
    histories,
    keyed_like_persons,
    prev,
    primary_doses_by_record,
    record_codes,
    repeated_numbers,
    same_record_as_prev,
)
from vaxutils.screen.dose_checks.issues import Issues
from vaxutils.screen.dose_checks.prepare import (
    MAX_DOSE_NUMBER,
    additional_named,
    column_text,
    prepare_doses,
    row_numbers,
)
from vaxutils.screen.dose_checks.products import product_facts


def dose_issues(
    doses: pd.DataFrame,
    persons: pd.DataFrame,
    export_date=None,
    *,
    with_dose_row: bool = False,
    groups: pd.Series | None = None,
    codes: DoseCodes | None = None,
) -> pd.DataFrame:
    """Problems in the dose histories, long form: record_id, source_row, code, field, value, suggestion.

    ``doses`` is the output of :func:`prepare_doses` (a raw ``Export.doses`` is prepared first);
    ``persons`` needs record_id, dob, dob_precision (birth_year, id_birth_year and source_row are
    used when present); ``export_date`` is the day the data was exported (default: today). Inputs
    untouched. ``with_dose_row`` adds ``dose_row``, the position in ``doses`` of the dose each
    problem is about (in a wide export a record's doses share one sheet row).

    ``groups`` (record_id → a label shared by the records of one person, e.g. screening's duplicate
    groups) judges the order, numbering, intervals and mixing on each person's *merged* history: a
    record holding only the boosters of a person split over two records is not a primary series.
    Within a group of several records the doses are numbered again in date order (a dose recorded
    on two records on the same day counts once); the age checks stay per record.

    When a record's birth date and its 12-digit ID disagree on the birth year, the age rules are
    judged on the ID's year (a year typed late would make an adult's dose "too young"); the birth
    date itself is a personal-information finding (``id_birth_year_mismatch``).

    ``codes`` are the record codes of these doses and persons when the caller has them (a
    :class:`~.history.DoseCodes`, as :func:`~.history.record_codes` would compute them).
    """
    return per_dose_checks(doses, persons, export_date, codes=codes).with_histories(
        groups, with_dose_row=with_dose_row
    )


@dataclass
class DoseChecks:
    """The dose checks done so far: those of each dose on its own and against its record (dates,
    products, numbers, ages), before the histories, which need the duplicate groups. Screening
    runs them while the duplicates are still being found."""

    issues: Issues
    d: pd.DataFrame
    persons: pd.DataFrame
    facts: object = None
    pcode: np.ndarray | None = None
    dates: dict = field(default_factory=dict)
    num: np.ndarray | None = None
    in_range: np.ndarray | None = None
    rcode: np.ndarray | None = None
    person_code: np.ndarray | None = None
    n_ids: int = 0

    def with_histories(
        self, groups: pd.Series | None = None, *, with_dose_row: bool = False
    ) -> pd.DataFrame:
        """The checks of order, numbering, series, intervals and mixing on each history (the
        record's, or the person's with ``groups``), then every problem in long form."""
        if self.d.empty:
            return self.issues.frame(with_dose_row)
        d, issues, facts, pcode, dates = self.d, self.issues, self.facts, self.pcode, self.dates
        # the history a dose belongs to: its record's, or its person's when records are merged
        keyed = groups is not None and keyed_like_persons(groups, self.persons)
        hcode, num, usable = histories(
            d, self.rcode, self.num, self.in_range, dates, groups,
            self.person_code if keyed else None,
        )  # fmt: skip
        chain = dose_chain(hcode, num, dates["day"], d["source_row"], usable)
        repeated = repeated_numbers(hcode, num, chain)
        issues.add(chain[repeated], "dose_number_repeated", "dose_number", d["dose_number_raw"])
        kept = chain[~repeated]
        primary_doses = primary_doses_by_record(hcode, pcode, facts, kept, self.n_ids)
        _check_series(issues, d, hcode, num, pcode, facts, kept, primary_doses)
        dated = kept[dates["exact"][kept]]
        _check_intervals(issues, d, hcode, num, dates["day"], pcode, facts, dated, primary_doses)
        return issues.frame(with_dose_row)


def per_dose_checks(
    doses: pd.DataFrame,
    persons: pd.DataFrame,
    export_date=None,
    *,
    codes: DoseCodes | None = None,
) -> DoseChecks:
    """The checks of :func:`dose_issues` that need no history: each dose's date, product and
    number, and its age against its record's birth date. Finish with
    :meth:`DoseChecks.with_histories`."""
    if not {"product", "dose_date_precision"} <= set(doses.columns):
        doses = prepare_doses(doses)
    d = doses.reset_index(drop=True)
    d = d.assign(
        record_id=column_text(d, "record_id"),
        source_row=row_numbers(d),
        vaccine=column_text(d, "vaccine"),
        dose_number_raw=column_text(d, "dose_number_raw", fallback="dose_number"),
        dose_date_raw=column_text(d, "dose_date_raw", fallback="dose_date"),
    )
    issues = Issues(d)
    if d.empty:
        return DoseChecks(issues, d, persons)
    export_day = np.datetime64(
        (pd.Timestamp(export_date) if export_date is not None else pd.Timestamp.today()).date(), "D"
    )
    facts = product_facts()
    pcode = facts.code(d["product"].astype("string"))
    dates = _check_date_cells(issues, d, export_day)
    _check_products(issues, d, pcode, facts)
    num, in_range = _check_dose_numbers(issues, d)
    if codes is None:
        rcode, person_code, n_ids = record_codes(d["record_id"], persons)
    elif len(codes.doses) != len(d) or len(codes.persons) != len(persons):
        raise ValueError("dose_issues: the codes are not those of these doses and persons")
    else:
        rcode, person_code, n_ids = codes.doses, codes.persons, codes.n
    # the age rules are per record (each code is emitted by one check: the order of the checks
    # does not change the findings)
    births = birth_bounds(persons, person_code, n_ids, rcode)
    check_ages(issues, d, rcode, pcode, facts, dates, births)
    return DoseChecks(
        issues, d, persons, facts, pcode, dates, num, in_range, rcode, person_code, n_ids
    )


def _check_date_cells(issues: Issues, d: pd.DataFrame, export_day: np.datetime64) -> dict:
    """Missing, unreadable, impossible, incomplete, too early and future dose dates."""
    day = as_days(d["dose_date"])
    precision = precision_codes(d["dose_date_precision"].astype("string"))
    raw = d["dose_date_raw"]
    no_date = np.isnat(day)
    blank = raw.isna().to_numpy()
    unread = np.flatnonzero(no_date & ~blank)
    # the date checker tells a date that does not exist (31/02/2021, with the day/month swap as
    # suggestion when that is a real date) from text that is no date; only unreadable cells
    found = date_issues(raw.take(unread).reset_index(drop=True), field="dose_date")
    found = found[found["code"] == "dose_date_impossible"]
    impossible = np.zeros(len(unread), dtype=bool)
    impossible[found["row"].to_numpy(dtype=np.int64)] = True
    swapped = np.full(len(d), None, dtype=object)
    swapped[unread[found["row"].to_numpy(dtype=np.int64)]] = found["suggestion"].to_numpy(
        dtype=object, na_value=None
    )
    lo, hi = period_bounds(day, precision)
    start_day = rules().programme_start.date()
    before = ~no_date & (hi < np.datetime64(start_day, "D"))
    future = ~no_date & (lo > export_day)
    plausible = ~no_date & ~before & ~future
    exact = plausible & (precision == DAY)
    issues.add(no_date & blank, "dose_date_missing", "dose_date", raw)
    issues.add(unread[impossible], "dose_date_impossible", "dose_date", raw, swapped)
    issues.add(unread[~impossible], "dose_date_unparseable", "dose_date", raw)
    issues.add(before, "dose_date_before_start", "dose_date", raw)
    # a future date often has day and month swapped (12/05 typed for 05/12): suggest the swap
    late = np.flatnonzero(future & (precision == DAY))
    swap = np.full(len(d), None, dtype=object)
    swap[late] = swap_suggestion(day[late], np.datetime64(start_day, "D"), export_day)
    issues.add(future, "dose_date_future", "dose_date", raw, swap)
    issues.add(plausible & ~exact, "dose_date_incomplete", "dose_date", raw)
    return {"day": day, "hi": hi, "plausible": plausible, "exact": exact}


def _check_products(issues: Issues, d: pd.DataFrame, pcode: np.ndarray, facts) -> None:
    vaccine = d["vaccine"]
    blank = vaccine.isna().to_numpy()
    issues.add(blank, "vaccine_missing", "vaccine", vaccine)
    issues.add((pcode < 0) & ~blank, "vaccine_unknown", "vaccine", vaccine)
    issues.add(~facts.approved[pcode], "vaccine_unapproved", "vaccine", vaccine)


def _check_dose_numbers(issues: Issues, d: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Missing, unreadable and out-of-range dose numbers; returns the numbers (0 when NA)."""
    number = pd.to_numeric(d["dose_number"], errors="coerce").astype("Int64")
    raw = d["dose_number_raw"]
    missing = number.isna().to_numpy()
    num = number.fillna(0).to_numpy(dtype=np.int64)
    in_range = ~missing & (num >= 1) & (num <= MAX_DOSE_NUMBER)
    blank = raw.isna().to_numpy()
    issues.add(missing & blank, "dose_number_missing", "dose_number", raw)
    issues.add(missing & ~blank, "dose_number_invalid", "dose_number", raw)
    issues.add(~missing & ~in_range, "dose_number_out_of_range", "dose_number", raw)
    return num, in_range


def _check_series(issues, d, rcode, num, pcode, facts, kept, primary_doses) -> None:
    """Holes in the numbering, primary-series mixing and booster products (no dates needed)."""
    same = same_record_as_prev(rcode, kept)
    k, k_prev = num[kept], prev(num, kept)
    gap = same & (k - k_prev > 1)
    missing = np.full(len(d), None, dtype=object)
    missing[kept[gap]] = _missing_numbers(k_prev[gap], k[gap])
    issues.add(kept[gap], "dose_number_gap", "dose_number", d["dose_number_raw"], missing)

    primary = primary_doses[rcode[kept]]
    p, p_prev = pcode[kept], prev(pcode, kept)
    both_approved = facts.approved[p] & facts.approved[p_prev]
    in_primary = same & (k == k_prev + 1) & (k <= primary) & both_approved
    mixed = in_primary & ~facts.mixing_allowed[p_prev, p]
    issues.add(kept[mixed], "primary_mixing_not_allowed", "vaccine", d["vaccine"])
    booster = (k > primary) & facts.approved[p] & ~facts.booster_allowed[p]
    issues.add(kept[booster], "booster_product_not_recommended", "vaccine", d["vaccine"])


def _missing_numbers(prev_num: np.ndarray, num: np.ndarray) -> np.ndarray:
    """ "2" or "2, 3" for each (previous, current) dose-number pair; a loop over unique pairs only."""
    codes, uniques = pd.factorize(prev_num * 100 + num)  # dose numbers are 1–9
    labels = [", ".join(str(k) for k in range(u // 100 + 1, u % 100)) for u in uniques]
    return np.array(labels, dtype=object)[codes]


def _check_intervals(issues, d, rcode, num, day, pcode, facts, dated, primary_doses) -> None:
    """Order and gaps between doses that have a full, plausible date."""
    r = rules()
    same = same_record_as_prev(rcode, dated)
    k, k_prev = num[dated], prev(num, dated)
    t, t_prev = day[dated], prev(day, dated)
    out_of_order = same & (t < t_prev)
    raw = d["dose_date_raw"]
    # swapping day and month of the late-numbered dose may put it back in order (03/08 ↔ 08/03)
    swapped = day_month_swapped(t[out_of_order])
    fits = swapped >= t_prev[out_of_order]
    suggestion = np.full(len(d), None, dtype=object)
    suggestion[dated[out_of_order][fits]] = dmy(swapped[fits])
    issues.add(dated[out_of_order], "dose_out_of_order", "dose_date", raw, suggestion)

    consecutive = same & (k == k_prev + 1) & ~out_of_order
    primary = primary_doses[rcode[dated]]
    gap_days = (t - t_prev).astype(np.int64)
    # the earlier dose's product sets the wait (AZ then Pfizer: AZ's 28 days)
    p_prev = prev(pcode, dated)
    wait = facts.min_interval_days[p_prev]
    too_short = consecutive & (k <= primary) & (gap_days < wait)  # NaN wait never compares true
    issues.add(dated[too_short], "dose_interval_too_short", "dose_date", raw)

    # An additional primary dose (named so in its dose-number cell) right after the primary series
    # needs 28 days; the first booster then counts from it.
    named = _additional_flags(d)
    additional = named[dated] & (k == primary + 1)
    after_additional = prev(named, dated) & (k == primary + 2)
    extra_early = consecutive & additional & (gap_days < r.additional_dose_min_days)
    issues.add(dated[extra_early], "dose_interval_too_short", "dose_date", raw)

    first_booster = ((k == primary + 1) & ~additional) | after_additional
    before_change = t < np.datetime64(r.booster_rule_change.date(), "D")
    months = np.where(
        first_booster,
        np.where(before_change, r.first_booster_min_months_before, r.first_booster_min_months),
        r.later_booster_min_months,
    )
    booster = np.flatnonzero(consecutive & (k > primary) & ~additional)
    early = t[booster] < add_months(t_prev[booster], months[booster])
    issues.add(dated[booster[early]], "booster_too_early", "dose_date", raw)


def _additional_flags(d: pd.DataFrame) -> np.ndarray:
    """Per dose, whether it is a named additional primary dose (prepared doses carry the flag)."""
    if "additional" in d.columns:
        return d["additional"].fillna(False).to_numpy(dtype=bool)
    return additional_named(d["dose_number_raw"])
