"""A registry extract for a dataset screening (``vaxutils screen DATASET --registry FILE``): each
screening task gets the registry rows its records can match, never the whole extract.

A record matches a registry person by number (its ID or repaired ID equals the person's ID or old
CMND, anywhere in the country), or by name, birth date and sex — blocked within the record's commune
or, regardless of the commune, by name and birth year (:mod:`vaxutils.reconcile.registry`). So a
task needs (a) the registry rows of its own communes and (b) the rows elsewhere that share a number
or a name + birth year with one of its records (people registered where they live, vaccinated where
they work). Built in three steps, none of which brings the extract to the driving process:

1. :func:`split_registry` (a task per extract file): the rows partitioned like the dataset, by
   their commune (``REG/province=PP/commune=CCCCC/part-<file>.parquet``, with ``_row``, their
   place in the extract), and their hashed match keys (``REG/_keys/``);
2. :func:`record_keys` (a task per group of communes): the same keys of the group's records,
   computed by the screening's own :func:`~vaxutils.screen.persons.prepare_persons`;
3. a dask merge of the two on the hashed key (a shuffle), keeping only rows of *another* commune:
   the few (part, ``_row``) pairs, each group's sent to its task, which reads them from their
   partitions (:func:`group_registry`).

The rows a task screens with are in extract order, so ties are broken as a single run breaks them:
the findings are those of a single-process ``screen`` with the same extract (tested).

Scale: a province's extract is cut by one task per file (give a folder of files, one per province,
for the country). The pairs of step 3 come back to the driving process: one per record matched by
number to a row of another commune, and one per (record, row of another commune) with the same
diacritic-free name and birth year. The latter grow with the square of a common name's frequency:
fine for a province, too many for the country. The next step there is two rounds — numbers first,
then name + birth year only for the records that no number matched plausibly (the only ones
:func:`~vaxutils.reconcile.match_registry` links by name) — with the pairs kept on the workers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from vaxutils import io, reconcile
from vaxutils.dataset import read_partitions
from vaxutils.dataset.layout import partition_dir, partition_values
from vaxutils.screen.doses import prepare_doses
from vaxutils.screen.persons import prepare_persons

REGISTRY_DIR = Path("_registry")
KEYS = "_keys"
RECORD_KEYS = "_record_keys"
PROBLEMS_FILE = "trich_xuat_dan_cu_can_sua.csv"
#: ``_row`` = file number << ROW_SHIFT | row in the file: extract order across several files.
ROW_SHIFT = 40
EXTRACT_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".parquet")


def _hashed(prefix: str, *columns: pd.Series) -> pd.Series:
    """One int64 per row for a match key (NA when a part of it is missing)."""
    text = pd.Series(prefix, index=columns[0].index, dtype="string")
    for column in columns:
        text = text + "|" + column.astype("string")
    hashed = pd.util.hash_array(text.fillna("").to_numpy(dtype=object), categorize=False)
    return pd.Series(hashed.view("int64"), index=text.index).where(text.notna())


def match_keys(frame: pd.DataFrame, numbers: tuple[str, ...]) -> pd.DataFrame:
    """``key`` (int64) and ``pos`` (row position): every number of ``numbers``, and name + birth
    year, of a prepared persons frame or a prepared registry."""
    keys = [_hashed("n", frame[c]) for c in numbers if c in frame.columns]
    keys.append(_hashed("y", frame["ascii_key"], frame["birth_year"]))
    pos = np.tile(np.arange(len(frame), dtype="int64"), len(keys))
    found = pd.DataFrame({"key": pd.concat(keys, ignore_index=True), "pos": pos}).dropna()
    return found.astype({"key": "int64"}).drop_duplicates()


def split_registry(path: str, out: str, number: int, columns=None) -> dict:
    """Task of step 1: one extract file partitioned by commune, and its hashed match keys."""
    extract = io.read_registry(path, columns=columns)
    frame = extract.frame.reset_index(drop=True)
    frame["_row"] = (np.int64(number) << ROW_SHIFT) + np.arange(len(frame), dtype="int64")
    where = partition_values(frame.get("commune_code", pd.Series(pd.NA, index=frame.index)))
    reg = reconcile.prepare_registry(frame)
    keys = match_keys(reg, ("id_number", "cmnd"))
    keys["_row"] = frame["_row"].to_numpy()[keys["pos"].to_numpy()]
    keys["province"] = where["province"].to_numpy()[keys["pos"].to_numpy()]
    keys["commune"] = where["commune"].to_numpy()[keys["pos"].to_numpy()]
    root = Path(out)
    for (province, commune), rows in frame.groupby(
        [where["province"], where["commune"]], sort=False
    ):
        io.write_parquet(
            partition_dir(root, "", province, commune) / f"part-{number:05d}.parquet",
            rows.astype({c: "string" for c in rows.columns if c != "_row"}),
        )
    io.write_parquet(root / KEYS / f"part-{number:05d}.parquet", keys.drop(columns="pos"))
    problems = None
    if len(extract.problems):
        # beside the screening's outputs (the cut registry is removed after the run)
        name = PROBLEMS_FILE if number == 0 else f"{Path(PROBLEMS_FILE).stem}_{number}.csv"
        problems = io.write_csv(root.parent / name, extract.problems).name
    return {
        "role": "registry",
        "problems": problems,
        "path": str(path),
        "sha256": io.file_sha256(path),
        "rows_used": len(frame),
        "rows_with_problems": int(extract.problems["row"].nunique()),
    }


def record_keys(parts: list[tuple[int, str, str]], root, out) -> None:
    """Task of step 2: the match keys of a group's records (``part``, ``commune``, ``key``)."""
    whole, counts = read_partitions(root, [(province, commune) for _, province, commune in parts])
    records = whole.records.reset_index(drop=True)
    doses = prepare_doses(whole.doses)
    persons = prepare_persons(records, doses.groupby("record_id")["dose_date"].min())
    keys = match_keys(persons, ("id_compact", "id_suggestion"))
    owner = np.repeat(np.arange(len(parts)), counts["records"])[keys["pos"].to_numpy()]
    keys["part"] = np.array([p for p, _, _ in parts], dtype="int64")[owner]
    keys["commune"] = np.array([c for _, _, c in parts], dtype=object)[owner]
    io.write_parquet(
        Path(out) / RECORD_KEYS / f"group-{parts[0][0]:06d}.parquet",
        keys.drop(columns="pos").drop_duplicates(),
    )


def other_commune_rows(client, out, retries: int = 3) -> pd.DataFrame:
    """Step 3: (``part``, ``_row``, ``province``, ``commune``) of the registry rows of another
    commune that share a key with one of a part's records: a shuffle on the workers; only the
    pairs come back."""
    import dask.dataframe as dd

    root = Path(out)
    registry = dd.read_parquet(str(root / KEYS))
    records = dd.read_parquet(str(root / RECORD_KEYS))
    pairs = records.merge(registry, on="key", suffixes=("", "_reg"), shuffle_method="tasks")
    pairs = pairs[pairs["commune"] != pairs["commune_reg"]]
    pairs = pairs[["part", "_row", "province", "commune_reg"]]
    found = client.compute(pairs, retries=retries).result()
    found = found.rename(columns={"commune_reg": "commune"}).drop_duplicates()
    return found.reset_index(drop=True)


def registry_files(registry) -> list[Path]:
    """The extract files: the file given, or every readable file of the folder given, in name order."""
    path = Path(registry)
    if path.is_dir():
        files = [p for p in sorted(path.iterdir()) if p.suffix.lower() in EXTRACT_SUFFIXES]
        if files:
            return files
    elif path.is_file():
        return [path]
    raise reconcile.RegistryError(
        f"Không tìm thấy trích xuất CSDL dân cư {path} (tệp, hoặc thư mục có tệp xlsx/csv/parquet)."
        f" / Registry extract not found: {path}."
    )


def registry_pass(client, root, out, groups, registry, columns=None, retries: int = 3):
    """Steps 1–3 on the cluster: for each group of parts (``[(part, province, commune), ...]``),
    the other communes' registry rows its records may match; and the extract files' provenance."""
    import shutil

    base = Path(out) / REGISTRY_DIR
    shutil.rmtree(base, ignore_errors=True)
    files = registry_files(registry)
    split = client.map(
        split_registry,
        [str(f) for f in files],
        [str(base)] * len(files),
        list(range(len(files))),
        columns=columns,
        retries=retries,
        pure=False,
    )
    keyed = client.map(
        record_keys, groups, root=str(root), out=str(base), retries=retries, pure=False
    )
    inputs = client.gather(split)
    client.gather(keyed)
    others = other_commune_rows(client, base, retries)
    part_of = others["part"].to_numpy("int64")
    return [others[np.isin(part_of, [p for p, _, _ in g])] for g in groups], inputs


def group_registry(out, communes: list[tuple[str, str]], others: pd.DataFrame) -> pd.DataFrame:
    """In a screening task: the registry rows of its communes and the other communes' rows its
    records may match (``others``: ``_row``, ``province``, ``commune``), in extract order."""
    root = Path(out)
    frames = []
    wanted = {(p, c) for p, c in communes} | set(
        zip(others["province"], others["commune"], strict=True)
    )
    extra = (
        others.groupby(["province", "commune"])["_row"].agg(list).to_dict() if len(others) else {}
    )
    for province, commune in sorted(wanted):
        folder = partition_dir(root, "", province, commune)
        files = sorted(folder.glob("part-*.parquet")) if folder.is_dir() else []
        if not files:
            continue
        own = (province, commune) in set(communes)
        filters = None if own else [("_row", "in", list(extra.get((province, commune), [])))]
        frames += [pq.read_table(f, filters=filters).to_pandas() for f in files]
    if not frames:
        return pd.DataFrame(columns=["person_id", "id_number", "full_name", "dob", "sex", "_row"])
    rows = pd.concat(frames, ignore_index=True).drop_duplicates("_row")
    return rows.sort_values("_row", kind="stable").reset_index(drop=True)
