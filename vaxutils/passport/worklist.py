"""The vaccine-passport worklist (S7): per facility and day, doses ready to sign or blocked.

A dose is blocked, with every reason that applies (:mod:`.reasons`), when

* its vaccine is not one of the 8 products the passport covers, or cannot be recognised;
* the dose itself has an error (a date before the programme began, doses too close, a dose
  before the age of eligibility, ...): the dose checks of screening, run for the work day;
* its person's record is not clean yet — an error of the Ministry's three lists (no ID, malformed
  ID, wrong basic information) or an ID shared by different people — unless the facility signs
  without the cleaning steps (Ministry, other ministries, province and district levels: S8,
  :mod:`.sites`);
* its certificate could not be right, at any site (exempt ones too): no record for the dose, a
  record with no name, a birth date after the dose or outside the DCC's years 1900–2099;
* its record is the duplicate of another record of the same person, waiting to be merged (S5's
  merge list, else screening's duplicate groups): it is signed on the record kept, once merged.
  The doses of records pending a merge are numbered over the person's merged history.

Doses without a date or a dose number, a dose number repeated for one record and a dose out of
date order cannot be placed on a list to sign (the certificate would list them wrongly); they stay
in screening's findings and are counted as left out.

Province-sized inputs stay in Arrow: record ids are looked up with hash kernels (no string
``reindex``), reasons are joined per dose by Arrow, and the list is sorted on integer ranks.

>>> READY, BLOCKED
('sẵn sàng ký', 'bị chặn')
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils.io.cells import text_column
from vaxutils.passport.arrow_text import (
    arrow_text,
    as_series,
    encode,
    positions,
    positions_of,
    take,
)
from vaxutils.passport.reasons import (
    certificate_reasons,
    dose_reasons,
    joined_per_key,
    pending_merges,
    product_reasons,
    record_reasons,
)
from vaxutils.passport.sites import exempt_sites
from vaxutils.screen.doses import dose_issues

READY, BLOCKED = "sẵn sàng ký", "bị chặn"
NO_FACILITY = "Không rõ cơ sở tiêm"
WORKLIST_COLUMNS = (
    "facility",
    "work_date",
    "record_id",
    "dose_number",
    "dose_date",
    "product",
    "lot",
    "full_name",
    "dob",
    "id_number",
    "status",
    "reason",
    "source_row",
    "exempt_rule",
)


def _ranks(text: pa.Array) -> np.ndarray:
    """Integer keys that sort like the texts (code-point order, missing last): for columns of
    few distinct values (facilities, statuses)."""
    coded = pc.dictionary_encode(text)
    order = pc.array_sort_indices(coded.dictionary).to_numpy()
    rank = np.empty(len(order) + 1, dtype=np.int64)
    rank[order] = np.arange(len(order))
    rank[-1] = len(order)
    return rank[pc.fill_null(coded.indices, -1).to_numpy(zero_copy_only=False)]


def _signable(
    d: pd.DataFrame, found: pd.DataFrame, work_date: date, since: date | None, codes: np.ndarray
) -> np.ndarray:
    """Doses that can be on the list: dated by the work day (from ``since``), numbered, once,
    and in date order with the record's other doses."""
    day = pd.to_datetime(d["dose_date"], errors="coerce")
    number = pd.to_numeric(d["dose_number"], errors="coerce")
    keep = (day.notna() & (day <= pd.Timestamp(work_date)) & number.notna()).to_numpy(bool).copy()
    disordered = found.loc[found["code"].eq("dose_out_of_order"), "dose_row"]
    keep[disordered.to_numpy(dtype=np.int64)] = False
    if since is not None:
        keep &= (day >= pd.Timestamp(since)).to_numpy(bool)
    # the first dose of each (record, dose number); missing numbers are never kept
    numbered = np.flatnonzero(number.notna().to_numpy(bool))
    r = codes[numbered] + 1
    n = number.to_numpy(float)[numbered].astype(np.int64)
    span = int(n.max() - n.min() + 1) if len(n) else 1
    if len(n) and span * (int(r.max()) + 1) < 2**62:  # one int64 key: hashing is cheap
        repeated = pd.Series(r * span + (n - n.min())).duplicated(keep="first").to_numpy()
    else:
        repeated = pd.DataFrame({"r": r, "n": n}).duplicated(keep="first").to_numpy()
    first = np.zeros(len(d), dtype=bool)
    first[numbered[~repeated]] = True
    return keep & first


def _merged_numbers(
    rid: pa.Array,
    keys: tuple[pa.Array, np.ndarray],
    dose_date: pd.Series,
    dose_number: pd.Series,
    merged: pd.Series,
) -> pd.Series:
    """Dose numbers over a person's merged history: the records of one person pending a merge
    are one history, numbered by date (a booster on the duplicate is not its "Mũi 1")."""
    into = positions_of(keys, merged.index.to_series())
    person = pc.coalesce(take(arrow_text(merged), into), rid)
    grouped = (positions(person, merged) >= 0) | (into >= 0)
    if not grouped.any():
        return dose_number
    rows = np.flatnonzero(grouped)
    mine = pd.DataFrame(
        {"_person": as_series(person.take(pa.array(rows))).to_numpy(),
         "dose_date": dose_date.to_numpy()[rows], "dose_number": dose_number.to_numpy()[rows]},
        index=rows,
    )  # fmt: skip
    order = mine.sort_values(["_person", "dose_date", "dose_number"], kind="stable")
    renumbered = order.groupby("_person").cumcount().add(1).astype("Int64")
    numbers = dose_number.copy()
    numbers[renumbered.index] = renumbered
    return numbers


def _text(values: pa.Array) -> np.ndarray:
    """An Arrow text array as the ``str`` column pandas infers from objects (NA: NaN)."""
    return as_series(values).astype("str").array


def passport_worklist(
    doses: pd.DataFrame,
    records: pd.DataFrame,
    findings: pd.DataFrame,
    *,
    work_date: date,
    since: date | None = None,
    merges: pd.DataFrame | None = None,
    sites: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The worklist of every facility for ``work_date``: doses given on or before it (from
    ``since`` when given), each ready to sign or blocked with its reasons.

    ``doses``, ``records`` and ``findings`` are screening's (``doses.parquet``, ``records.parquet``,
    ``findings.parquet``). ``merges`` is S5's merge list (``gop_trung.csv``: ``record_id``,
    ``keep_record_id``); ``sites`` a user's site mapping (see :func:`exempt_sites`). Rows are
    sorted by facility, status (blocked first) and dose date.
    """
    d = doses.reset_index(drop=True)
    found = dose_issues(d, records, work_date, with_dose_row=True)
    rid = arrow_text(text_column(d, "record_id"))
    ids = encode(rid)  # the record ids are looked up several times: each distinct one hashed
    exempt, rule = exempt_sites(d, sites)
    merged = pending_merges(findings, merges)
    person_of_dose = positions_of(ids, text_column(records, "record_id"))
    reasons = pd.concat(
        [
            product_reasons(d),
            dose_reasons(found),
            record_reasons(ids, findings, exempt, merged),
            certificate_reasons(person_of_dose, records, d["dose_date"]),
        ],
        ignore_index=True,
    ).drop_duplicates()
    # one join per blocked dose, not per row of the list
    joined = joined_per_key(reasons, "dose_row", "reason")
    reason_at = np.full(len(d), -1, dtype=np.int64)
    reason_at[joined.index.to_numpy(dtype=np.int64)] = np.arange(len(joined))
    dose_date = pd.to_datetime(d["dose_date"], errors="coerce")
    numbers = _merged_numbers(rid, ids, dose_date, d["dose_number"].astype("Int64"), merged)

    rows = np.flatnonzero(_signable(d, found, work_date, since, ids[1]))
    facility = pc.fill_null(arrow_text(text_column(d, "facility")), NO_FACILITY)
    status = pc.if_else(pc.is_valid(take(arrow_text(joined), reason_at)), BLOCKED, READY)
    # sorted before the table is built (one gather per column): facility, status (blocked
    # first), dose date, record id — Arrow's stable sort compares record ids only within ties
    keys = pa.table(
        {"f": _ranks(facility)[rows], "s": _ranks(status.cast(pa.large_string()))[rows],
         "d": dose_date.to_numpy("datetime64[ns]").astype(np.int64)[rows],
         "r": rid.take(pa.array(rows, pa.int64()))}
    )  # fmt: skip
    order = pc.sort_indices(keys, sort_keys=[(k, "ascending") for k in ("f", "s", "d", "r")])
    rows = rows[order.to_numpy()]
    picked = pa.array(rows, pa.int64())
    at_person = person_of_dose[rows]

    def of_person(column: str) -> pa.Array:
        return take(arrow_text(text_column(records, column)), at_person)

    if "dob" in records.columns and len(records):
        dob = pd.to_datetime(records["dob"], errors="coerce").to_numpy()[np.maximum(at_person, 0)]
        dob[at_person < 0] = np.datetime64("NaT")
    else:
        dob = pd.NaT
    table = pd.DataFrame(
        {
            "facility": as_series(facility.take(picked)),
            "work_date": pd.Timestamp(work_date),
            "record_id": as_series(rid.take(picked)),
            "dose_number": numbers.array[rows],
            "dose_date": dose_date.to_numpy()[rows],
            "product": as_series(arrow_text(text_column(d, "product")).take(picked)),
            "lot": as_series(arrow_text(text_column(d, "lot")).take(picked)),
            "full_name": _text(of_person("full_name")),
            "dob": dob,
            "id_number": _text(pc.coalesce(of_person("id_compact"), of_person("id_raw"))),
            "status": _text(status.take(picked).cast(pa.large_string())),
            "reason": _text(take(arrow_text(joined), reason_at[rows])),
            "source_row": d["source_row"].astype("Int64").array[rows]
            if "source_row" in d
            else pd.NA,
            "exempt_rule": _text(arrow_text(rule).take(picked)),
        }
    )
    return table[list(WORKLIST_COLUMNS)]
