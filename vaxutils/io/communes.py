"""Give every record of an export its commune, and cut an export into communes.

An export that names the commune (a ``Mã xã`` column, or ``Xã/Phường`` with ``Quận/Huyện`` and
``Tỉnh/TP``) can hold several communes: a district's or a province's file. Each record's commune is
resolved by :func:`vaxutils.refdata.identity.resolve_communes` (the code when there is one, else the
names); a record whose commune cannot be told for sure (no match, or several) is **left out** of
every commune's part and listed in ``Export.unplaced`` with the names as found and the candidates,
so that nobody's record ends up in another commune's report or workbook.

An export with no location column at all is one commune's file: nothing is resolved or left out.

>>> import pandas as pd
>>> records = pd.DataFrame({"record_id": ["a", "b", "c"], "source_row": [2, 3, 4],
...     "commune": ["Thượng Thôn", "Xã Quý Quân", "Phường 14"], "district": ["Hà Quảng", None, None],
...     "province": ["Cao Bằng", "Cao Bằng", "Hồ Chí Minh"], "commune_code": [None, None, None]})
>>> placed = place_communes(Export(records, pd.DataFrame({"record_id": []}), {"path": "ds.xlsx"}))
>>> placed.records[["record_id", "commune_code"]].to_dict("list")
{'record_id': ['a', 'b'], 'commune_code': ['01420', '01432']}
>>> placed.unplaced[["source_row", "commune", "status"]].to_dict("list")
{'source_row': [4], 'commune': ['Phường 14'], 'status': ['ambiguous']}
>>> placed.source["commune_identity"]["left_out"], sorted(commune_parts(placed))
(1, ['01420', '01432'])
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from vaxutils.io.export import Export
from vaxutils.kernel.cells import text_column
from vaxutils.refdata.identity import resolve_communes

UNPLACED_COLUMNS: tuple[str, ...] = (
    "file",
    "source_row",
    "record_id",
    "commune",
    "district",
    "province",
    "commune_code",
    "status",
    "candidates",
)
STATUS_VI = {
    "ambiguous": "nhiều xã trùng tên: cần thêm huyện/tỉnh hoặc mã xã",
    "unresolved": "không tìm thấy xã trong danh mục hành chính 2022 / PL3",
}
_LOCATION = ("commune_code", "commune")


def empty_unplaced() -> pd.DataFrame:
    """No record left out: the ``unplaced`` table with its columns."""
    frame = pd.DataFrame({c: pd.Series(dtype="string") for c in UNPLACED_COLUMNS})
    return frame.astype({"source_row": "Int64"})


def has_location(records: pd.DataFrame) -> bool:
    """Whether the export says where its records live (a commune code or a commune name)."""
    return any(c in records.columns and records[c].notna().any() for c in _LOCATION)


def _column(records: pd.DataFrame, name: str) -> pd.Series | None:
    return records[name] if name in records.columns else None


def place_communes(export: Export) -> Export:
    """The export with every record's 5-digit ``commune_code`` resolved; records that cannot be
    placed for sure are moved (with their doses and conflicts) to ``unplaced``. Counts are in
    ``source["commune_identity"]``. Idempotent; the export given is not changed."""
    records = export.records
    if "commune_identity" in export.source:
        return export
    if not has_location(records):
        source = {**export.source, "commune_identity": {"by": "file", "left_out": 0}}
        return replace(export, source=source, unplaced=empty_unplaced())
    commune = _column(records, "commune")
    if commune is None:
        commune = pd.Series(pd.NA, index=records.index, dtype="string")
    resolved = resolve_communes(
        commune,
        _column(records, "district"),
        _column(records, "province"),
        _column(records, "commune_code"),
    )
    placed = resolved["commune_code"].notna().to_numpy()
    kept = records.loc[placed].assign(commune_code=resolved.loc[placed, "commune_code"])
    lost = records.loc[~placed]
    unplaced = pd.DataFrame(
        {
            "file": pd.Series(export.source.get("path"), index=lost.index, dtype="string"),
            "source_row": lost["source_row"].astype("Int64"),
            "record_id": lost["record_id"].astype("string"),
            **{
                c: (lost[c] if c in lost.columns else pd.Series(pd.NA, index=lost.index)).astype(
                    "string"
                )
                for c in ("commune", "district", "province", "commune_code")
            },
            "status": resolved.loc[~placed, "status"],
            "candidates": resolved.loc[~placed, "candidates"],
        }
    )
    lost_ids = set(lost["record_id"])
    doses = export.doses[~export.doses["record_id"].isin(lost_ids)]
    conflicts = export.conflicts[~export.conflicts["record_id"].isin(lost_ids)]
    counts = resolved["status"].value_counts()
    identity = {
        "by": "code_or_names",
        "by_code": int(counts.get("code", 0)),
        "by_names": int(counts.get("names", 0)),
        "ambiguous": int(counts.get("ambiguous", 0)),
        "unresolved": int(counts.get("unresolved", 0)),
        "left_out": int((~placed).sum()),
        "communes": int(kept["commune_code"].nunique()),
    }
    return replace(
        export,
        records=kept.reset_index(drop=True),
        doses=doses.reset_index(drop=True),
        conflicts=conflicts.reset_index(drop=True),
        source={**export.source, "commune_identity": identity},
        unplaced=unplaced.reset_index(drop=True)[list(UNPLACED_COLUMNS)],
    )


def commune_parts(export: Export) -> dict[str, Export]:
    """``{commune code: that commune's Export}`` for a placed export (records, doses, conflicts
    of the commune only; ``unplaced`` stays on every part so each summary can count it)."""
    export = place_communes(export)
    if export.source["commune_identity"]["by"] == "file":
        return {}
    parts = {}
    codes = export.records["commune_code"]
    for code, part in export.records.groupby(codes, sort=True):  # one pass per commune
        ids = part["record_id"]
        parts[str(code)] = replace(
            export,
            records=part.reset_index(drop=True),
            doses=export.doses[export.doses["record_id"].isin(ids)].reset_index(drop=True),
            conflicts=export.conflicts[export.conflicts["record_id"].isin(ids)].reset_index(
                drop=True
            ),
            source={**export.source, "commune": str(code)},
        )
    return parts


def claim_unlocated(export: Export, code: str) -> Export:
    """In a file that is commune ``code``'s own (``export_<code>.xlsx``), a record without a
    commune code is that commune's when it names no commune at all, or names one that fits
    ``code`` among others (``Phường Đề Thám`` with no district: Cao Bằng's, Thái Bình's and Lạng
    Sơn's — the file says which). Its blank code is filled with ``code``; a name that fits only
    another commune stays that commune's (left out here). Never used on a shared file, where such a
    record's commune is unknown.

    >>> import pandas as pd
    >>> records = pd.DataFrame({"record_id": ["a", "b"], "commune_code": ["01423", None]})
    >>> claim_unlocated(Export(records, pd.DataFrame()), "01420").records["commune_code"].tolist()
    ['01423', '01420']
    >>> named = pd.DataFrame({"record_id": ["a", "b"], "commune": ["Phường Đề Thám", "Xã Quý Quân"]})
    >>> claim_unlocated(Export(named, pd.DataFrame()), "01282").records["commune_code"].tolist()
    ['01282', <NA>]
    """
    records = export.records
    if "commune_code" not in records.columns and "commune" not in records.columns:
        return export
    codes = text_column(records, "commune_code")
    blank = codes.str.strip().fillna("").eq("")
    name = text_column(records, "commune").str.strip().fillna("")
    unnamed = blank & name.eq("")
    named = blank & ~unnamed
    fits = pd.Series(False, index=records.index)
    if named.any():
        rows = records.loc[named]
        resolved = resolve_communes(
            rows["commune"], _column(rows, "district"), _column(rows, "province")
        )
        among = resolved["candidates"].str.contains(rf"(?:^|; ){code} ", regex=True).fillna(False)
        fits[resolved.index] = resolved["status"].eq("ambiguous").fillna(False) & among
    claimed = unnamed | fits
    if not claimed.any():
        return export
    return replace(export, records=records.assign(commune_code=codes.mask(claimed, code)))


def keep_commune(export: Export, code: str, *, own_file: bool = False) -> Export:
    """Only the records of commune ``code`` (5 digits). A one-commune file without any location
    column is taken as that commune's file, as the user said; with ``own_file`` (the file is the
    commune's own, e.g. ``export_<code>.xlsx``) so is a record that names no commune at all."""
    if own_file and "commune_identity" not in export.source:
        export = claim_unlocated(export, code)
    export = place_communes(export)
    if export.source["commune_identity"]["by"] == "file":
        return replace(export, source={**export.source, "commune": code})
    parts = commune_parts(export)
    if code in parts:
        return parts[code]
    empty = export.records.iloc[0:0]
    return replace(
        export,
        records=empty,
        doses=export.doses.iloc[0:0],
        conflicts=export.conflicts.iloc[0:0],
        source={**export.source, "commune": code},
    )
