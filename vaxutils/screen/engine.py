"""The screening engine (step S1): every check on one commune's export, as one findings table.

Compute only: :func:`screen` takes what :func:`vaxutils.io.read_export` read and returns data;
writing files is :mod:`vaxutils.stages.screen`' job.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils import reconcile
from vaxutils.kernel.cells import text_column
from vaxutils.screen.dedupe.pairs import commune_parts, compared_in_part, joined_parts
from vaxutils.screen.doses import DoseCodes, per_dose_checks, prepare_doses
from vaxutils.screen.duplicates import DOSE_SUMMARY_COLUMNS, duplicate_groups, duplicate_issues
from vaxutils.screen.findings import build_findings, record_status
from vaxutils.screen.persons import (
    classify_record_ids,
    conflict_issues,
    merged_issues,
    prepare_persons,
    record_issues,
)
from vaxutils.screen.summary import summarize


@dataclass
class ScreenResult:
    """What screening found: the findings table, the records with their status, the doses, a summary."""

    findings: pd.DataFrame
    records: pd.DataFrame
    doses: pd.DataFrame
    summary: dict = field(default_factory=dict)


@dataclass
class RecordCodes:
    """One integer per distinct record_id of the records, for the records and for the doses
    (-1: a missing id, or a dose whose id is on no record) — hashed once, so that every per-record
    summary of the doses is an integer groupby, not one more hashing of millions of strings."""

    records: np.ndarray
    doses: np.ndarray
    ids: pd.Index

    @classmethod
    def of(cls, records: pd.DataFrame, doses: pd.DataFrame) -> RecordCodes:
        # one dictionary encoding of the records' ids followed by the doses': codes in order of
        # first appearance, so the records' ids are codes 0..n-1 and a dose's higher code is an
        # id on no record (one hash table, where a factorize and a lookup would build two)
        chunks = [
            chunk
            for frame in (records, doses)
            for chunk in pa.chunked_array(pa.array(text_column(frame, "record_id").array))
            .cast(pa.large_string())
            .chunks
        ]
        encoded = pc.dictionary_encode(
            pa.concat_arrays(chunks) if chunks else pa.array([], pa.large_string())
        )
        every = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp)
        codes, at = every[: len(records)], every[len(records) :].astype("int64")
        n = int(codes.max()) + 1 if len(codes) else 0
        ids = pd.Index(pd.array(encoded.dictionary.slice(0, n), dtype="string"))
        return cls(codes, np.where(at < n, at, -1), ids)

    def for_dose_checks(self, records: pd.DataFrame, doses: pd.DataFrame) -> DoseCodes | None:
        """The codes :func:`~vaxutils.screen.doses.dose_issues` would hash again from the text ids
        (records' ids stripped; a dose whose id is on no record has a code of its own), or None
        when a record id has surrounding spaces (the dose checks then strip and hash them)."""
        record_ids = text_column(records, "record_id")
        if not record_ids.str.strip().eq(record_ids).fillna(True).all():
            return None
        at = self.doses.copy()
        orphan = np.flatnonzero((at < 0) & text_column(doses, "record_id").notna().to_numpy())
        extra, distinct = pd.factorize(text_column(doses, "record_id").take(orphan))
        at[orphan] = len(self.ids) + extra
        return DoseCodes(doses=at, persons=self.records, n=len(self.ids) + len(distinct))


_DAY_BITS = 19


def _per_code(reduce: np.ufunc, code: np.ndarray, values: np.ndarray, n: int):
    """``reduce`` (np.minimum / np.maximum) of ``values`` per code 0..n-1 in one unbuffered pass
    (a groupby would sort or hash the codes again), and whether each code had a value."""
    start = np.iinfo(np.int64).max if reduce is np.minimum else np.iinfo(np.int64).min
    out = np.full(n, start, dtype=np.int64)
    reduce.at(out, code, values)
    return out, np.bincount(code, minlength=n) > 0


def _per_id_summary(doses: pd.DataFrame, codes: RecordCodes) -> pd.DataFrame:
    """:data:`~vaxutils.screen.duplicates.DOSE_SUMMARY_COLUMNS` per distinct record id (rows
    ``0..len(codes.ids)-1``; NA where an id has no dose)."""
    on_record = codes.doses >= 0
    code = codes.doses[on_record]
    day = doses["dose_date"].to_numpy("datetime64[ns]")[on_record]
    n = len(codes.ids)
    dated = ~np.isnat(day)
    table = pd.DataFrame(index=np.arange(n))
    for column, reduce in (("first_dose_date", np.minimum), ("last_dose_date", np.maximum)):
        found, has = _per_code(reduce, code[dated], day[dated].view("int64"), n)
        table[column] = np.where(has, found, np.iinfo(np.int64).min).view("datetime64[ns]")
    # dose numbers as prepared (whole numbers, Int64)
    number = pd.to_numeric(pd.Series(doses["dose_number"].array[on_record]), errors="coerce")
    numbered = number.notna().to_numpy(bool)
    number = number[numbered].to_numpy("int64")
    for column, reduce in (("min_dose_number", np.minimum), ("max_dose_number", np.maximum)):
        found, has = _per_code(reduce, code[numbered], number, n)
        table[column] = pd.arrays.IntegerArray(found, ~has)
    # the smallest gap: dated doses in (record, date) order, differences within a record
    c, d = code[dated], day[dated].astype("datetime64[D]").astype("int64")
    # one sort of a packed (record, day) key: days of datetime64[ns] lie within ±2**17 of 1970
    key = np.sort((c.astype(np.int64) << _DAY_BITS) | (d + (1 << (_DAY_BITS - 1))))
    c, d = key >> _DAY_BITS, (key & ((1 << _DAY_BITS) - 1)) - (1 << (_DAY_BITS - 1))
    same = np.r_[False, c[1:] == c[:-1]][: len(c)]  # (no dose: no element)
    found, has = _per_code(np.minimum, c[same], np.diff(d, prepend=0)[same], n)
    table["min_dose_gap_days"] = np.where(has, found, np.nan)
    return table[list(DOSE_SUMMARY_COLUMNS)]


def dose_summary(
    doses: pd.DataFrame, record_ids: pd.Series, codes: RecordCodes | None = None
) -> pd.DataFrame:
    """Per record (aligned with ``record_ids``): last dose date, lowest and highest dose number,
    smallest gap in days between two dated doses — with the first dose date, what the duplicate
    rules read (:data:`vaxutils.screen.duplicates.DOSE_SUMMARY_COLUMNS`). ``codes`` are the
    :class:`RecordCodes` of these records and doses (computed when not given)."""
    if codes is None:
        codes = RecordCodes.of(pd.DataFrame({"record_id": record_ids}), doses)
    return _spread(_per_id_summary(doses, codes), codes, record_ids.index).drop(
        columns="first_dose_date"
    )


def _spread(per_id: pd.DataFrame, codes: RecordCodes, index: pd.Index) -> pd.DataFrame:
    """Per-id rows spread over the records (a record without an id gets NA)."""
    out = per_id.reindex(np.where(codes.records >= 0, codes.records, -1))
    out.index = index
    return out


# Below this many records a second thread costs more than it saves (the work is Python overhead).
THREADED_MIN_RECORDS = 50_000


def default_threads(n_records: int) -> int:
    """Threads :func:`screen` uses by default: two on a machine with two cores or more and an
    export large enough to share, else one.

    >>> default_threads(8_000)
    1
    """
    return 2 if n_records >= THREADED_MIN_RECORDS and (os.cpu_count() or 1) >= 2 else 1


class _Timed:
    """A pool of ``threads`` threads whose tasks each record their own duration under a name (the
    parts of one step: summed)."""

    def __init__(self, threads: int, timings: dict[str, float]):
        self.pool = ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="screen")
        self.timings = timings
        self.lock = threading.Lock()

    def submit(self, name: str, function, *args, **kwargs) -> Future:
        def timed():
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                took = time.perf_counter() - started
                with self.lock:
                    self.timings[name] = round(self.timings.get(name, 0.0) + took, 4)

        return self.pool.submit(timed)


def _dose_side(export, records: pd.DataFrame):
    """The doses prepared, the record ids hashed once (every per-record summary of the doses is then
    an integer groupby) and the per-id dose summary."""
    doses = prepare_doses(export.doses)
    codes = RecordCodes.of(records, doses)
    return doses, codes, _per_id_summary(doses, codes)


def _person_side(records: pd.DataFrame):
    """The ID numbers classified once (the prepared persons and the record findings both read it)
    and the prepared persons."""
    id_info = classify_record_ids(records)
    return id_info, prepare_persons(records, id_info=id_info)


def _record_side(export, records, persons, id_info, export_date) -> list[pd.DataFrame]:
    """Every field of every record, the cells the reader had to choose between, the merged cells."""
    row_issues = record_issues(records, persons, today=export_date, id_info=id_info)
    at = row_issues["row"].to_numpy().astype("int64")
    # rows are positions (the records were numbered afresh): taken, not looked up
    row_issues["record_id"] = persons["record_id"].array.take(at)
    row_issues["source_row"] = persons["source_row"].array.take(at)
    parts = [
        row_issues.drop(columns="row"),
        conflict_issues(export.conflicts, persons["record_id"]),
    ]
    filled = getattr(export, "filled", None)  # an Export pickled before merged cells were filled
    if filled is not None and len(filled):
        parts.append(merged_issues(filled, persons["record_id"]))
    return parts


def _registry_side(persons: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    reg = reconcile.prepare_registry(registry)
    return reconcile.registry_issues(persons, reg, reconcile.match_registry(persons, reg))


def screen(
    export,
    registry: pd.DataFrame | None = None,
    export_date: date | None = None,
    threads: int | None = None,
) -> ScreenResult:
    """Screen one export (an :class:`vaxutils.io.Export`): findings per record, in the S1 lists.

    ``registry`` is a population-database extract (see :mod:`vaxutils.reconcile`); when given, ID, name,
    birth date and sex are also compared with the matched person. ``export_date`` is the day the data
    was exported (doses and births after it are in the future); default: today.

    ``threads``: the independent checks (persons and doses; record fields and duplicates) run side
    by side on this many threads of this process — the column work is Arrow and numpy, which let go
    of the GIL. Default :func:`default_threads`; pass 1 where processes already share the cores.
    The findings do not depend on it. ``summary["timings_s"]`` holds each step's own duration (steps
    run side by side overlap) and ``total``.
    """
    export_date = export_date or date.today()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    records = export.records.reset_index(drop=True)
    threads = default_threads(len(records)) if threads is None else threads
    tasks = _Timed(threads, timings)
    try:
        dose_side = tasks.submit("prepare_doses", _dose_side, export, records)
        person_side = tasks.submit("prepare_persons", _person_side, records)
        id_info, persons = person_side.result()
        # the candidate pairs of duplicates need the person fields only: they start while the
        # doses are still being prepared
        pairs = [
            tasks.submit("duplicate_pairs", compared_in_part, persons, part)
            for part in commune_parts(persons, threads)
        ]
        doses, codes, per_id = dose_side.result()
        # each dose on its own and against its record; then every record field
        per_dose = tasks.submit(
            "doses",
            per_dose_checks,
            doses,
            persons,
            pd.Timestamp(export_date),
            codes=codes.for_dose_checks(records, doses),
        )
        record_side = tasks.submit(
            "records", _record_side, export, records, persons, id_info, export_date
        )
        # each record's first dose by its code: what prepare_persons would look up by record id
        # (a new frame: the tasks running are reading the one they were given)
        spread = _spread(per_id, codes, persons.index)
        persons = persons.assign(first_dose_date=spread["first_dose_date"])
        registry_side = (
            tasks.submit("registry", _registry_side, persons, registry)
            if registry is not None
            else None
        )
        # duplicates before the histories: a person's doses are judged on the merged history of
        # their records
        linked = persons.join(spread.drop(columns="first_dose_date"))
        compared = joined_parts([part.result() for part in pairs])
        grouping = tasks.submit("duplicates", duplicate_groups, linked, compared)
        groups = grouping.result()
        person_of = pd.Series(
            groups["person_group"].to_numpy(), index=pd.Index(persons["record_id"])
        )
        histories = tasks.submit("dose_histories", per_dose.result().with_histories, person_of)
        duplicate_side = tasks.submit("duplicate_findings", duplicate_issues, linked, groups=groups)
        parts = [*record_side.result(), histories.result(), duplicate_side.result()]
        if registry_side is not None:
            parts.append(registry_side.result())
    finally:
        tasks.pool.shutdown(wait=True, cancel_futures=True)

    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 4)
        clock = now

    parts = [p for p in parts if not p.empty]
    issues = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["code"])
    findings = build_findings(issues)
    lap("findings")

    status = record_status(persons["record_id"], findings)
    out_records = persons.join(status.drop(columns="record_id"))
    # records without doses (or without an id) have none
    per_code = np.bincount(codes.doses[codes.doses >= 0], minlength=len(codes.ids) + 1)
    out_records["n_doses"] = per_code[np.where(codes.records >= 0, codes.records, len(codes.ids))]
    lap("status")
    summary = summarize(findings, out_records, doses)
    lap("summary")
    timings["total"] = round(time.perf_counter() - started, 4)
    summary["export_date"] = export_date.isoformat()
    summary["timings_s"] = timings
    return ScreenResult(findings=findings, records=out_records, doses=doses, summary=summary)
