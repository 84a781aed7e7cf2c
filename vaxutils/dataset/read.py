"""Reading the national dataset back: one commune's partition (what a screening task reads), or all
of it in the dataset's order (the single-process reference).

Only the partition's own folder is opened (``pyarrow.dataset`` over its fragments): a task never
lists or touches the rest of the country.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from vaxutils.dataset.layout import SCHEMAS, STORED_AS, fragments_of, list_partitions
from vaxutils.io import Export
from vaxutils.io.cells import TEXT_DTYPE
from vaxutils.io.layout import empty_conflicts

_CANONICAL = {stored: canonical for canonical, stored in STORED_AS.items()}


def _frame(files: list[str], name: str) -> pd.DataFrame:
    schema = SCHEMAS[name]
    table = (
        ds.dataset(files, format="parquet", schema=schema).to_table()
        if files
        else schema.empty_table()
    )
    frame = table.to_pandas()
    for column in frame.columns:
        if column != "source_row":
            frame[column] = frame[column].astype(TEXT_DTYPE)
    return frame.rename(columns=_CANONICAL) if name == "records" else frame


def read_table(root, name: str, province: str, commune: str) -> pd.DataFrame:
    """One table of one partition, fragments in name order, rows in file order, cells as text."""
    return _frame([str(p) for p in fragments_of(root, name, province, commune)], name)


def read_partition(root: str | os.PathLike, province: str, commune: str) -> Export:
    """One commune's records, doses and conflicts as an :class:`~vaxutils.io.Export`."""
    export, _ = read_partitions(root, [(province, commune)])
    return export


def read_partitions(root: str | os.PathLike, parts: list[tuple[str, str]]) -> tuple[Export, dict]:
    """Several communes in one scan, one after the other, and how many rows each has per table
    (``{"records": [n, ...], "doses": [...], "conflicts": [...]}``)."""
    frames, counts = {}, {}
    for name in ("records", "doses", "conflicts"):
        files = [[str(f) for f in fragments_of(root, name, p, c)] for p, c in parts]
        frames[name] = _frame([f for fs in files for f in fs], name)
        # rows per partition from the files' footers (no data read twice)
        counts[name] = [sum(pq.ParquetFile(f).metadata.num_rows for f in fs) for fs in files]
    conflicts = frames["conflicts"].drop(columns="source_file")
    if conflicts.empty:
        conflicts = empty_conflicts()
    source = {"path": str(Path(root)), "partitions": [list(p) for p in parts]}
    return Export(frames["records"], frames["doses"], source, conflicts), counts


def read_dataset(root: str | os.PathLike) -> Export:
    """The whole dataset as one export, partition after partition (small datasets and tests only:
    the point of the dataset is that nobody has to hold all of it)."""
    parts = [read_partition(root, p, c) for p, c in list_partitions(root)]
    if not parts:
        return Export(
            read_table(root, "records", "-", "-"), read_table(root, "doses", "-", "-"), {}
        )
    conflicts = [p.conflicts for p in parts if not p.conflicts.empty]
    return Export(
        pd.concat([p.records for p in parts], ignore_index=True),
        pd.concat([p.doses for p in parts], ignore_index=True),
        {"path": str(root)},
        pd.concat(conflicts, ignore_index=True) if conflicts else empty_conflicts(),
    )
