"""Screening the national dataset on dask.distributed, where the data lies (DESIGN §5).

``screen_dataset(DATASET, OUT, scheduler=…)`` plans and submits three steps, none of which brings
records to the driving process (the tasks are :mod:`vaxutils.screen.dataset_tasks`, the files they
write :mod:`vaxutils.screen.dataset_out`):

1. **Communes.** The communes are cut into groups of about ``max_group_rows`` records + doses, one
   future per group; each task reads its communes' partitions itself
   (:func:`vaxutils.dataset.read_partitions`), screens them with one
   :func:`vaxutils.screen.screen` call (the same code as a single run) and writes each commune's
   findings, records and doses as partitioned Parquet, and the group's compact cross-commune keys
   (:func:`vaxutils.screen.cross_commune.cross_keys`). Only the small per-commune summaries come
   back. A group's size, not the country's, sets a worker's memory: it stays flat as the dataset
   grows. Groups are large because part of screening costs per *distinct* name, date or ID, and
   communes share most of those: a group pays it once.
2. **Across communes.** The keys are read as a dask dataframe, shuffled by hash and turned into
   candidate pairs on the workers, one partition of pairs per key file. One task per group fetches
   its communes' candidate records and writes, for each partition of pairs, those it needs; one
   task per partition compares only its pairs' records
   (:func:`vaxutils.screen.cross_commune.judge_pairs`); one task joins the decisions (links and
   shared ID numbers, no record fields) into person groups
   (:func:`vaxutils.screen.cross_commune.merge_judgements`). Every task's size is a group's or a
   partition's, not the country's.
3. **Back to the communes.** One task per group again: a commune with cross-commune findings gets
   its findings, status and summary rewritten; every commune gets its ``findings.csv`` and
   ``summary.json``. The run's summary is the sum of the communes' summaries, with the tasks'
   timings (wall and CPU per phase) under ``timings_s["tasks"]``.

A task that is run twice (dask retries it when its worker dies) writes the same bytes; findings
are the single run's (tested), plus the cross-commune ones.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from vaxutils import io
from vaxutils.dataset import list_partitions
from vaxutils.dataset.layout import fragments_of
from vaxutils.screen.cluster import dask_client, worker_peaks
from vaxutils.screen.cross_commune import (
    BLOCK_META,
    PAIR_META,
    PART_SHIFT,
    blocking_rows,
    candidate_pairs,
)
from vaxutils.screen.dataset_out import (
    KEYS_DIR,
    OUT_TABLES,
    SUMMED,
    candidates_file,
    commune_folder,
    keys_file,
    output_file,
    reduce_summaries,
)
from vaxutils.screen.dataset_tasks import (
    fetch_candidates,
    finalize_group,
    judge_candidates,
    merge_candidates,
    screen_group,
)
from vaxutils.screen.partitioned import balanced_groups
from vaxutils.screen.registry_dataset import REGISTRY_DIR, registry_pass

# what other modules and scripts took from here before the tasks and the layout had modules
__all__ = [
    "OUT_TABLES",
    "SUMMED",
    "DatasetScreen",
    "commune_folder",
    "dask_client",
    "output_file",
    "plan_groups",
    "reduce_summaries",
    "screen_dataset",
]

# Records + doses per task: ~1 GB of a worker's memory at the peak of screen(); large enough that
# what screening costs per distinct value (names, dates, IDs) is paid by few tasks.
GROUP_ROWS = 1_000_000


@dataclass
class DatasetScreen:
    """What a dataset run wrote: the output folder, the reduced summary, per-commune summaries."""

    out: Path
    summary: dict
    communes: dict[str, dict] = field(default_factory=dict)


def _partition_rows(root, province: str, commune: str) -> int:
    """Records and doses of a partition, from the fragments' footers (no data read)."""
    return 1 + sum(
        pq.ParquetFile(f).metadata.num_rows
        for name in ("records", "doses")
        for f in fragments_of(root, name, province, commune)
    )


def plan_groups(sizes: pd.Series, n_workers: int, max_group_rows: int = GROUP_ROWS) -> list[list]:
    """Communes (``sizes``: rows per commune key) in groups of near-equal size, each at most about
    ``max_group_rows`` (a task's memory, whatever the size of the country), their number a
    multiple of ``n_workers`` (no worker idles through the last round) — at least one per worker.

    >>> plan_groups(pd.Series({"a": 5, "b": 4, "c": 3, "d": 2}), n_workers=2, max_group_rows=7)
    [['a', 'd'], ['b', 'c']]
    >>> len(plan_groups(pd.Series(1, index=range(100)), n_workers=2, max_group_rows=30))
    4
    """
    n_workers = max(1, int(n_workers))
    needed = -(-int(sizes.sum()) // max(1, int(max_group_rows)))
    n_groups = max(n_workers, -(-needed // n_workers) * n_workers)
    return [sorted(g) for g in balanced_groups(sizes, n_groups)]


def _sum_timings(timings: list[dict]) -> dict:
    total: dict[str, float] = {}
    for t in timings:
        for key, value in t.items():
            total[key] = round(total.get(key, 0.0) + value, 3)
    return total


def screen_dataset(
    root: str | os.PathLike,
    out: str | os.PathLike,
    scheduler=None,
    export_date: date | None = None,
    workers: int = 2,
    tasks_per_worker: int = 1,
    max_group_rows: int = GROUP_ROWS,
    retries: int = 3,
    processes: bool = True,
    communes=None,
    registry=None,
    registry_columns=None,
) -> DatasetScreen:
    """Screen every commune of the dataset at ``root`` into ``out`` on a dask cluster.

    ``scheduler``: a ``distributed.Client``, a scheduler address (``tcp://host:8786``) or ``None`` /
    ``"local"`` for a LocalCluster of ``workers`` processes (threads with ``processes=False``).
    Communes go in groups of at most ~``max_group_rows`` records + doses (a task's memory), at least
    ``tasks_per_worker`` per worker of the cluster; a task is retried up to ``retries`` times.
    ``communes`` (codes) screens only those communes. ``registry``: a registry extract file, or a
    folder of them (one per province, say), compared with every commune's records as a single run
    would (:mod:`vaxutils.screen.registry_dataset`).
    """
    export_date = export_date or date.today()
    root, out = Path(root), Path(out)
    started = time.perf_counter()
    chosen = None if communes is None else set(communes)
    found = [(p, c) for p, c in list_partitions(root) if chosen is None or c in chosen]
    parts = [(i, p, c) for i, (p, c) in enumerate(found)]
    if not parts:
        raise io.IngestError(
            f"Bộ dữ liệu {root} không có hồ sơ nào (chưa chạy 'vaxutils ingest'?)."
            f" / The dataset {root} holds no records (run 'vaxutils ingest' first)."
        )
    # what an earlier run left of its cross pass (keys, candidate records) is not this run's
    shutil.rmtree(out / KEYS_DIR.parent, ignore_errors=True)
    sizes = pd.Series({i: _partition_rows(root, p, c) for i, p, c in parts})
    timings: dict = {}
    with dask_client(scheduler, workers, processes) as client:
        n_workers = len(client.scheduler_info().get("workers", {})) or workers
        groups = plan_groups(sizes, n_workers * max(1, tasks_per_worker), max_group_rows)
        group_parts = [[parts[i] for i in g] for g in groups]
        if registry is None:
            futures = client.map(
                screen_group,
                group_parts,
                root=str(root),
                out=str(out),
                export_date=export_date,
                retries=retries,
                pure=False,
            )
        else:
            clock = time.perf_counter()
            rows, registry_inputs = registry_pass(
                client, root, out, group_parts, registry, registry_columns, retries
            )
            timings["registry"] = round(time.perf_counter() - clock, 3)
            futures = [
                client.submit(
                    screen_group, gp, str(root), str(out), export_date, rows_of,
                    retries=retries, pure=False,
                )
                for gp, rows_of in zip(group_parts, rows, strict=True)
            ]  # fmt: skip
        screened = client.gather(futures)
        # forgotten at once: were a worker holding one of them lost later, dask would run the task
        # again — and rewrite a commune's files over what step 3 writes
        client.cancel(futures)
        del futures
        done = {d["part"]: d for batch in screened for d in batch["communes"]}
        timings["communes"] = round(time.perf_counter() - started, 3)
        # each worker's peak RSS after each step (the step that raises it is the one to cut)
        peaks = {"communes": worker_peaks(client)}
        clock = time.perf_counter()
        issues, redo, cross_timings = _cross_pass(client, out, parts, groups, retries)
        timings["cross_commune"] = round(time.perf_counter() - clock, 3)
        if "worker_peak_gb_after_shuffle" in cross_timings:
            peaks["shuffle"] = cross_timings.pop("worker_peak_gb_after_shuffle")
        peaks["cross_commune"] = worker_peaks(client)
        clock = time.perf_counter()
        issue_part = issues["gid"].to_numpy("int64") >> PART_SHIFT
        redo_part = redo["gid"].to_numpy("int64") >> PART_SHIFT
        # each task gets its own communes' summaries and findings, not everybody's
        finals = [
            client.submit(
                finalize_group,
                [parts[i] for i in g],
                str(out),
                {i: done[i]["summary"] for i in g},
                issues[np.isin(issue_part, g)],
                redo[np.isin(redo_part, g)],
                export_date,
                retries=retries,
                pure=False,
            )
            for g in groups
        ]
        finalized = client.gather(finals)
        summaries = {c: s for batch in finalized for c, s in batch["communes"].items()}
        timings["commune_files"] = round(time.perf_counter() - clock, 3)
        peaks["commune_files"] = worker_peaks(client)
    timings["worker_peak_gb"] = peaks
    timings["tasks"] = {
        "screen_group": _sum_timings([b["timings"] for b in screened]),
        **cross_timings,
        "finalize_group": _sum_timings([b["timings"] for b in finalized]),
    }
    touched = set(issue_part.tolist())
    # the hashed keys served the cross pass only, the cut registry the screening only
    shutil.rmtree(out / KEYS_DIR.parent, ignore_errors=True)
    shutil.rmtree(out / REGISTRY_DIR, ignore_errors=True)
    summary = reduce_summaries(list(summaries.values()))
    if registry is not None:
        summary["inputs"] = registry_inputs
    summary.update(
        {
            "export_date": export_date.isoformat(),
            "n_communes": len(parts),
            "n_tasks": len(groups),
            "n_communes_with_cross_findings": len(touched),
            "timings_s": {**timings, "total": round(time.perf_counter() - started, 3)},
        }
    )
    io.write_json(out / "summary.json", summary)
    return DatasetScreen(out=out, summary=summary, communes=summaries)


def _cross_pass(client, out, parts, groups, retries) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Step 2: the cross-commune findings, the records whose shared-ID findings they replace, and
    the tasks' timings.

    The keys are shuffled by blocking key into partitions of candidate pairs (as many as the key
    files: one per group of communes, so a partition's size does not grow with the country). Each
    group's task fetches its communes' candidate records and writes, for each partition of pairs,
    the ones it needs; each partition is then judged by its own task from its own records; only
    the decisions (links between records, shared ID numbers) meet in one task. Only the pairs'
    gids come to the driver (to route the records), never a record.
    """
    none = (
        pd.DataFrame(columns=["gid", "record_id", "code"]),
        pd.DataFrame({"gid": pd.Series(dtype="int64"), "record_id": pd.Series(dtype="string")}),
        {},
    )
    keys = dd.read_parquet(str(out / KEYS_DIR))
    rows = keys.map_partitions(
        blocking_rows, meta=pd.DataFrame({c: pd.Series(dtype=t) for c, t in BLOCK_META.items()})
    )
    pairs_meta = pd.DataFrame({c: pd.Series(dtype=t) for c, t in PAIR_META.items()})
    pairs = rows.shuffle("bkey").map_partitions(candidate_pairs, meta=pairs_meta)
    pair_parts = client.compute(pairs.to_delayed(), retries=retries)
    pair_frames = client.gather(pair_parts)
    shuffled = worker_peaks(client)
    # which records each partition of pairs needs: gids only (eight bytes a candidate record)
    wanted = pd.concat(
        [
            pd.DataFrame(
                {"gid": np.unique(np.r_[f["gid_a"].to_numpy(), f["gid_b"].to_numpy()])}
            ).assign(pair_part=k)
            for k, f in enumerate(pair_frames)
        ],
        ignore_index=True,
    )
    del pair_frames
    if wanted.empty:
        return none
    group_of = np.zeros(len(parts), dtype="int64")
    for g, members in enumerate(groups):
        group_of[members] = g
    wanted["group"] = group_of[wanted["gid"].to_numpy() >> PART_SHIFT]
    fetched: dict[int, object] = {}
    needs: dict[int, list[int]] = {}
    for g, mine in wanted.groupby("group", sort=True):
        involved = set((mine["gid"].to_numpy() >> PART_SHIFT).tolist())
        first = groups[g][0]
        fetched[g] = client.submit(
            fetch_candidates,
            str(out),
            [parts[i] for i in groups[g] if i in involved],
            str(keys_file(out, first)),
            mine[["gid", "pair_part"]].reset_index(drop=True),
            first,
            retries=retries,
            pure=False,
        )
        for k in np.unique(mine["pair_part"].to_numpy()).tolist():
            needs.setdefault(k, []).append(g)
    judged = [
        client.submit(
            judge_candidates,
            pair_parts[k],
            [str(candidates_file(out, k, groups[g][0])) for g in gs],
            *[fetched[g] for g in gs],
            retries=retries,
            pure=False,
        )
        for k, gs in sorted(needs.items())
    ]
    merged = client.submit(merge_candidates, *judged, retries=retries, pure=False)
    # what the driver holds no longer keeps the steps' results on the workers: each is forgotten
    # once the tasks that need it are done
    del pair_parts
    fetch_timings = [t["timings"] for t in client.gather(list(fetched.values()))]
    del fetched, judged
    result = merged.result()
    timings = {
        "worker_peak_gb_after_shuffle": shuffled,
        "fetch_candidates": _sum_timings(fetch_timings),
        "judge_candidates": _sum_timings(result["judge_timings"]),
        "merge_candidates": result["timings"],
    }
    return result["issues"], result["redo"], timings
