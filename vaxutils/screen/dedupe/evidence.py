"""The evidence a person would use when a same name is not enough: the same phone, the same
village, dose histories that continue each other; and what speaks against (different phones,
birth years, interleaving histories, an age that rules out the doses)."""

from __future__ import annotations

import numpy as np
import pandas as pd

DOSE_SUMMARY_COLUMNS = ("first_dose_date", "last_dose_date", "min_dose_number", "max_dose_number",
                        "min_dose_gap_days")  # fmt: skip
# A booster comes at least 3 months after the primary series; doses of one primary series are
# weeks apart. Gaps that tell "the boosters of the same person" from "another person's series".
_BOOSTER_GAP_DAYS = 90
_SERIES_GAP_DAYS = 60


def _num(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(frame), np.nan)
    values = frame[name]
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        days = values.to_numpy("datetime64[ns]").astype("datetime64[D]")
        out = days.astype("int64").astype("float64")
        out[np.isnat(days)] = np.nan
        return out
    return pd.to_numeric(values, errors="coerce").to_numpy("float64", na_value=np.nan)


def evidence(frame: pd.DataFrame, left: np.ndarray, right: np.ndarray) -> dict[str, np.ndarray]:
    """What, besides name and birth date, says two records are one person or two (per pair).

    - ``birth_years_differ``: the birth year of one record (its date, else its ID number's year)
      differs from the other's;
    - ``doses_interleave``: each record has a dated dose and their dose periods overlap in time;
    - ``doses_continue``: they do not overlap, and the later record continues the earlier one —
      its numbering goes on (doses 1–2 here, 3 there), or the earlier holds a primary series and the
      later starts a booster's gap after it without looking like a primary series itself;
    - ``age_rules_out``: a record's birth year makes the other record's first dose impossible
      (under 12 in 2021: children were not vaccinated before 27 October 2021).

    Missing columns give False (no evidence): the rule then falls back on name, date and contact.
    """
    year = _num(frame, "birth_year")
    id_year = _num(frame, "id_birth_year")
    known_year = np.where(np.isnan(year), id_year, year)
    ly, ry = known_year[left], known_year[right]
    # the date of one against the ID of the other: the ID's year is the better-kept one
    ly_id, ry_id = id_year[left], id_year[right]
    differ = (ly != ry) & ~np.isnan(ly) & ~np.isnan(ry)
    differ |= (ly_id != ry) & ~np.isnan(ly_id) & ~np.isnan(ry) & np.isnan(year[left])
    differ |= (ry_id != ly) & ~np.isnan(ry_id) & ~np.isnan(ly) & np.isnan(year[right])

    first, last = _num(frame, "first_dose_date"), _num(frame, "last_dose_date")
    lo_num, hi_num = _num(frame, "min_dose_number"), _num(frame, "max_dose_number")
    gap = _num(frame, "min_dose_gap_days")
    lf, ll, rf, rl = first[left], last[left], first[right], last[right]
    dated = ~np.isnan(lf) & ~np.isnan(rf)
    interleave = dated & (lf <= rl) & (rf <= ll)
    left_first = ll < rf
    e_last = np.where(left_first, ll, rl)
    l_first = np.where(left_first, rf, lf)
    e_hi = np.where(left_first, hi_num[left], hi_num[right])
    l_lo = np.where(left_first, lo_num[right], lo_num[left])
    l_gap = np.where(left_first, gap[right], gap[left])
    numbering_goes_on = l_lo == e_hi + 1
    booster_after = (e_hi >= 2) & (l_first - e_last >= _BOOSTER_GAP_DAYS)
    not_a_series = np.isnan(l_gap) | (l_gap >= _SERIES_GAP_DAYS)
    continues = dated & ~interleave & (numbering_goes_on | (booster_after & not_a_series))

    # days since 1970 of 27 Oct 2021, when children (12–17) were first vaccinated in Vietnam
    children_from = float(np.datetime64("2021-10-27", "D").astype("int64"))
    born = known_year
    adult_only_first = lambda f: ~np.isnan(f) & (f < children_from)  # noqa: E731
    dose_year = lambda f: 1970 + np.floor(f / 365.25)  # noqa: E731
    rules_out = adult_only_first(rf) & (dose_year(rf) - born[left] < 17)
    rules_out |= adult_only_first(lf) & (dose_year(lf) - born[right] < 17)
    return {
        "birth_years_differ": differ,
        "doses_interleave": interleave,
        "doses_continue": continues,
        "age_rules_out": rules_out,
    }
