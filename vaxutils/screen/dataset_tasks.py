"""The tasks a dataset screening sends to its workers (:mod:`vaxutils.screen.distributed` plans
and submits them). Each reads what it needs from the dataset or the run's outputs itself and returns
only small things (summaries, timings, candidate records): the driver never holds the records.

Each task also returns what its phases cost (``timings``: seconds of wall clock per phase and of
the worker's CPU), which the run adds up in its summary: on a shared machine the CPU is the number
to compare.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from vaxutils import io
from vaxutils.dataset import read_partitions
from vaxutils.screen.cross_commune import (
    COMPARE_COLUMNS,
    PART_SHIFT,
    cross_keys,
    judge_pairs,
    merge_judgements,
)
from vaxutils.screen.dataset_out import (
    candidates_file,
    commune_folder,
    keys_file,
    output_file,
    write_tables,
)
from vaxutils.screen.engine import screen
from vaxutils.screen.findings import (
    build_findings,
    in_findings_order,
    positions_in,
    record_status,
)
from vaxutils.screen.registry_dataset import REGISTRY_DIR, group_registry
from vaxutils.screen.summary import summarize


class _Clock:
    """Seconds per phase (wall) and the CPU of the whole task."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._cpu = time.process_time()
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self._last
        self._last = now

    def done(self) -> dict[str, float]:
        self.timings["cpu"] = time.process_time() - self._cpu
        return {k: round(v, 3) for k, v in self.timings.items()}


def _commune_summary(findings, records, doses, export_date: date, province, commune) -> dict:
    summary = summarize(findings, records, doses)
    summary.update(
        {"export_date": export_date.isoformat(), "province": province, "commune": commune}
    )
    return summary


def _finding_parts(result, rec_part: np.ndarray, dose_part: np.ndarray) -> np.ndarray:
    """The commune (position in the group) of each finding: its record's; for a dose whose record
    id is on no record, the dose's; else the first."""
    ids = result.findings["record_id"].astype("string")
    at_record = positions_in(ids, pd.Index(result.records["record_id"].astype("string")))
    at_dose = positions_in(ids, pd.Index(result.doses["record_id"].astype("string")))
    # position -1 (not found) picks the value appended at the end
    of_record = np.append(rec_part, -1)[at_record]
    return np.where(of_record >= 0, of_record, np.append(dose_part, 0)[at_dose]).astype("int64")


def _by_part(frame: pd.DataFrame, part: np.ndarray, n_parts: int):
    """``frame`` with the rows of each part together (stable) and where part ``k`` starts."""
    order = np.argsort(part, kind="stable")
    starts = np.searchsorted(part[order], np.arange(n_parts + 1))
    return frame.iloc[order], starts


def screen_group(
    parts: list[tuple[int, str, str]],
    root,
    out,
    export_date: date,
    registry_rows: pd.DataFrame | None = None,
) -> dict:
    """Step 1: screen a group of communes, write each commune's Parquet outputs and the group's
    cross-commune keys (the commune's CSV and summary wait for the cross-commune findings).

    One :func:`~vaxutils.screen.screen` call for the group (its fixed cost — per distinct name,
    date, ID — is paid once, and duplicates are blocked by commune inside it), then the results are
    cut back into communes. Returns ``{"communes": [{part, province, commune, summary}], "timings"}``.
    With a registry extract, ``registry_rows`` are the other communes' registry rows the group's
    records may match (:mod:`vaxutils.screen.registry_dataset`).
    """
    clock = _Clock()
    mine = [(province, commune) for _, province, commune in parts]
    whole, counts = read_partitions(root, mine)
    registry = None
    if registry_rows is not None:
        registry = group_registry(Path(out) / REGISTRY_DIR, mine, registry_rows)
    clock.lap("read")
    n_rec, n_dose = np.array(counts["records"]), np.array(counts["doses"])
    # one thread: the cluster's workers already share the cores
    result = screen(whole, export_date=export_date, registry=registry, threads=1)
    clock.lap("screen")
    rec_part = np.repeat(np.arange(len(parts)), n_rec)
    dose_part = np.repeat(np.arange(len(parts)), n_dose)[result.doses.index.to_numpy()]
    find_part = _finding_parts(result, rec_part, dose_part)
    # the cross-commune keys of the whole group at once; gid from the commune and the position in it
    numbers = np.array([part for part, _, _ in parts], dtype="int64")
    offsets = np.r_[0, np.cumsum(n_rec)[:-1]]
    position = np.arange(len(rec_part)) - offsets[rec_part]
    keys = cross_keys(result.records, result.doses, numbers[rec_part], position)
    clock.lap("keys")
    # each table put in commune order once, then cut into slices (a mask per commune would scan
    # the whole group once per commune: quadratic in the group's size)
    records, rec_at = _by_part(result.records, rec_part, len(parts))
    doses, dose_at = _by_part(result.doses, dose_part, len(parts))
    findings, find_at = _by_part(result.findings, find_part, len(parts))
    done = []
    for k, (part, province, commune) in enumerate(parts):
        mine = {
            "findings": findings.iloc[find_at[k] : find_at[k + 1]].reset_index(drop=True),
            "records": records.iloc[rec_at[k] : rec_at[k + 1]].reset_index(drop=True),
            "doses": doses.iloc[dose_at[k] : dose_at[k + 1]],
        }
        summary = _commune_summary(*mine.values(), export_date, province, commune)
        write_tables(out, province, commune, **mine)
        done.append({"part": part, "province": province, "commune": commune, "summary": summary})
    io.write_parquet(keys_file(out, parts[0][0]), keys)
    clock.lap("write")
    return {"communes": done, "timings": clock.done()}


def fetch_candidates(
    out, parts: list[tuple[int, str, str]], keys_path, wanted: pd.DataFrame, first_part: int
) -> dict:
    """Step 2: the compared columns of the candidate records of some communes of one group
    (``parts``, whose keys are ``keys_path``), written for each partition of the candidate pairs
    that needs them (``wanted``: ``gid``, ``pair_part``) to its own file
    (:func:`~vaxutils.screen.dataset_out.candidates_file`): a partition's task then reads only its
    pairs' records, and no task holds those of the whole run. Returns ``{"files", "timings"}``."""
    clock = _Clock()
    gids = np.unique(wanted["gid"].to_numpy("int64"))
    spans = pq.read_table(
        keys_path,
        columns=["gid", "dose_lo", "dose_hi", "first", "last"],
        filters=[("gid", "in", gids.tolist())],
    ).to_pandas()
    frames = []
    for part, province, commune in parts:
        mine = gids[(gids >> PART_SHIFT) == part]
        records = pq.read_table(
            output_file(out, "records", province, commune), columns=list(COMPARE_COLUMNS)
        )
        picked = records.take(mine - (np.int64(part) << PART_SHIFT)).to_pandas()
        picked["gid"] = mine
        picked["part"] = part
        picked["commune"] = commune
        frames.append(picked)
    clock.lap("read")
    picked = pd.concat(frames, ignore_index=True).merge(
        spans.drop_duplicates("gid"), on="gid", how="left"
    )
    routed = wanted[["gid", "pair_part"]].merge(picked, on="gid", how="inner")
    files = 0
    for pair_part, rows in routed.groupby("pair_part", sort=True):
        io.write_parquet(
            candidates_file(out, int(pair_part), first_part),
            rows.drop(columns="pair_part").reset_index(drop=True),
        )
        files += 1
    clock.lap("write")
    return {"files": files, "timings": clock.done()}


def judge_candidates(pairs: pd.DataFrame, paths: list[str], *written: dict) -> dict:
    """Step 2: the decisions on one partition of the candidate pairs
    (:func:`~vaxutils.screen.cross_commune.judge_pairs`), from the candidate records
    :func:`fetch_candidates` wrote for it (``written``: those tasks' results, so that this one runs
    after them). Returns ``{"judgement", "timings"}``."""
    clock = _Clock()
    persons = pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True)
    clock.lap("read")
    judgement = judge_pairs(pairs, persons)
    clock.lap("compare")
    return {"judgement": judgement, "timings": clock.done()}


def merge_candidates(*judged: dict) -> dict:
    """Step 2: the run's cross-commune findings and the records whose shared-ID findings they
    replace (:func:`~vaxutils.screen.cross_commune.merge_judgements`), from the partitions'
    :func:`judge_candidates`. Returns ``{"issues", "redo", "timings", "judge_timings"}``."""
    clock = _Clock()
    issues, redo = merge_judgements([j["judgement"] for j in judged])
    clock.lap("merge")
    return {
        "issues": issues,
        "redo": redo,
        "timings": clock.done(),
        "judge_timings": [j["timings"] for j in judged],
    }


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
    findings = in_findings_order(findings)
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
) -> dict:
    """Step 3: each commune's cross-commune findings added (findings, records and summary
    rewritten), then its ``findings.csv`` and ``summary.json`` written.
    Returns ``{"communes": {commune: summary}, "timings"}``."""
    clock = _Clock()
    issue_part = issues["gid"].to_numpy("int64") >> PART_SHIFT
    redo_part = redo["gid"].to_numpy("int64") >> PART_SHIFT
    done = {}
    for part, province, commune in parts:
        mine, again = issue_part == part, redo_part == part
        summary = summaries[part]
        if mine.any() or again.any():
            shared = redo.loc[again, "record_id"].tolist()
            findings, records = _with_cross(out, province, commune, issues[mine], shared)
            write_tables(out, province, commune, findings=findings, records=records)
            n_doses = pq.ParquetFile(output_file(out, "doses", province, commune)).metadata.num_rows
            doses = pd.DataFrame(index=range(n_doses))
            summary = _commune_summary(findings, records, doses, export_date, province, commune)
        else:
            findings = pd.read_parquet(output_file(out, "findings", province, commune))
        clock.lap("cross_findings")
        folder = commune_folder(out, commune)
        io.write_csv(folder / "findings.csv", findings)
        io.write_json(folder / "summary.json", summary)
        clock.lap("csv")
        done[commune] = summary
    return {"communes": done, "timings": clock.done()}
