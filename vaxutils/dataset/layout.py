"""Where the national dataset keeps its rows: one Parquet dataset per table, hive-partitioned.

    DATASET/
      manifest.json                                   files ingested: SHA-256, rows, partitions
      records/province=01/commune=00001/<file>.parquet  one fragment per (source file, commune)
      doses/province=01/commune=00001/<file>.parquet
      conflicts/province=01/commune=00001/<file>.parquet

Partition values are codes: ``province`` the 2-digit GSO province code of the commune, ``commune`` its
5-digit GSO code; records whose commune is missing or unknown go to ``province=unknown/commune=unknown``.
The person fields ``province`` and ``commune`` (the names as written in the export) are stored as
``province_name`` and ``commune_name``, since a hive partition column may not share a file column's
name; :mod:`vaxutils.dataset.read` gives them back their canonical names.

A fragment's name is the id of its source file, so re-ingesting a changed file rewrites (and deletes)
only that file's fragments.

>>> partition_values(pd.Series(["00004", " 01420 ", "99999", None, "abc"])).values.tolist()
[['01', '00004'], ['04', '01420'], ['unknown', 'unknown'], ['unknown', 'unknown'], ['unknown', 'unknown']]
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa

from vaxutils import refdata
from vaxutils.schema import DOSE_FIELDS, PERSON_FIELDS

TABLES = ("records", "doses", "conflicts")
MANIFEST = "manifest.json"
UNKNOWN = "unknown"
# canonical field -> column in the fragments (hive partition keys take the canonical names)
STORED_AS = {"province": "province_name", "commune": "commune_name"}

_TEXT = pa.string()
RECORD_SCHEMA = pa.schema(
    [(STORED_AS.get(f, f), _TEXT) for f in PERSON_FIELDS]
    + [("source_row", pa.int64()), ("source_file", _TEXT)]
)
DOSE_SCHEMA = pa.schema(
    [("record_id", _TEXT), ("source_row", pa.int64())]
    + [(f, _TEXT) for f in DOSE_FIELDS]
    + [("source_file", _TEXT)]
)
CONFLICT_SCHEMA = pa.schema(
    [
        ("record_id", _TEXT),
        ("source_row", pa.int64()),
        ("field", _TEXT),
        ("value", _TEXT),
        ("used", _TEXT),
        ("source_file", _TEXT),
    ]
)
SCHEMAS = {"records": RECORD_SCHEMA, "doses": DOSE_SCHEMA, "conflicts": CONFLICT_SCHEMA}

_CODE = re.compile(r"^\d{5}$")


@functools.cache
def province_of_commune() -> dict[str, str]:
    """GSO commune code -> 2-digit GSO province code, for the 2022 communes."""
    communes = refdata.communes()
    return dict(zip(communes["commune_code"], communes["province_code"], strict=True))


def partition_values(commune_code: pd.Series) -> pd.DataFrame:
    """``province`` and ``commune`` partition values of each record (index kept).

    Only a known 2022 commune code names a partition; anything else (blank, junk, a code that is
    not in the 2022 list) goes to ``unknown``: a partition value becomes a folder name, so it is
    never taken from a cell as written.
    """
    text = commune_code.astype("string").str.strip()
    provinces = province_of_commune()
    province = text.map(provinces).astype("string")
    known = text.str.fullmatch(_CODE).fillna(False) & province.notna()
    return pd.DataFrame(
        {
            "province": province.where(known, UNKNOWN).astype(object),
            "commune": text.where(known, UNKNOWN).astype(object),
        },
        index=commune_code.index,
    )


def commune_in_name(path: str | os.PathLike) -> str | None:
    """The 2022 commune code written in a file's name (``export_01420.xlsx``), if exactly one.

    >>> commune_in_name("exports/export_01420.xlsx"), commune_in_name("2022-05-15.csv")
    ('01420', None)
    """
    found = set(re.findall(r"(?<!\d)(\d{5})(?!\d)", Path(path).stem))
    known = [code for code in found if code in province_of_commune()]
    return known[0] if len(known) == 1 else None


def file_id(key: str) -> str:
    """A short stable name for a source file's fragments (the hash of its path key)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def partition_dir(root: str | os.PathLike, table: str, province: str, commune: str) -> Path:
    return Path(root) / table / f"province={province}" / f"commune={commune}"


def fragment_path(root, table: str, province: str, commune: str, fid: str) -> Path:
    return partition_dir(root, table, province, commune) / f"{fid}.parquet"


def list_partitions(root: str | os.PathLike) -> list[tuple[str, str]]:
    """The (province, commune) partitions that hold records, sorted (the dataset's order)."""
    base = Path(root) / "records"
    found = []
    if not base.is_dir():
        return found
    for prov in sorted(base.glob("province=*")):
        for com in sorted(prov.glob("commune=*")):
            if any(com.glob("*.parquet")):
                found.append((prov.name.split("=", 1)[1], com.name.split("=", 1)[1]))
    return found


def fragments_of(root, table: str, province: str, commune: str) -> list[Path]:
    """The fragment files of one partition, sorted by name (temp files start with a dot)."""
    folder = partition_dir(root, table, province, commune)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.parquet") if not p.name.startswith((".", "_")))
