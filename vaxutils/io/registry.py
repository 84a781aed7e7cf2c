"""Read a population-registry extract as the commune police hand it over.

The extract comes as an Excel or CSV file with Vietnamese headers (``Số định danh cá nhân``,
``Họ và tên``, ``Ngày sinh``, ``Giới tính``, ``Thôn/Ấp``, ``Mã xã``, ``Xã/Phường``), often below
title rows, without any person id of ours. It is read with the same header recognition as an
export (``--registry-columns FILE.yml`` overrides it like ``--columns``). The person id is the
extract's own code when it has one, else ``dong-<row>``. An old 9-digit CMND in the ID column is
accepted (it is also put in ``cmnd``). A row whose value cannot be used (a malformed number, an
unreadable birth date, a sex that is not one) is **not** used for matching: it is listed in
``problems`` with the file, the row and the column as the extract names them, so that the police
can correct it; it never stops the run.

The synthetic ``registry_<code>.parquet`` files (canonical column names, ``person_id``) are read
as they are.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "dan_cu.csv"
>>> _ = path.write_text("TRÍCH XUẤT CSDL DÂN CƯ\\n"
...     "Số định danh cá nhân,Họ và tên,Ngày sinh,Giới tính,Thôn/Ấp\\n"
...     "004090012345,Hoàng Văn Pó,12/03/1990,Nam,Nà Giàng\\n"
...     "123456789,Nông Thị Mai,1975,Nữ,Nà Giàng\\n"
...     "04A090012346,Lục Văn Slam,1990,Nam,Bản Giới\\n", encoding="utf-8")
>>> extract = read_registry(path)
>>> extract.frame[["person_id", "id_number", "cmnd", "full_name", "source_row"]].to_dict("list")
{'person_id': ['dong-3', 'dong-4'], 'id_number': ['004090012345', '123456789'], 'cmnd': [None, '123456789'], 'full_name': ['Hoàng Văn Pó', 'Nông Thị Mai'], 'source_row': [3, 4]}
>>> extract.problems[["row", "column", "value"]].to_dict("records")
[{'row': 5, 'column': 'Số định danh cá nhân', 'value': '04A090012346'}]
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from vaxutils import dates, ids, sex
from vaxutils.io.export import read_export
from vaxutils.io.files import file_sha256

REGISTRY_COLUMNS: tuple[str, ...] = (
    "person_id",
    "id_number",
    "cmnd",
    "full_name",
    "dob",
    "sex",
    "village",
    "commune_code",
    "commune",
    "source_row",
)
PROBLEM_COLUMNS: tuple[str, ...] = (
    "file",
    "row",
    "column",
    "field",
    "value",
    "message",
    "message_en",
)
_CHECKS = {
    "id_number": (
        "Số định danh không hợp lệ (cần 12 chữ số CCCD hoặc 9 chữ số CMND): dòng này không được "
        "dùng để đối chiếu; đề nghị công an xã kiểm tra lại.",
        "Not a valid 12-digit personal ID or 9-digit CMND: the row is not used for matching.",
    ),
    "dob": (
        "Ngày sinh không đọc được: dòng này không được dùng để đối chiếu.",
        "Unreadable birth date: the row is not used for matching.",
    ),
    "sex": (
        "Giới tính không phải Nam/Nữ: dòng này không được dùng để đối chiếu.",
        "Sex is not Nam/Nữ: the row is not used for matching.",
    ),
    "full_name": (
        "Thiếu họ tên: dòng này không được dùng để đối chiếu.",
        "No name: the row is not used for matching.",
    ),
}


@dataclass
class RegistryExtract:
    """``frame`` (the usable rows, canonical columns), ``problems`` (one row per unusable value:
    file, row, column, field, value, message) and ``source`` (path, sha256, mapping...)."""

    frame: pd.DataFrame
    problems: pd.DataFrame
    source: dict = field(default_factory=dict)


def empty_problems() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="string") for c in PROBLEM_COLUMNS})
    return frame.astype({"row": "Int64"})


def _text(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name].astype("string").str.strip()
    return pd.Series(pd.NA, index=frame.index, dtype="string")


def _bad_values(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """Per checked field, a boolean mask of the rows whose value cannot be used."""
    kind = ids.classify_ids(_text(frame, "id_number"))["id_kind"]
    born = dates.parse_dates(_text(frame, "dob"))["date"]
    raw_sex = _text(frame, "sex")
    return {
        "id_number": ~kind.isin(["cccd", "cmnd"]).to_numpy(),
        "dob": born.isna().to_numpy(),
        "sex": (raw_sex.notna() & sex.normalize_series(raw_sex).isna()).to_numpy(),
        "full_name": _text(frame, "full_name").isna().to_numpy(),
    }


def check_registry(frame: pd.DataFrame, path: object, headers: dict[str, str]) -> RegistryExtract:
    """Split a registry frame (canonical columns, ``source_row``) into usable rows and problems."""
    bad = _bad_values(frame)
    parts = []
    for name, mask in bad.items():
        if mask.any():
            rows = frame.loc[mask]
            message_vi, message_en = _CHECKS[name]
            parts.append(
                pd.DataFrame(
                    {
                        "file": str(path),
                        "row": rows["source_row"].astype("Int64").to_numpy(),
                        "column": headers.get(name, name),
                        "field": name,
                        "value": _text(rows, name).to_numpy(),
                        "message": message_vi,
                        "message_en": message_en,
                    }
                )
            )
    problems = (
        pd.concat(parts, ignore_index=True).sort_values(["row", "field"], kind="stable")
        if parts
        else empty_problems()
    )
    unusable = bad["id_number"] | bad["dob"] | bad["sex"] | bad["full_name"]
    usable = frame.loc[~unusable]
    kind = ids.classify_ids(_text(usable, "id_number"))
    number = kind["id_compact"].astype("string")
    out = pd.DataFrame(
        {
            "person_id": _text(usable, "person_id"),
            "id_number": number,
            "cmnd": number.where(kind["id_kind"].eq("cmnd")),
            **{
                c: _text(usable, c)
                for c in ("full_name", "dob", "sex", "village", "commune_code", "commune")
            },
            "source_row": usable["source_row"].astype("int64"),
        }
    )
    given_cmnd = _text(usable, "cmnd")
    out["cmnd"] = out["cmnd"].fillna(given_cmnd)
    return RegistryExtract(
        out.reset_index(drop=True)[list(REGISTRY_COLUMNS)],
        problems.reset_index(drop=True).astype(empty_problems().dtypes.to_dict()),
    )


def read_registry(
    path: str | os.PathLike, columns: dict[str, str] | str | os.PathLike | None = None
) -> RegistryExtract:
    """Read a registry extract (xlsx, xls, csv, Parquet); see the module docstring."""
    p = Path(path)
    if p.suffix.lower() == ".parquet" and p.is_file():
        frame = pd.read_parquet(p)
        if "person_id" in frame.columns:  # already canonical (vaxutils synth)
            frame = frame.assign(source_row=range(2, len(frame) + 2))
            extract = check_registry(frame, p, {})
            extract.source = {"path": str(p.resolve()), "sha256": file_sha256(p), "mapping": {}}
            return extract
    # the same header recognition as an export; a file that cannot be read says why (IngestError)
    export = read_export(p, columns=columns)
    records = export.records.rename(columns={"record_id": "person_id"})
    headers = dict(export.source.get("mapping", {}))
    extract = check_registry(records, p, headers)
    extract.source = {
        "path": export.source["path"],
        "sha256": export.source["sha256"],
        "sheet": export.source.get("sheet"),
        "header_row": export.source.get("header_row"),
        "mapping": headers,
    }
    return extract
