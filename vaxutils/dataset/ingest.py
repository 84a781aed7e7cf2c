"""``ingest``: platform exports in, the national dataset (:mod:`vaxutils.dataset.layout`) out.

Each export is read with :func:`vaxutils.io.read_export` (any shape it accepts), its rows keep their
``source_file`` and ``source_row``, and are written as one fragment per (file, commune) partition.
Files are read in parallel, each by a worker that writes its own fragments (rows never travel back).
``manifest.json`` keeps every file's SHA-256: an unchanged file is skipped, a changed one has its
fragments replaced (new ones written, the partitions it left deleted) and no other file's rows move.
Exports are never modified; a file that cannot be read is reported by name and the others go on.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from vaxutils import io
from vaxutils.dataset.layout import (
    MANIFEST,
    SCHEMAS,
    STORED_AS,
    TABLES,
    UNKNOWN,
    commune_in_name,
    file_id,
    fragment_path,
    partition_values,
)


@dataclass
class IngestReport:
    """What one ``ingest`` run did, per file key (the file's resolved path)."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    n_records: int = 0
    n_doses: int = 0


def read_manifest(root: str | os.PathLike) -> dict:
    """The dataset's manifest (an empty one for a new dataset)."""
    path = Path(root) / MANIFEST
    if not path.exists():
        return {"version": 1, "files": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def _table(frame: pd.DataFrame, name: str) -> pa.Table:
    schema = SCHEMAS[name]
    frame = frame.rename(columns=STORED_AS) if name == "records" else frame
    columns = {}
    for f in schema:
        if f.name in frame.columns:
            values = frame[f.name]
            if pa.types.is_string(f.type):
                values = values.astype("string")
            columns[f.name] = pa.array(values, type=f.type, from_pandas=True)
        else:
            columns[f.name] = pa.nulls(len(frame), type=f.type)
    return pa.table(columns, schema=schema)


def split_export(export, source_file: str) -> dict[tuple[str, str], dict[str, pd.DataFrame]]:
    """The export's records, doses and conflicts per (province, commune) partition.

    A record's commune is its commune code, else the one code in the file's name (commune exports
    are often named after it); doses and conflicts go with their record (the first one of their
    record_id), those of no record to ``unknown``.
    """
    records = export.records.copy()
    doses, conflicts = export.doses, export.conflicts
    if "record_id" not in export.source.get("mapping", {"record_id": None}):
        # ids the reader made from row numbers ("dong-12") repeat from file to file: name the file
        prefix = source_file + ":"
        records["record_id"] = prefix + records["record_id"].astype("string")
        doses = doses.assign(record_id=prefix + doses["record_id"].astype("string"))
        conflicts = conflicts.assign(record_id=prefix + conflicts["record_id"].astype("string"))
    if "commune_code" not in records.columns:
        records["commune_code"] = pd.NA
    from_name = commune_in_name(source_file)
    if from_name is not None:
        blank = records["commune_code"].astype("string").str.strip().fillna("").eq("")
        records.loc[blank, "commune_code"] = from_name
    records["source_file"] = source_file
    parts = partition_values(records["commune_code"])
    key = parts["province"] + "/" + parts["commune"]
    of_record = pd.Series(key.to_numpy(), index=records["record_id"].astype("string").to_numpy())
    of_record = of_record[~of_record.index.duplicated()]
    split: dict[tuple[str, str], dict[str, pd.DataFrame]] = {}
    frames = {
        "records": (records, key),
        "doses": (doses, None),
        "conflicts": (conflicts, None),
    }
    for name, (frame, keys) in frames.items():
        frame = frame.assign(source_file=source_file)
        if keys is None:
            ids = frame["record_id"].astype("string") if "record_id" in frame else None
            mapped = ids.map(of_record) if ids is not None else pd.Series(index=frame.index)
            keys = mapped.fillna(f"{UNKNOWN}/{UNKNOWN}").astype(object)
        for part_key, rows in frame.groupby(keys.to_numpy(), sort=True):
            province, commune = part_key.split("/")
            split.setdefault((province, commune), {})[name] = rows
    return split


def write_export(root, export, key: str, source_file: str) -> dict:
    """Write one export's fragments (one per partition and table); its manifest entry (no rows).

    ``key`` names the file in the manifest (its resolved path); ``source_file`` is what rows carry.
    """
    fid = file_id(key)
    written = []
    for (province, commune), frames in split_export(export, source_file).items():
        for name in TABLES:
            frame = frames.get(name)
            if frame is None or frame.empty:
                continue
            target = fragment_path(root, name, province, commune, fid)
            table = _table(frame, name)
            io.write_atomic(target, lambda tmp, t=table: pq.write_table(t, tmp))
        written.append([province, commune])
    return {
        "source_file": source_file,
        "file_id": fid,
        "sha256": export.source.get("sha256"),
        "size": export.source.get("size"),
        "layout": export.source.get("layout"),
        "n_records": len(export.records),
        "n_doses": len(export.doses),
        "partitions": written,
        "warnings": [str(w) for w in export.source.get("warnings", [])],
        "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def ingest_file(path: str, root: str, columns=None) -> dict:
    """Read one export and write its fragments; the manifest entry for it (no rows)."""
    export = io.read_export(path, columns=columns)
    return write_export(root, export, str(Path(path).resolve()), Path(path).name)


def record_entries(root, entries: dict[str, dict]) -> None:
    """Add manifest entries (by key) for fragments written with :func:`write_export`, replacing
    the fragments an earlier version of the same key left in other partitions."""
    manifest = read_manifest(root)
    for key, entry in entries.items():
        old = manifest["files"].get(key)
        if old is not None:
            for stale in _stale_fragments(root, old, entry):
                stale.unlink(missing_ok=True)
        manifest["files"][key] = entry
    io.write_json(Path(root) / MANIFEST, manifest)


def _ingest_or_message(path: str, root: str, columns) -> tuple[str, dict | str]:
    try:
        return "ok", ingest_file(path, root, columns)
    except io.IngestError as exc:
        return "failed", str(exc)


def _stale_fragments(root, old: dict, new: dict) -> list[Path]:
    """Fragments of the old version of a file in partitions the new version no longer has."""
    kept = {tuple(p) for p in new["partitions"]}
    return [
        fragment_path(root, name, province, commune, old["file_id"])
        for province, commune in map(tuple, old.get("partitions", []))
        if (province, commune) not in kept
        for name in TABLES
    ]


def ingest(
    paths: Iterable[str | os.PathLike],
    out: str | os.PathLike,
    columns=None,
    workers: int | None = None,
) -> IngestReport:
    """Ingest exports into the dataset at ``out`` (created if new); see the module docstring."""
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(root)
    report = IngestReport()
    todo = []
    for p in paths:
        path = Path(p)
        key = str(path.resolve())
        if not path.is_file():
            report.failed[key] = (
                f"Không tìm thấy tệp {path} / File not found: {path}. Kiểm tra lại đường dẫn."
            )
            continue
        old = manifest["files"].get(key)
        if old is not None and old.get("sha256") == io.file_sha256(path):
            report.unchanged.append(key)
        else:
            todo.append(str(path))
    workers = max(1, min(workers or os.cpu_count() or 1, len(todo)))
    if workers > 1:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            results = list(
                pool.map(_ingest_or_message, todo, [str(root)] * len(todo), [columns] * len(todo))
            )
    else:
        results = [_ingest_or_message(p, str(root), columns) for p in todo]
    for path, (status, entry) in zip(todo, results, strict=True):
        key = str(Path(path).resolve())
        if status == "failed":
            report.failed[key] = entry
            continue
        old = manifest["files"].get(key)
        if old is not None:
            for stale in _stale_fragments(root, old, entry):
                stale.unlink(missing_ok=True)
            report.replaced.append(key)
        else:
            report.added.append(key)
        manifest["files"][key] = entry
        report.n_records += entry["n_records"]
        report.n_doses += entry["n_doses"]
    io.write_json(root / MANIFEST, manifest)
    return report
