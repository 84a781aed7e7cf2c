"""Step S5: what the health station types into the vaccination platform.

Two ways in, as the Ministry's procedure has it: records with no ID number or a malformed one go
through the platform's Excel **import** (ID number, full name, birth date, sex); records whose ID is
well formed but whose basic information is wrong are **edited directly**, field by field, from a
list of old → new values. The values come from the village review and, over them, from the
police check (when the police list came back, only what the police verified is imported).

A record that cannot be imported yet is listed with the reason: no valid ID number after the
review and the police check, not verified by the police, a missing sex or birth date, or an ID
number that two records of the import would share.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from vaxutils import ids
from vaxutils.io import write_xlsx
from vaxutils.io.platform_template import TEMPLATE_FIELDS, write_platform_template
from vaxutils.workflow.fields import column
from vaxutils.workflow.returned import PERSON_FIELDS, screened_values

IMPORT_COLUMNS = ("record_id", "id_number", "full_name", "dob", "sex", "source")
EDIT_COLUMNS = ("record_id", "field", "old_value", "new_value", "source", "who")
LEFT_OUT_COLUMNS = ("record_id", "reason")
IMPORT_LABELS = {
    "record_id": "Mã đối tượng",
    "id_number": "Số CMND/CCCD",
    "full_name": "Họ và tên",
    "dob": "Ngày sinh",
    "sex": "Giới tính",
    "source": "Nguồn xác minh",
}
EDIT_LABELS = {
    "record_id": "Mã đối tượng",
    "field": "Thông tin cần sửa",
    "old_value": "Giá trị trên nền tảng",
    "new_value": "Giá trị đúng",
    "source": "Nguồn",
    "who": "Người xác nhận",
}
FIELD_NAMES_VI = {
    "full_name": "Họ và tên",
    "dob": "Ngày sinh",
    "sex": "Giới tính",
    "id_number": "Số CMND/CCCD",
}
VILLAGE, POLICE = "rà soát thôn", "công an xã"


@dataclass
class PlatformFiles:
    """``imports`` (the Excel import), ``edits`` (direct edits, one row per field) and
    ``left_out`` (records of the import lists that cannot be imported yet, with the reason)."""

    imports: pd.DataFrame
    edits: pd.DataFrame
    left_out: pd.DataFrame


def _final_values(records, review, police, wanted: pd.Index) -> tuple[pd.DataFrame, ...]:
    """The platform's values of each record, its values after the review and the police check,
    and for each field where the final value came from and who confirmed it."""
    rows = pd.DataFrame({"record_id": pd.array(wanted, dtype="string")})
    platform = screened_values(rows, records)
    final = platform[list(PERSON_FIELDS)].copy()
    source = pd.DataFrame(pd.NA, index=final.index, columns=list(PERSON_FIELDS), dtype="string")
    who = pd.DataFrame(pd.NA, index=final.index, columns=list(PERSON_FIELDS), dtype="string")
    steps = []
    if review is not None:
        steps.append((review[review["decision"].eq("Sửa").fillna(False)], VILLAGE, None))
    if police is not None:
        steps.append((police[police["verified"].eq("Có").fillna(False)], POLICE, "officer"))
    for frame, name, by in steps:
        values = frame.drop_duplicates("record_id").set_index("record_id").reindex(wanted)
        for f in PERSON_FIELDS:
            new = column(values, f).to_numpy()
            given = pd.notna(new)
            final.loc[given, f] = new[given]
            source.loc[given, f] = name
            if by is not None:
                who.loc[given, f] = column(values, by).to_numpy()[given]
    return platform, final.assign(record_id=rows["record_id"]), source, who


def platform_files(
    records: pd.DataFrame,
    findings: pd.DataFrame,
    review: pd.DataFrame | None = None,
    police: pd.DataFrame | None = None,
) -> PlatformFiles:
    """The import rows, the direct edits and what is left out, from screening's ``records`` and
    ``findings``, the village ``review`` (``review.parquet``) and the ``police`` check
    (``police_verified.parquet``), either of which may be missing."""
    problems = findings[findings["severity"].isin(["error", "warning"])]
    id_lists = pd.Index(
        problems.loc[problems["category"].isin(["missing_id", "id_format"]), "record_id"]
        .dropna()
        .unique()
    )
    touched = [f["record_id"] for f in (review, police) if f is not None]
    everyone = id_lists.union(
        pd.Index(pd.concat(touched).dropna().unique()) if touched else pd.Index([])
    )
    platform, final, source, who = _final_values(records, review, police, everyone)

    kind = ids.classify_ids(final["id_number"])
    valid = kind["id_kind"].isin(["cccd", "cmnd", "passport"]).to_numpy()
    final["id_number"] = kind["id_compact"].astype("string").where(valid, final["id_number"])
    to_import = final["record_id"].isin(id_lists).to_numpy()
    verified = (
        police.loc[police["verified"].eq("Có").fillna(False), "record_id"]
        if police is not None
        else None
    )
    reasons = [
        (~valid, "Chưa có số CMND/CCCD hợp lệ sau rà soát và đối chiếu."),
        (final["sex"].isna().to_numpy(), "Thiếu giới tính."),
        (final["dob"].isna().to_numpy(), "Thiếu ngày sinh."),
    ]
    if verified is not None:
        reasons.append(
            (~final["record_id"].isin(verified).to_numpy(), "Công an xã chưa xác minh người này.")
        )
    blocked = np.zeros(len(final), dtype=bool)
    notes = pd.Series(pd.NA, index=final.index, dtype="string")
    for mask, reason in reasons:
        hit = mask & to_import
        notes[hit & ~blocked] = reason  # the first reason that applies
        blocked |= hit
    shared = to_import & ~blocked & final["id_number"].duplicated(keep=False).to_numpy() & valid
    notes[shared] = (
        "Số CMND/CCCD trùng với một hồ sơ khác trong tệp nhập: kiểm tra lại trước khi nhập."
    )
    blocked |= shared
    ok = to_import & ~blocked
    imports = final.loc[ok, ["record_id", "id_number", "full_name", "dob", "sex"]].assign(
        source=source.loc[ok, "id_number"].fillna("nền tảng").to_numpy()
    )
    left_out = pd.DataFrame(
        {
            "record_id": final.loc[to_import & blocked, "record_id"],
            "reason": notes[to_import & blocked],
        }
    )

    # direct edits: records not imported whose values changed, field by field
    changed = (final[list(PERSON_FIELDS)].ne(platform[list(PERSON_FIELDS)])).fillna(
        final[list(PERSON_FIELDS)].notna()
    ).to_numpy(dtype=bool) & ~to_import[:, None]
    parts = [
        pd.DataFrame(
            {
                "record_id": final["record_id"][changed[:, i]],
                "field": FIELD_NAMES_VI[f],
                "old_value": platform[f][changed[:, i]],
                "new_value": final[f][changed[:, i]],
                "source": source[f][changed[:, i]],
                "who": who[f][changed[:, i]],
            }
        )
        for i, f in enumerate(PERSON_FIELDS)
    ]
    edits = pd.concat(parts, ignore_index=True).sort_values(["record_id", "field"], kind="stable")
    return PlatformFiles(
        imports.reset_index(drop=True).astype("string")[list(IMPORT_COLUMNS)],
        edits.reset_index(drop=True).astype("string")[list(EDIT_COLUMNS)],
        left_out.reset_index(drop=True).astype("string")[list(LEFT_OUT_COLUMNS)],
    )


def write_platform_workbooks(
    folder: str | os.PathLike, files: PlatformFiles, template: pd.DataFrame | None = None
) -> dict[str, Path]:
    """``nhap_nen_tang.xlsx`` (the import, in the platform's own template: ``template`` holds its
    rows, see :func:`vaxutils.workflow.platform_template.template_rows`; without it the import's
    ID, name, birth date and sex are laid out alone) and ``sua_truc_tiep.xlsx`` (direct edits, and
    what could not be imported yet), atomically; IDs are Text cells."""
    folder = Path(folder)
    if template is None:
        template = files.imports.assign(sex=files.imports["sex"].map({"Nam": "0", "Nữ": "1"}))
    imports = write_platform_template(
        folder / "nhap_nen_tang.xlsx",
        template[[c for c in template.columns if c in TEMPLATE_FIELDS]],
    )
    edits = write_xlsx(
        folder / "sua_truc_tiep.xlsx",
        {
            "Sửa trực tiếp": files.edits.rename(columns=EDIT_LABELS),
            "Chưa nhập được": files.left_out.rename(
                columns={"record_id": "Mã đối tượng", "reason": "Lý do"}
            ),
        },
        {
            "Sửa trực tiếp": [
                "DANH SÁCH SỬA TRỰC TIẾP TRÊN NỀN TẢNG (thông tin cũ → thông tin đúng)"
            ]
        },
        text_columns=[*EDIT_LABELS.values(), "Mã đối tượng", "Lý do"],
    )
    return {"import": imports, "edits": edits}
