"""Dose-history checks: is each person's COVID-19 vaccination history possible and within the rules?

Rules (DESIGN §2.4; data and sources in ``vaxutils/refdata/data/vaccines.yaml``): no dose before
8 March 2021 or after the export date; dose numbers 1–9, each once, without a hole between two given
doses, in date order; primary doses at least the product's minimum interval apart (between the
minimum and the recommended gap is normal) and only mixed as allowed (AZ → Pfizer/Moderna,
Pfizer ↔ Moderna); boosters at least 3 months after the primary series (6 months before March 2022),
later doses at least 4 months after the previous one; no dose before the age of eligibility on its
date; no never-approved product (Nanocovax, Covivac).

Everything is vectorised: the doses are sorted once by record and dose number and each dose is
compared with the previous one of the same record (no loop over records), so a province's millions
of doses check in seconds. Doses from exempt facilities are checked too: the exemption only matters
for passport gating.

Two steps, as in the screening engine: :func:`prepare_doses` (typed doses, the ``doses.parquet``
columns) then :func:`dose_issues` (long-form issues: record_id, source_row, code, field, value,
suggestion; codes in ``vaxutils/screen/catalogue/doses.yaml``).

>>> doses = pd.DataFrame({
...     "record_id": ["A", "A"], "source_row": [2, 3], "dose_number": ["1", "2"],
...     "dose_date": pd.to_datetime(["2021-08-02", "2021-08-16"]), "dose_date_precision": "day",
...     "vaccine": "AstraZeneca", "product": "AstraZeneca"})
>>> persons = pd.DataFrame({"record_id": ["A"], "dob": pd.to_datetime(["1980-05-04"]),
...                         "dob_precision": ["day"]})
>>> dose_issues(doses, persons, "2022-05-20")[["record_id", "code", "value"]]
  record_id                     code       value
0         A  dose_interval_too_short  2021-08-16
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from vaxutils.dates import issues_series as date_issues
from vaxutils.dates import parse_dates
from vaxutils.io.cells import cells_to_text
from vaxutils.io.headers import normalize_header
from vaxutils.kernel.calendar import add_months, age_years
from vaxutils.kernel.cells import column_or_na, stripped_text
from vaxutils.refdata.facilities import exempt_levels, facility_level_lookup
from vaxutils.refdata.vaccines import min_age_on, rules, vaccine_lookup, vaccines

ISSUE_COLUMNS: tuple[str, ...] = ("record_id", "source_row", "code", "field", "value", "suggestion")

# Columns of doses.parquet (docs/ARCHITECTURE.md), then the raw cells and the date precision that
# the checks need (kept so a person sees the cell as typed next to each finding).
PREPARED_COLUMNS: tuple[str, ...] = (
    "record_id",
    "source_row",
    "dose_number",
    "vaccine",
    "product",
    "lot",
    "dose_date",
    "facility",
    "facility_level",
    "level",
    "exempt_from_cleaning",
    "additional",
    "dose_number_raw",
    "dose_date_raw",
    "dose_date_precision",
)

# Every code this module emits (all in catalogue/doses.yaml; category dose except
# dob_after_first_dose, which is personal_info).
CODES: tuple[str, ...] = (
    "dose_date_missing",
    "dose_date_unparseable",
    "dose_date_impossible",
    "dose_date_incomplete",
    "dose_date_before_start",
    "dose_date_future",
    "dose_out_of_order",
    "dose_interval_too_short",
    "booster_too_early",
    "primary_mixing_not_allowed",
    "booster_product_not_recommended",
    "vaccine_missing",
    "vaccine_unknown",
    "vaccine_unapproved",
    "dose_number_missing",
    "dose_number_invalid",
    "dose_number_out_of_range",
    "dose_number_repeated",
    "dose_number_gap",
    "dose_before_eligible_age",
    "dose_product_not_for_age",
    "dob_after_first_dose",
)

MAX_DOSE_NUMBER = 9  # EU DCC `dn` is 1–9


def _text(frame: pd.DataFrame, name: str) -> pd.Series:
    """The column as stripped text (NA when blank or absent), whatever the cells hold."""
    cells = column_or_na(frame, name)
    if not isinstance(cells.dtype, pd.StringDtype):  # text from vaxutils.io needs no rendering
        cells = cells_to_text(cells)
    return stripped_text(cells)


def _row_numbers(frame: pd.DataFrame) -> pd.Series:
    """source_row as Int64; anything that is not a whole number becomes NA."""
    if "source_row" not in frame.columns:
        return pd.Series(pd.NA, index=frame.index, dtype="Int64")
    rows = frame["source_row"]
    if not pd.api.types.is_integer_dtype(rows.dtype):
        numbers = pd.to_numeric(_text(frame, "source_row"), errors="coerce").astype(float)
        whole = np.isfinite(numbers) & (numbers.abs() < 2**53) & (numbers == np.floor(numbers))
        rows = numbers.where(whole)
    return rows.astype("Int64")


def _column_text(frame: pd.DataFrame, column: str, fallback: str | None = None) -> pd.Series:
    """A prepared text column as ``string`` (:func:`prepare_doses` already stripped it); for a
    frame prepared elsewhere without it, the typed column ``fallback`` (dates shown ISO)."""
    if column in frame.columns:
        text = frame[column]
    elif fallback in frame.columns:
        text = frame[fallback]
        if pd.api.types.is_datetime64_any_dtype(text):
            text = text.dt.strftime("%Y-%m-%d")
    else:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    if isinstance(text.dtype, pd.StringDtype):  # "string" or pandas 3 "str": no copy needed
        return text
    return cells_to_text(text)


def _dose_number(raw: pd.Series) -> pd.Series:
    """The dose number in a dose-number cell; huge numbers become 999.

    The first integer of the cell ("Mũi 2", "2", "3 (nhắc lại)"), except when the cell names a
    booster by its own count ("Mũi nhắc lại 1", "Nhắc lại lần 2"): that is the booster after a
    two-dose primary series, dose 3 or 4 (every primary product used in Vietnam but Janssen has two
    doses). Parsed once per distinct cell: a column of millions holds a few dozen spellings.

    >>> _dose_number(pd.Series(["Mũi 2", "3 (nhắc lại)", "Mũi nhắc lại 1", "Nhắc lại lần 2", "x"])).tolist()
    [2, 3, 3, 4, <NA>]
    """
    codes, uniques = pd.factorize(raw)
    text = pd.Series(uniques, dtype="string")
    digits = text.str.extract(r"(-?\d+)", expand=False)
    digits = digits.mask(digits.str.len().fillna(0) > 4, "999")
    numbers = pd.to_numeric(digits, errors="coerce").astype("Int64")
    folded = (
        pd.Series(uniques, dtype=object).map(normalize_header, na_action="ignore").astype("string")
    )
    booster_count = folded.str.fullmatch(r"(?:mui )?nhac lai (?:lan )?[12]").fillna(False)
    numbers = numbers.mask(booster_count.to_numpy(dtype=bool), numbers + 2)
    return pd.Series(numbers.array.take(codes, allow_fill=True), index=raw.index, dtype="Int64")


def _additional(raw: pd.Series) -> np.ndarray:
    """Whether a dose-number cell names an additional primary dose ("Mũi bổ sung", "3 (bổ xung)").

    Looked at once per distinct cell.
    """
    codes, uniques = pd.factorize(raw)
    folded = pd.Series(uniques, dtype=object).map(normalize_header, na_action="ignore")
    named = folded.str.contains(r"\bbo ?(?:sung|xung)\b", regex=True).fillna(False)
    named = named.to_numpy(dtype=bool)
    return np.append(named, False)[np.where(codes < 0, len(named), codes)]


def _facility_levels(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Canonical level ("district", NA when unknown) and whether its doses are exempt (S8)."""
    level = facility_level_lookup(raw)
    return level, level.isin(exempt_levels()).fillna(False).astype(bool)


def prepare_doses(doses: pd.DataFrame) -> pd.DataFrame:
    """Typed doses (the ``doses.parquet`` columns) from ``Export.doses`` (all text); input untouched.

    >>> raw = pd.DataFrame({"record_id": ["A"], "source_row": [2], "dose_number": ["Mũi 1"],
    ...                     "vaccine": ["VERO CELL (Sinopharm)"], "dose_date": ["2021-09-01"]})
    >>> row = prepare_doses(raw).iloc[0]
    >>> int(row["dose_number"]), row["product"], str(row["dose_date"].date())
    (1, 'Vero Cell', '2021-09-01')
    """
    date_raw = _text(doses, "dose_date")
    number_raw = _text(doses, "dose_number")
    vaccine = _text(doses, "vaccine")
    facility_level = _text(doses, "facility_level")
    if len(doses):
        parsed = parse_dates(date_raw)
        dose_date = parsed["date"]
        precision = parsed["precision"]
    else:
        dose_date = pd.Series(pd.NaT, index=doses.index, dtype="datetime64[ns]")
        precision = pd.Series(pd.NA, index=doses.index, dtype="string")
    level, exempt = _facility_levels(facility_level)
    source_row = _row_numbers(doses)
    out = pd.DataFrame(
        {
            "record_id": _text(doses, "record_id"),
            "source_row": source_row,
            "dose_number": _dose_number(number_raw),
            "vaccine": vaccine,
            "product": vaccine_lookup(vaccine),
            "lot": _text(doses, "lot"),
            "dose_date": dose_date,
            "facility": _text(doses, "facility"),
            "facility_level": facility_level,
            "level": level,
            "exempt_from_cleaning": exempt,
            "additional": _additional(number_raw),
            "dose_number_raw": number_raw,
            "dose_date_raw": date_raw,
            "dose_date_precision": precision,
        },
        index=doses.index,
    )
    return out


# --- product facts as arrays indexed by a small product code ----------------------------------


@dataclass(frozen=True)
class _ProductFacts:
    """Per product (position in ``names``; code -1 = unknown, mapped to the extra last slot)."""

    names: pd.Index
    approved: np.ndarray  # bool
    primary_doses: np.ndarray  # float, NaN when unknown
    min_interval_days: np.ndarray  # float, NaN when no rule (Janssen, unapproved, unknown)
    booster_allowed: np.ndarray  # bool (True for unknown: nothing to say)
    paediatric: np.ndarray  # bool (True for unknown)
    mixing_allowed: np.ndarray  # bool matrix [earlier, later]; the unknown row/column is True

    def code(self, product: pd.Series) -> np.ndarray:
        """Product code per row (one hash lookup per unique name); -1 for NA/unknown."""
        codes, uniques = pd.factorize(product)
        known = np.append(self.names.get_indexer(uniques), -1)
        return known[codes]


@functools.cache
def _facts() -> _ProductFacts:
    table, r = vaccines(), rules()
    names = pd.Index(table["product"].astype(str))

    def column(name: str, unknown, dtype) -> np.ndarray:
        values = table[name].astype("Float64" if dtype is float else bool)
        return np.append(
            values.to_numpy(dtype=dtype, na_value=np.nan if dtype is float else False), unknown
        )

    n = len(names)
    mixing = np.ones((n + 1, n + 1), dtype=bool)
    for i, earlier in enumerate(names):
        for j, later in enumerate(names):
            mixing[i, j] = r.mixing_allowed(earlier, later)
    return _ProductFacts(
        names=names,
        approved=column("approved", True, bool),
        primary_doses=column("primary_doses", np.nan, float),
        min_interval_days=column("min_interval_days", np.nan, float),
        booster_allowed=column("booster_allowed", True, bool),
        paediatric=np.append(names.isin(list(r.paediatric_products)), True),
        mixing_allowed=mixing,
    )


# --- calendar arithmetic on datetime64[D] arrays ---------------------------------------------


DAY, MONTH, YEAR = 0, 1, 2  # date precision codes (int8 arrays compare fast on millions of rows)


def _days(values: pd.Series) -> np.ndarray:
    """Dates as datetime64[D] (NaT when missing); a non-datetime column is read as ISO text."""
    if not pd.api.types.is_datetime64_any_dtype(values.dtype):
        values = pd.to_datetime(cells_to_text(values), errors="coerce", format="ISO8601")
    return values.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")


def _precision_codes(precision: pd.Series) -> np.ndarray:
    """DAY (also when unknown), MONTH or YEAR per row."""
    codes = np.full(len(precision), DAY, dtype=np.int8)
    codes[precision.eq("month").fillna(False).to_numpy(dtype=bool)] = MONTH
    codes[precision.eq("year").fillna(False).to_numpy(dtype=bool)] = YEAR
    return codes


def _period_bounds(days: np.ndarray, precision: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Earliest and latest day a date of the given precision can mean (year: 1 Jan … 31 Dec)."""
    lo, hi = days.copy(), days.copy()
    for code, unit in ((MONTH, "datetime64[M]"), (YEAR, "datetime64[Y]")):
        rows = np.flatnonzero(precision == code)
        period = days[rows].astype(unit)
        lo[rows] = period.astype("datetime64[D]")
        hi[rows] = (period + 1).astype("datetime64[D]") - 1
    return lo, hi


def _iso(days: np.ndarray, precision: np.ndarray) -> np.ndarray:
    """Dates as text at their precision ("1990", "1990-05", "1990-05-04"); NaT → None."""
    text = np.where(
        precision == YEAR,
        np.datetime_as_string(days, unit="Y"),
        np.where(
            precision == MONTH,
            np.datetime_as_string(days, unit="M"),
            np.datetime_as_string(days, unit="D"),
        ),
    ).astype(object)
    text[np.isnat(days)] = None
    return text


def _day_month_swapped(days: np.ndarray) -> np.ndarray:
    """The date with day and month exchanged (NaT when the day is over 12): 03/08 ↔ 08/03."""
    months = days.astype("datetime64[M]")
    years = days.astype("datetime64[Y]")
    month = (months - years.astype("datetime64[M]")).astype(np.int64)  # 0-based
    day = (days - months.astype("datetime64[D]")).astype(np.int64)  # 0-based
    swapped = (years.astype("datetime64[M]") + day).astype("datetime64[D]") + month
    return np.where((day < 12) & ~np.isnat(days), swapped, np.datetime64("NaT"))


def _dmy(days: np.ndarray) -> np.ndarray:
    """dd/mm/yyyy, as dates are written in Vietnam."""
    iso = np.datetime_as_string(days, unit="D").astype(object)
    return np.array([f"{t[8:10]}/{t[5:7]}/{t[:4]}" for t in iso], dtype=object)


def _swap_suggestion(days: np.ndarray, start: np.datetime64, end: np.datetime64) -> np.ndarray:
    """The day/month swap of each date as dd/mm/yyyy when it falls in [start, end], else None."""
    suggestion = np.full(len(days), None, dtype=object)
    swapped = _day_month_swapped(days)
    fits = ~np.isnat(swapped) & (swapped >= start) & (swapped <= end) & (swapped != days)
    suggestion[fits] = _dmy(swapped[fits])
    return suggestion


# --- collecting issues -----------------------------------------------------------------------


class _Issues:
    """Issues of one doses frame, kept as row positions until the end (cheap on large frames)."""

    def __init__(self, doses: pd.DataFrame) -> None:
        self.doses = doses
        self.parts: list[pd.DataFrame] = []

    def add(self, where, code: str, field: str, value, suggestion=None, source_row=None) -> None:
        """Record ``code`` on the rows where ``where`` (bool mask or positions) holds."""
        where = np.asarray(where)
        rows = np.flatnonzero(where) if where.dtype == bool else where.astype(np.int64)
        if len(rows) == 0:
            return
        self.parts.append(
            pd.DataFrame(
                {
                    "row": rows,
                    "code": code,
                    "field": field,
                    "value": _take(value, rows),
                    "suggestion": _take(suggestion, rows),
                    "source_row": _take(source_row, rows),
                }
            )
        )

    def frame(self, with_dose_row: bool = False) -> pd.DataFrame:
        columns = [*ISSUE_COLUMNS, "dose_row"] if with_dose_row else list(ISSUE_COLUMNS)
        if not self.parts:
            out = pd.DataFrame({c: [] for c in columns})
        else:
            out = pd.concat(self.parts, ignore_index=True)
            rows = out["row"].to_numpy()
            out["record_id"] = self.doses["record_id"].take(rows).to_numpy(dtype=object)
            own_row = self.doses["source_row"].take(rows).to_numpy(dtype=object)
            out["source_row"] = np.where(pd.isna(out["source_row"]), own_row, out["source_row"])
            out["dose_row"] = rows
        out = out[columns].copy()
        for col in columns:
            out[col] = out[col].astype("Int64" if col in ("source_row", "dose_row") else "string")
        out = out.sort_values(["record_id", "source_row", "code"], kind="stable")
        return out.reset_index(drop=True)


def _take(values, rows: np.ndarray) -> np.ndarray:
    if values is None:
        return np.full(len(rows), None, dtype=object)
    if isinstance(values, pd.Series):
        return values.take(rows).to_numpy(dtype=object, na_value=None)
    return np.asarray(values, dtype=object)[rows]


# --- the checks ------------------------------------------------------------------------------


def dose_issues(
    doses: pd.DataFrame,
    persons: pd.DataFrame,
    export_date=None,
    *,
    with_dose_row: bool = False,
    groups: pd.Series | None = None,
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
    """
    if not {"product", "dose_date_precision"} <= set(doses.columns):
        doses = prepare_doses(doses)
    d = doses.reset_index(drop=True)
    d = d.assign(
        record_id=_column_text(d, "record_id"),
        source_row=_row_numbers(d),
        vaccine=_column_text(d, "vaccine"),
        dose_number_raw=_column_text(d, "dose_number_raw", fallback="dose_number"),
        dose_date_raw=_column_text(d, "dose_date_raw", fallback="dose_date"),
    )
    issues = _Issues(d)
    if d.empty:
        return issues.frame(with_dose_row)
    export_day = np.datetime64(
        (pd.Timestamp(export_date) if export_date is not None else pd.Timestamp.today()).date(), "D"
    )
    facts = _facts()
    pcode = facts.code(d["product"].astype("string"))
    dates = _check_date_cells(issues, d, export_day)
    _check_products(issues, d, pcode, facts)
    num, in_range = _check_dose_numbers(issues, d)
    rcode, person_code, n_ids = _record_codes(d["record_id"], persons)
    # the history a dose belongs to: its record's, or its person's when records are merged
    hcode, num, usable = _histories(d, rcode, num, in_range, dates, groups)
    chain = _dose_chain(hcode, num, dates["day"], d["source_row"], usable)
    repeated = _repeated(hcode, num, chain)
    issues.add(chain[repeated], "dose_number_repeated", "dose_number", d["dose_number_raw"])
    kept = chain[~repeated]
    primary_doses = _primary_doses_by_record(hcode, pcode, facts, kept, n_ids)
    _check_series(issues, d, hcode, num, pcode, facts, kept, primary_doses)
    dated = kept[dates["exact"][kept]]
    _check_intervals(issues, d, hcode, num, dates["day"], pcode, facts, dated, primary_doses)
    births = _births(persons, person_code, n_ids, rcode)
    _check_ages(issues, d, rcode, pcode, facts, dates, births)
    return issues.frame(with_dose_row)


def _histories(d, rcode, num, in_range, dates, groups):
    """History code, dose number and usability per dose.

    Without ``groups``: the record's code and the dose number as typed. With them, the doses of a
    group of several records share the code of the group's first record and are numbered 1, 2, …
    in date order (one per day); doses of such a group without a full plausible date, and a second
    dose of the group on one day, are left out of the history (their dates are findings already,
    the same-day copy is the duplicate's).
    """
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
    # the code of the group: the smallest record code among the group's doses
    codes = pd.Series(rcode[in_group]).groupby(merged[in_group].to_numpy()).transform("min")
    hcode[in_group] = codes.to_numpy()
    day = dates["day"]
    exact = dates["exact"]
    frame = pd.DataFrame({"h": hcode[in_group], "day": day[in_group], "ok": exact[in_group],
                          "row": np.flatnonzero(in_group)})  # fmt: skip
    frame = frame[frame["ok"]].sort_values(["h", "day", "row"], kind="stable")
    first_of_day = ~frame.duplicated(["h", "day"])
    frame = frame[first_of_day.to_numpy()]
    num = num.copy()
    num[frame["row"].to_numpy()] = frame.groupby("h").cumcount().to_numpy() + 1
    usable = usable.copy()
    usable[in_group] = False
    usable[frame["row"].to_numpy()] = True
    return hcode, num, usable & (num <= MAX_DOSE_NUMBER)


def _record_codes(
    record_id: pd.Series, persons: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, int]:
    """One integer per record_id, shared by doses and persons (-1 for a missing id)."""
    if "record_id" in persons.columns:
        # stripped like the doses' ids, so " A1" in one sheet still meets "A1" in the other
        theirs = _column_text(persons, "record_id").str.strip().reset_index(drop=True)
    else:
        theirs = pd.Series([], dtype="string")
    codes, uniques = pd.factorize(pd.concat([record_id, theirs], ignore_index=True))
    return codes[: len(record_id)], codes[len(record_id) :], len(uniques)


def _check_date_cells(issues: _Issues, d: pd.DataFrame, export_day: np.datetime64) -> dict:
    """Missing, unreadable, impossible, incomplete, too early and future dose dates."""
    day = _days(d["dose_date"])
    precision = _precision_codes(d["dose_date_precision"].astype("string"))
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
    lo, hi = _period_bounds(day, precision)
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
    swap[late] = _swap_suggestion(day[late], np.datetime64(start_day, "D"), export_day)
    issues.add(future, "dose_date_future", "dose_date", raw, swap)
    issues.add(plausible & ~exact, "dose_date_incomplete", "dose_date", raw)
    return {"day": day, "hi": hi, "plausible": plausible, "exact": exact}


def _check_products(issues: _Issues, d: pd.DataFrame, pcode: np.ndarray, facts) -> None:
    vaccine = d["vaccine"]
    blank = vaccine.isna().to_numpy()
    issues.add(blank, "vaccine_missing", "vaccine", vaccine)
    issues.add((pcode < 0) & ~blank, "vaccine_unknown", "vaccine", vaccine)
    issues.add(~facts.approved[pcode], "vaccine_unapproved", "vaccine", vaccine)


def _check_dose_numbers(issues: _Issues, d: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
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


def _dose_chain(rcode, num, day, source_row, usable) -> np.ndarray:
    """Positions of usable doses sorted by record, dose number, date (missing last), source row.

    The tie-breaks make the result independent of the row order of the file. One stable sort of
    a packed integer key (record | number | day) after ordering by source row.
    """
    chain = np.flatnonzero(usable)
    src = source_row.fillna(-1).to_numpy(dtype=np.int64)[chain]
    if np.any(src[1:] < src[:-1]):
        chain = chain[np.argsort(src, kind="stable")]
    offset = (day[chain] - np.datetime64("1900-01-01", "D")).astype(np.int64)
    day_key = np.where(np.isnat(day[chain]), _DAY_KEY_MAX, np.clip(offset, 0, _DAY_KEY_MAX - 1))
    key = (rcode[chain].astype(np.int64) << 24) | (num[chain] << 20) | day_key
    return chain[np.argsort(key, kind="stable")]


_DAY_KEY_MAX = (1 << 20) - 1  # 20 bits of days from 1900: past 4700; NaT sorts last


def _same_record_as_prev(rcode: np.ndarray, chain: np.ndarray) -> np.ndarray:
    same = np.zeros(len(chain), dtype=bool)
    same[1:] = rcode[chain][1:] == rcode[chain][:-1]
    return same


def _prev(values: np.ndarray, chain: np.ndarray) -> np.ndarray:
    """The previous chain element's value (the first element gets its own: mask it out)."""
    v = values[chain]
    return np.concatenate([v[:1], v[:-1]])


def _repeated(rcode, num, chain) -> np.ndarray:
    """Chain elements whose dose number the same record already had (the earliest-dated stays)."""
    return _same_record_as_prev(rcode, chain) & (num[chain] == _prev(num, chain))


def _primary_doses_by_record(rcode, pcode, facts, kept, n_ids) -> np.ndarray:
    """Per record code: primary doses of the record's first known product in dose-number order
    (NaN when none is known). ``kept`` is sorted by record, so a record starts where the code
    changes: no groupby needed."""
    out = np.full(n_ids + 1, np.nan)
    known = kept[pcode[kept] >= 0]
    rc = rcode[known]
    starts = np.ones(len(rc), dtype=bool)
    starts[1:] = rc[1:] != rc[:-1]
    out[rc[starts]] = facts.primary_doses[pcode[known[starts]]]
    return out


def _check_series(issues, d, rcode, num, pcode, facts, kept, primary_doses) -> None:
    """Holes in the numbering, primary-series mixing and booster products (no dates needed)."""
    same = _same_record_as_prev(rcode, kept)
    k, k_prev = num[kept], _prev(num, kept)
    gap = same & (k - k_prev > 1)
    missing = np.full(len(d), None, dtype=object)
    missing[kept[gap]] = _missing_numbers(k_prev[gap], k[gap])
    issues.add(kept[gap], "dose_number_gap", "dose_number", d["dose_number_raw"], missing)

    primary = primary_doses[rcode[kept]]
    p, p_prev = pcode[kept], _prev(pcode, kept)
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
    same = _same_record_as_prev(rcode, dated)
    k, k_prev = num[dated], _prev(num, dated)
    t, t_prev = day[dated], _prev(day, dated)
    out_of_order = same & (t < t_prev)
    raw = d["dose_date_raw"]
    # swapping day and month of the late-numbered dose may put it back in order (03/08 ↔ 08/03)
    swapped = _day_month_swapped(t[out_of_order])
    fits = swapped >= t_prev[out_of_order]
    suggestion = np.full(len(d), None, dtype=object)
    suggestion[dated[out_of_order][fits]] = _dmy(swapped[fits])
    issues.add(dated[out_of_order], "dose_out_of_order", "dose_date", raw, suggestion)

    consecutive = same & (k == k_prev + 1) & ~out_of_order
    primary = primary_doses[rcode[dated]]
    gap_days = (t - t_prev).astype(np.int64)
    # the earlier dose's product sets the wait (AZ then Pfizer: AZ's 28 days)
    p_prev = _prev(pcode, dated)
    wait = facts.min_interval_days[p_prev]
    too_short = consecutive & (k <= primary) & (gap_days < wait)  # NaN wait never compares true
    issues.add(dated[too_short], "dose_interval_too_short", "dose_date", raw)

    # An additional primary dose (named so in its dose-number cell) right after the primary series
    # needs 28 days; the first booster then counts from it.
    named = _additional_flags(d)
    additional = named[dated] & (k == primary + 1)
    after_additional = _prev(named, dated) & (k == primary + 2)
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
    return _additional(d["dose_number_raw"])


def _births(persons: pd.DataFrame, person_code: np.ndarray, n_ids: int, rcode: np.ndarray):
    """Per dose: the person's dob (day), its precision code, the earliest possible birth day and
    the person's source_row (NaN when unknown). A birth year without a parsed date still bounds
    the birth (1 January). When a record_id appears twice in ``persons``, the first row counts."""
    dob = np.full(n_ids + 1, np.datetime64("NaT"), dtype="datetime64[D]")
    precision = np.full(n_ids + 1, DAY, dtype=np.int8)
    person_row = np.full(n_ids + 1, np.nan)
    # writing in reverse order lets the first row of a repeated record_id win; -1 → spare slot
    slot = np.where(person_code >= 0, person_code, n_ids)[::-1]
    if "dob" in persons.columns:
        dob[slot] = _days(persons["dob"])[::-1]
    if "dob_precision" in persons.columns:
        precision[slot] = _precision_codes(persons["dob_precision"].astype("string"))[::-1]
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
    birth_lo, _ = _period_bounds(dob, precision)
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


def _check_ages(issues, d, rcode, pcode, facts, dates, births) -> None:
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
        value[first] = _iso(births["dob"][first], births["precision"][first])
        person_row = pd.array(births["person_row"], dtype="Int64")
        issues.add(first, "dob_after_first_dose", "dob", value, source_row=person_row)

    # only people who may be minors on the dose date need the calendar arithmetic; their age is
    # judged on the ID's birth year when the ID and the typed date disagree (see _births)
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
