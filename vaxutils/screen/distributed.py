"""Screening the national dataset on dask.distributed, where the data lies (DESIGN §5).

``screen_dataset(DATASET, OUT, scheduler=…)`` runs in three steps, none of which brings records to
the driving process:

1. **Communes.** The communes are cut into groups of near-equal size, one future per group; each
   task reads its communes' partitions itself (:func:`vaxutils.dataset.read_partition`), screens each
   commune with :func:`vaxutils.screen.screen` (the same code as a single run) and writes the commune's
   findings, records and doses as partitioned Parquet, its ``findings.csv`` and ``summary.json``, and
   the commune's compact cross-commune keys (:func:`vaxutils.screen.cross_commune.cross_keys`). Only
   the small per-commune summaries come back.
2. **Across communes.** The keys are read as a dask dataframe, shuffled by hash and turned into
   candidate pairs on the workers; the few candidate records are fetched by tasks from the communes'
   outputs and compared there (:func:`vaxutils.screen.cross_commune.cross_issues`).
3. **Back to the communes.** One task per group again: a commune with cross-commune findings gets
   its findings, status and summary rewritten; every commune gets its ``findings.csv`` and
   ``summary.json``. The run's summary is the sum of the communes' summaries.

Every output is written atomically and every task only writes its own communes' files, so a task that
is run twice (dask retries it when its worker dies) writes the same bytes; findings are the single
run's (tested), plus the cross-commune ones.

    OUT/findings|records|doses/province=PP/commune=CCCCC/part-0.parquet
    OUT/communes/CCCCC/findings.csv, summary.json        one folder per commune
    OUT/summary.json                                     the whole run
"""

from __future__ import annotations

import contextlib
import logging
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
from distributed import Client, LocalCluster

from vaxutils import io
from vaxutils.dataset import list_partitions, read_partitions
from vaxutils.dataset.layout import fragments_of, partition_dir
from vaxutils.screen.cross_commune import (
    BLOCK_META,
    COMPARE_COLUMNS,
    PAIR_META,
    PART_SHIFT,
    blocking_rows,
    candidate_pairs,
    cross_issues,
    cross_keys,
)
from vaxutils.screen.engine import screen
from vaxutils.screen.findings import build_findings, record_status
from vaxutils.screen.partitioned import balanced_groups
from vaxutils.screen.registry_dataset import REGISTRY_DIR, group_registry, registry_pass
from vaxutils.screen.summary import summarize

OUT_TABLES = ("findings", "records", "doses")
KEYS_DIR = Path("_cross") / "keys"
# Summary entries that add up over communes (the others describe a run, not its data).
SUMMED = (
    "n_records",
    "n_doses",
    "n_records_with_errors",
    "n_records_needing_review",
    "n_records_ok",
    "records_per_category",
    "findings_per_category",
    "findings_per_code",
    "findings_per_severity",
    "records_per_village",
)


@dataclass
class DatasetScreen:
    """What a dataset run wrote: the output folder, the reduced summary, per-commune summaries."""

    out: Path
    summary: dict
    communes: dict[str, dict] = field(default_factory=dict)


def output_file(out, table: str, province: str, commune: str) -> Path:
    """The Parquet file of one commune's findings, records or doses."""
    return partition_dir(out, table, province, commune) / "part-0.parquet"


def commune_folder(out, commune: str) -> Path:
    return Path(out) / "communes" / commune


def reduce_summaries(summaries: list[dict]) -> dict:
    """The sum of commune summaries: counts added key by key (villages, codes, categories)."""

    def add(into: dict, more: dict) -> None:
        for key, value in more.items():
            if isinstance(value, dict):
                add(into.setdefault(key, {}), value)
            else:
                into[key] = into.get(key, 0) + int(value)

    total: dict = {}
    for summary in summaries:
        add(total, {k: summary[k] for k in SUMMED if k in summary})
    return total


def _write_parquet(out, province, commune, **frames) -> None:
    for name, frame in frames.items():
        io.write_parquet(output_file(out, name, province, commune), frame)


def screen_group(
    parts: list[tuple[int, str, str]],
    root,
    out,
    export_date: date,
    registry_rows: pd.DataFrame | None = None,
) -> list[dict]:
    """Task of step 1: screen a group of communes, write each commune's Parquet outputs and the
    group's keys (the commune's CSV and summary wait for the cross-commune findings).

    One :func:`~vaxutils.screen.screen` call for the group (its fixed cost is paid once, and
    duplicates are blocked by commune inside it), then the results are cut back into communes.
    With a registry extract, ``registry_rows`` are the other communes' registry rows the group's
    records may match (:mod:`vaxutils.screen.registry_dataset`).
    """
    whole, counts = read_partitions(root, [(province, commune) for _, province, commune in parts])
    n_rec, n_dose = np.array(counts["records"]), np.array(counts["doses"])
    registry = None
    if registry_rows is not None:
        mine = [(province, commune) for _, province, commune in parts]
        registry = group_registry(Path(out) / REGISTRY_DIR, mine, registry_rows)
    result = screen(whole, export_date=export_date, registry=registry)
    rec_part = np.repeat(np.arange(len(parts)), n_rec)
    dose_part = np.repeat(np.arange(len(parts)), n_dose)[result.doses.index.to_numpy()]
    # a finding's commune is its record's; a dose without a record is the dose's own
    of_id = pd.concat(
        [
            pd.Series(rec_part, index=result.records["record_id"].to_numpy()),
            pd.Series(dose_part, index=result.doses["record_id"].astype("string").to_numpy()),
        ]
    )
    of_id = of_id[~of_id.index.duplicated()]
    find_part = of_id.reindex(result.findings["record_id"].astype("string").to_numpy()).fillna(0)
    find_part = find_part.to_numpy("int64")
    # the cross-commune keys of the whole group at once; gid from the commune and the position in it
    numbers = np.array([part for part, _, _ in parts], dtype="int64")
    offsets = np.r_[0, np.cumsum(n_rec)[:-1]]
    position = np.arange(len(rec_part)) - offsets[rec_part]
    keys = cross_keys(result.records, result.doses, numbers[rec_part], position)
    done = []
    for k, (part, province, commune) in enumerate(parts):
        records = result.records[rec_part == k].reset_index(drop=True)
        doses = result.doses[dose_part == k]
        findings = result.findings[find_part == k].reset_index(drop=True)
        summary = summarize(findings, records, doses)
        summary.update(
            {"export_date": export_date.isoformat(), "province": province, "commune": commune}
        )
        _write_parquet(out, province, commune, findings=findings, records=records, doses=doses)
        done.append({"part": part, "province": province, "commune": commune, "summary": summary})
    io.write_parquet(Path(out) / KEYS_DIR / f"group-{parts[0][0]:06d}.parquet", keys)
    return done


def fetch_candidates(out, parts: list[tuple[int, str, str, str]], gids: np.ndarray) -> pd.DataFrame:
    """Task of step 2: the compared columns of the candidate records of some communes (by gid)."""
    frames = []
    for part, province, commune, keys_file in parts:
        mine = np.sort(gids[(gids >> PART_SHIFT) == part])
        records = pq.read_table(
            output_file(out, "records", province, commune), columns=list(COMPARE_COLUMNS)
        )
        picked = records.take(mine - (np.int64(part) << PART_SHIFT)).to_pandas()
        spans = pq.read_table(
            keys_file,
            columns=["gid", "dose_lo", "dose_hi", "first", "last"],
            filters=[("gid", "in", mine.tolist())],
        ).to_pandas()
        picked["gid"] = mine
        picked["part"] = part
        picked["commune"] = commune
        frames.append(picked.merge(spans.drop_duplicates("gid"), on="gid", how="left"))
    return pd.concat(frames, ignore_index=True)


def compare_candidates(pairs: pd.DataFrame, *fetched: pd.DataFrame):
    """Task of step 2: cross-commune findings from the pairs and the fetched candidate records."""
    return cross_issues(pairs, pd.concat(fetched, ignore_index=True))


def _with_cross(out, province, commune, issues: pd.DataFrame, shared: list[str]):
    """One commune's findings and records with its cross-commune findings added and status refreshed.

    ``shared`` are the commune's records of ID numbers found in several communes: their
    ``duplicate_id_shared`` findings (from a screening that saw only some communes) are replaced.
    """
    findings = pd.read_parquet(output_file(out, "findings", province, commune))
    records = pd.read_parquet(output_file(out, "records", province, commune))
    # what an earlier attempt of this task added goes too: a retried task writes the same files
    stale = findings["code"].eq("duplicate_other_commune") | (
        findings["code"].eq("duplicate_id_shared") & findings["record_id"].isin(shared)
    )
    added = build_findings(issues.drop(columns=["gid"]))
    findings = pd.concat([findings[~stale], added], ignore_index=True)
    severity = pd.Categorical(findings["severity"], ["error", "warning", "info"], ordered=True)
    findings = (
        findings.assign(_sev=severity)
        .sort_values(["source_row", "record_id", "_sev", "code"], kind="stable")
        .drop(columns="_sev")
        .reset_index(drop=True)
    )
    status = record_status(records["record_id"], findings)
    for column in status.columns.drop("record_id"):
        records[column] = status[column].to_numpy()
    return findings, records


def finalize_group(
    parts: list[tuple[int, str, str]],
    out,
    summaries: dict[int, dict],
    issues: pd.DataFrame,
    redo: pd.DataFrame,
    export_date: date,
) -> dict[str, dict]:
    """Task of step 3: each commune's cross-commune findings added (findings, records and summary
    rewritten), then its ``findings.csv`` and ``summary.json`` written."""
    issue_part = issues["gid"].to_numpy("int64") >> PART_SHIFT
    redo_part = redo["gid"].to_numpy("int64") >> PART_SHIFT
    done = {}
    for part, province, commune in parts:
        mine, again = issue_part == part, redo_part == part
        summary = summaries[part]
        if mine.any() or again.any():
            shared = redo.loc[again, "record_id"].tolist()
            findings, records = _with_cross(out, province, commune, issues[mine], shared)
            _write_parquet(out, province, commune, findings=findings, records=records)
            n_doses = pq.ParquetFile(output_file(out, "doses", province, commune)).metadata.num_rows
            summary = summarize(findings, records, pd.DataFrame(index=range(n_doses)))
            summary.update(
                {"export_date": export_date.isoformat(), "province": province, "commune": commune}
            )
        else:
            findings = pd.read_parquet(output_file(out, "findings", province, commune))
        folder = commune_folder(out, commune)
        io.write_csv(folder / "findings.csv", findings)
        io.write_json(folder / "summary.json", summary)
        done[commune] = summary
    return done


@contextlib.contextmanager
def dask_client(scheduler=None, workers: int = 2, processes: bool = True):
    """A ``distributed.Client``: the one given, one connected to a scheduler address, or (``None`` /
    ``"local"``) a LocalCluster of ``workers`` single-threaded workers, closed afterwards."""
    if isinstance(scheduler, Client):
        yield scheduler
        return
    if scheduler not in (None, "local"):
        with Client(scheduler) as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def _partition_rows(root, province: str, commune: str) -> int:
    """Records and doses of a partition, from the fragments' footers (no data read)."""
    return 1 + sum(
        pq.ParquetFile(f).metadata.num_rows
        for name in ("records", "doses")
        for f in fragments_of(root, name, province, commune)
    )


def screen_dataset(
    root: str | os.PathLike,
    out: str | os.PathLike,
    scheduler=None,
    export_date: date | None = None,
    workers: int = 2,
    tasks_per_worker: int = 4,
    max_group_rows: int = 300_000,
    retries: int = 3,
    processes: bool = True,
    communes=None,
    registry=None,
    registry_columns=None,
) -> DatasetScreen:
    """Screen every commune of the dataset at ``root`` into ``out`` on a dask cluster.

    ``scheduler``: a ``distributed.Client``, a scheduler address (``tcp://host:8786``) or ``None`` /
    ``"local"`` for a LocalCluster of ``workers`` processes (threads with ``processes=False``).
    Communes go in at least ``workers × tasks_per_worker`` groups (small groups balance the load and
    make a retried task cheap) of at most ~``max_group_rows`` records + doses (a task's memory); a
    task is retried up to ``retries`` times. ``communes`` (codes) screens only those communes.
    ``registry``: a registry extract file, or a folder of them (one per province, say), compared
    with every commune's records as a single run would (:mod:`vaxutils.screen.registry_dataset`).
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
    shutil.rmtree(out / KEYS_DIR, ignore_errors=True)
    sizes = pd.Series({i: _partition_rows(root, p, c) for i, p, c in parts})
    # enough groups to keep every worker busy, and none larger than max_group_rows (a task's
    # memory is its group's: bounded, whatever the size of the country)
    n_groups = max(workers * tasks_per_worker, -(-int(sizes.sum()) // max_group_rows))
    groups = [sorted(g) for g in balanced_groups(sizes, n_groups)]
    timings = {}
    with dask_client(scheduler, workers, processes) as client:
        if registry is None:
            futures = client.map(
                screen_group,
                [[parts[i] for i in g] for g in groups],
                root=str(root),
                out=str(out),
                export_date=export_date,
                retries=retries,
                pure=False,
            )
        else:
            clock = time.perf_counter()
            group_parts = [[parts[i] for i in g] for g in groups]
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
        done = {d["part"]: d for batch in client.gather(futures) for d in batch}
        timings["communes"] = round(time.perf_counter() - started, 3)
        clock = time.perf_counter()
        issues, redo = _cross_pass(client, out, parts, groups, retries)
        timings["cross_commune"] = round(time.perf_counter() - clock, 3)
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
        summaries = {c: s for batch in client.gather(finals) for c, s in batch.items()}
        timings["commune_files"] = round(time.perf_counter() - clock, 3)
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


def _cross_pass(client, out, parts, groups, retries) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Step 2: the cross-commune findings and the records whose shared-ID findings they replace."""
    none = (
        pd.DataFrame(columns=["gid", "record_id", "code"]),
        pd.DataFrame({"gid": pd.Series(dtype="int64"), "record_id": pd.Series(dtype="string")}),
    )
    keys = dd.read_parquet(str(out / KEYS_DIR))
    rows = keys.map_partitions(
        blocking_rows, meta=pd.DataFrame({c: pd.Series(dtype=t) for c, t in BLOCK_META.items()})
    )
    pairs_meta = pd.DataFrame({c: pd.Series(dtype=t) for c, t in PAIR_META.items()})
    pairs = rows.shuffle("bkey").map_partitions(candidate_pairs, meta=pairs_meta)
    # candidate pairs only (two integers and a rule each): few, whatever the size of the country
    pairs = client.compute(pairs, retries=retries).result()
    if pairs.empty:
        return none
    gids = np.unique(np.r_[pairs["gid_a"].to_numpy(), pairs["gid_b"].to_numpy()])
    group_of = {i: g[0] for g in groups for i in g}
    involved = set((gids >> PART_SHIFT).tolist())
    wanted = [
        (i, p, c, str(out / KEYS_DIR / f"group-{group_of[i]:06d}.parquet"))
        for i, p, c in parts
        if i in involved
    ]
    chunks = [wanted[k :: len(groups)] for k in range(min(len(groups), len(wanted)))]
    fetched = [
        client.submit(fetch_candidates, str(out), chunk, gids, retries=retries, pure=False)
        for chunk in chunks
    ]
    issues, redo = client.submit(compare_candidates, pairs, *fetched, retries=retries).result()
    return issues, redo
