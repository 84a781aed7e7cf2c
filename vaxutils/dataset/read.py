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

from vaxutils.dataset.layout import SCHEMAS, STORED_AS, fragments_of, list_partitions
from vaxutils.io import Export
from vaxutils.io.layout import empty_conflicts

_CANONICAL = {stored: canonical for canonical, stored in STORED_AS.items()}


def read_table(root, name: str, province: str, commune: str) -> pd.DataFrame:
    """One table of one partition, fragments in name order, rows in file order."""
    files = [str(p) for p in fragments_of(root, name, province, commune)]
    schema = SCHEMAS[name]
    table = (
        ds.dataset(files, format="parquet", schema=schema).to_table()
        if files
        else schema.empty_table()
    )
    frame = table.to_pandas()
    for column in frame.columns:
        if column != "source_row":
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame.rename(columns=_CANONICAL) if name == "records" else frame


def read_partition(root: str | os.PathLike, province: str, commune: str) -> Export:
    """One commune's records, doses and conflicts as an :class:`~vaxutils.io.Export`."""
    records = read_table(root, "records", province, commune)
    doses = read_table(root, "doses", province, commune)
    conflicts = read_table(root, "conflicts", province, commune).drop(columns="source_file")
    if conflicts.empty:
        conflicts = empty_conflicts()
    source = {"path": str(Path(root) / "records" / f"province={province}" / f"commune={commune}")}
    return Export(records, doses, source, conflicts)


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
