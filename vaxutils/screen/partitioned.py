"""Screening a district or a province in parallel, commune by commune (DESIGN §5).

The commune is the unit of the procedure and of screening: duplicates are blocked within each
commune, and a dose belongs to its person's record. So an export split into groups of whole
communes, each screened by :func:`vaxutils.screen.screen`, gives the same findings as one run over
the whole export — on several cores (a local process pool) or several machines (a dask.distributed
``Client``: commune groups as futures, no home-made scheduler).

Locally the pool is started with ``fork``: the workers inherit the export from the parent and are
sent only the row positions of their group, because pickling a million-record frame to each worker
costs seconds. The results come back pickled (they are what the caller wants anyway).

>>> from vaxutils.screen import screen_by_commune  # doctest: +SKIP
>>> result = screen_by_commune(export, export_date=date(2022, 5, 15), workers=2)  # doctest: +SKIP
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd

from vaxutils.kernel.cells import column_or_na, stripped_text
from vaxutils.screen.duplicates import duplicate_issues
from vaxutils.screen.engine import ScreenResult, screen
from vaxutils.screen.findings import build_findings, in_findings_order, record_status
from vaxutils.screen.summary import summarize

# The export a forked worker inherits from the parent (set only while a local pool runs).
_INHERITED = None


def commune_keys(records: pd.DataFrame) -> pd.Series:
    """The commune of each record as stripped text; NA when there is none (one partition of its own).

    >>> commune_keys(pd.DataFrame({"commune_code": [" 01420", "", None, 1420]})).tolist()
    ['01420', <NA>, <NA>, '1420']
    """
    # junk cells (numbers, bytes) become their text: a key only has to group equal cells together
    return stripped_text(column_or_na(records, "commune_code"))


def balanced_groups(sizes: pd.Series, n_groups: int) -> list[list]:
    """Whole communes in at most ``n_groups`` groups of near-equal total size (largest first, each
    to the lightest group so far); empty groups are dropped.

    >>> balanced_groups(pd.Series({"a": 5, "b": 4, "c": 3, "d": 2}), 2)
    [['a', 'd'], ['b', 'c']]
    """
    n_groups = max(1, int(n_groups))
    groups: list[list] = [[] for _ in range(n_groups)]
    load = np.zeros(n_groups, dtype="int64")
    # a loop over communes (≤ ~10,600 in the country), not over records
    for key, size in sizes.sort_values(ascending=False, kind="stable").items():
        lightest = int(np.argmin(load))
        groups[lightest].append(key)
        load[lightest] += int(size)
    return [g for g in groups if g]


def partition_positions(export, n_groups: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Row positions (records, doses) of each group of whole communes, in input order.

    Doses follow their record_id; doses whose record_id is on no record go with the first group
    (where the single run also reports them, once).
    """
    records, doses = export.records, export.doses
    keys = commune_keys(records).fillna("\x00no-commune")  # a key no GSO code can take
    # one hash of all record ids (records then doses) instead of a map per frame
    has_ids = "record_id" in doses.columns and "record_id" in records.columns
    if has_ids:
        both = pd.concat([records["record_id"], doses["record_id"]], ignore_index=True)
        codes, uniques = pd.factorize(both.astype("string"), use_na_sentinel=False)
        rec_codes, dose_codes = codes[: len(records)], codes[len(records) :]
        doses_per_id = np.bincount(dose_codes, minlength=len(uniques))
    # a group's work grows with its records and their doses
    weight = 1 + (doses_per_id[rec_codes] if has_ids else 0)
    sizes = pd.Series(weight, index=keys.index).groupby(keys.to_numpy()).sum()
    groups = balanced_groups(sizes, n_groups) or [[]]  # no records: one (empty) partition
    group_of_key = {key: i for i, members in enumerate(groups) for key in members}
    record_group = keys.map(group_of_key).to_numpy(dtype="int64")
    if has_ids:
        # doses go with the first record of their id; ids on no record, to the first group
        group_of_id = np.zeros(len(uniques), dtype="int64")
        group_of_id[rec_codes[::-1]] = record_group[::-1]
        dose_group = group_of_id[dose_codes]
    else:
        dose_group = np.zeros(len(doses), dtype="int64")
    return [
        (np.flatnonzero(record_group == i), np.flatnonzero(dose_group == i))
        for i in range(len(groups))
    ]


def _subset(export, positions: tuple[np.ndarray, np.ndarray]):
    rec_pos, dose_pos = positions
    return replace(export, records=export.records.iloc[rec_pos], doses=export.doses.iloc[dose_pos])


def _registry_for(registry: pd.DataFrame | None, records: pd.DataFrame) -> pd.DataFrame | None:
    """The registry rows of the communes in ``records`` (all rows if the registry has no communes;
    rows without a commune go to every group, since they could be anyone's)."""
    if registry is None or "commune_code" not in registry.columns:
        return registry
    reg_keys = commune_keys(registry)
    wanted = commune_keys(records).dropna().unique()
    if records.empty or commune_keys(records).isna().any():
        return registry  # people without a commune could be anyone in the registry
    return registry[reg_keys.isin(wanted) | reg_keys.isna()]


def _screen_group(export, positions, registry, export_date) -> ScreenResult:
    part = _subset(export, positions)
    # one thread: the groups already share the cores between processes
    registry = _registry_for(registry, part.records)
    return screen(part, registry=registry, export_date=export_date, threads=1)


def _whole(positions):
    return tuple(np.arange(len(p)) for p in positions)


def _screen_inherited(positions, registry, export_date) -> ScreenResult:
    return _screen_group(_INHERITED, positions, registry, export_date)


def screen_by_commune(
    export,
    registry: pd.DataFrame | None = None,
    export_date: date | None = None,
    workers: int | None = None,
    scheduler=None,
) -> ScreenResult:
    """Screen an export in ~``workers`` groups of whole communes at once; same findings as
    :func:`~vaxutils.screen.screen`.

    ``workers`` defaults to the number of cores. ``scheduler`` is a ``dask.distributed.Client``:
    each group is then a future on its cluster instead of a local process. Findings, records and
    doses come back in the single run's order; the summary is recomputed over everything, with the
    stage timings of each partition under ``timings_s["partitions"]``.
    """
    export_date = export_date or date.today()
    started = time.perf_counter()
    workers = workers or os.cpu_count() or 1
    positions = partition_positions(export, workers)
    split_s = time.perf_counter() - started
    if scheduler is not None:
        # a cluster worker shares no memory with us: it is sent its own slice, positions in it
        futures = [
            scheduler.submit(_screen_group, _subset(export, p), _whole(p), registry, export_date)
            for p in positions
        ]
        results = scheduler.gather(futures)
    elif len(positions) <= 1 or workers <= 1:
        results = [_screen_group(export, p, registry, export_date) for p in positions]
    else:
        results = _run_forked(export, positions, registry, export_date, workers)
    screened_s = time.perf_counter() - started - split_s
    merged = merge_results(results, positions, export_date)
    merged.summary["timings_s"] = {
        "split": round(split_s, 4),
        "screen_partitions": round(screened_s, 4),
        "merge": round(time.perf_counter() - started - split_s - screened_s, 4),
        "partitions": [r.summary.get("timings_s", {}) for r in results],
    }
    return merged


def _run_forked(export, positions, registry, export_date, workers) -> list[ScreenResult]:
    global _INHERITED
    _INHERITED = export
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(
            max_workers=min(workers, len(positions)), mp_context=context
        ) as pool:
            futures = [pool.submit(_screen_inherited, p, registry, export_date) for p in positions]
            return [f.result() for f in futures]
    finally:
        _INHERITED = None


def merge_results(
    results: list[ScreenResult], positions: list[tuple[np.ndarray, np.ndarray]], export_date: date
) -> ScreenResult:
    """One result from the results of the partitions: records and doses back in input order,
    findings sorted as :func:`~vaxutils.screen.findings.build_findings` sorts them, summary
    recomputed over the merged frames."""
    records = _in_input_order([r.records for r in results], [p[0] for p in positions])
    # screen() numbers records afresh but keeps the doses' own index labels: so do we
    records = records.reset_index(drop=True)
    doses = _in_input_order([r.doses for r in results], [p[1] for p in positions])
    findings = pd.concat([r.findings for r in results], ignore_index=True)
    part_of = np.empty(len(records), dtype="int64")
    part_of[np.concatenate([p[0] for p in positions])] = np.repeat(
        np.arange(len(positions)), [len(p[0]) for p in positions]
    )
    findings, records = _ids_shared_across_partitions(findings, records, part_of)
    # the order build_findings gives (source_row, record_id, severity, code); stable, so equal
    # keys keep their partition's order
    findings = in_findings_order(findings)
    summary = summarize(findings, records, doses)
    summary["export_date"] = export_date.isoformat()
    summary["n_partitions"] = len(results)
    return ScreenResult(findings=findings, records=records, doses=doses, summary=summary)


def _in_input_order(frames: list[pd.DataFrame], positions: list[np.ndarray]) -> pd.DataFrame:
    """Concatenate partition frames and put each row back at its position in the input."""
    merged = pd.concat(frames)
    order = np.argsort(np.concatenate(positions), kind="stable")
    return merged.take(order)


def _ids_shared_across_partitions(
    findings: pd.DataFrame, records: pd.DataFrame, part_of: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``duplicate_id_shared`` is the one duplicate check not blocked by commune (one ID number on
    people of two communes is a problem): redo it for the records whose ID is in several
    partitions — they are different people by construction — and refresh their status."""
    if records.empty or "id_compact" not in records.columns:
        return findings, records
    ids = records["id_compact"]
    spread = pd.Series(part_of).groupby(ids.to_numpy()).nunique()
    affected = ids.isin(spread.index[spread.gt(1)]).to_numpy()
    if not affected.any():
        return findings, records
    persons = records[affected]
    redone = duplicate_issues(persons)
    redone = build_findings(redone[redone["code"].eq("duplicate_id_shared")])
    ids_affected = set(persons["record_id"])
    stale = findings["code"].eq("duplicate_id_shared") & findings["record_id"].isin(ids_affected)
    findings = pd.concat([findings[~stale], redone], ignore_index=True)
    status = record_status(persons["record_id"], findings[findings["record_id"].isin(ids_affected)])
    records = records.copy()
    for column in status.columns.drop("record_id"):
        records.loc[affected, column] = status[column].to_numpy()
    return findings, records
