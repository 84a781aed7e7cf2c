"""Step S5, the import file itself: the records to import laid out as the platform's template wants.

:mod:`vaxutils.workflow.platform` decides *which* records go through the Excel import and with
which ID, name, birth date and sex. This module fills the other columns of the platform's template
(:mod:`vaxutils.io.platform_template`) from screening's records and doses:

- sex as 0 (nam) / 1 (nữ); dates as dd/mm/yyyy text;
- the residence as names **and** codes from the platform's PL3 list (province 2 digits, district
  3, commune 5), from the record's commune code or, for a one-commune export, the commune given;
- the priority group (E) from the export when it holds a PL2 code, else ``priority_group`` (a
  default the user chooses, e.g. 15 "Người lao động tự do");
- up to four doses in ``Mũi 1`` … ``Mũi 4``: the vaccine as PL5 spells it, the date, the lot, and
  the site as a PL4 ``Mã cơ sở KCB`` resolved from the facility name (``sites``: a user's mapping
  ``{facility name: code}`` first). A facility that PL4 does not list, or lists twice, is not
  guessed: it is listed in ``unresolved_sites``.

A record that lacks a required (*) value the data cannot supply (phone, priority group, a site
code, a full birth date...) is **not** written: it goes to ``not_importable`` naming the template
columns that are missing, so the file never holds a row the platform will reject.

>>> imports = pd.DataFrame({"record_id": ["r1", "r2"], "id_number": ["004090012345", "004190012346"],
...     "full_name": ["Nông Văn Pó", "Lục Thị Mai"], "dob": ["05/03/1990", "1990"], "sex": ["Nam", "Nữ"]})
>>> records = pd.DataFrame({"record_id": ["r1", "r2"], "phone": ["0912345678", "0987654321"],
...     "commune_code": ["01420", "01420"], "village": ["Nà Giàng", None]})
>>> doses = pd.DataFrame({"record_id": ["r1"], "dose_number": [1], "product": ["AstraZeneca"],
...     "vaccine": ["AZ"], "lot": ["ABV1234"], "dose_date": pd.to_datetime(["2021-09-01"]),
...     "facility": ["01003"]})
>>> rows = template_rows(imports, records, doses, priority_group="15")
>>> rows.frame[["record_id", "sex", "priority_group", "commune_code", "vaccine_1", "site_1"]].to_dict("records")
[{'record_id': 'r1', 'sex': '0', 'priority_group': '15', 'commune_code': '01420', 'vaccine_1': 'COVID-19 Vaccine AstraZeneca', 'site_1': '01003'}]
>>> rows.not_importable[["record_id", "missing"]].to_dict("records")
[{'record_id': 'r2', 'missing': 'C (Ngày sinh dạng dd/mm/yyyy (*)), Q (Mũi 1 / Tên vắc xin (*) (Tham khảo PL5)), R (Mũi 1 / Ngày tiêm dạng dd/mm/yyyy (*)), T (Mũi 1 / Địa điểm tiêm (*) (Tham khảo PL4))'}]
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from vaxutils import dates
from vaxutils.io.platform_template import (
    DOSE_PARTS,
    REQUIRED_DOSE_PARTS,
    REQUIRED_FIELDS,
    TEMPLATE_FIELDS,
    column_letter,
    header_labels,
)
from vaxutils.refdata.platform import (
    platform_communes,
    platform_vaccine,
    priority_groups,
    site_codes,
)
from vaxutils.workflow.platform import NOT_IMPORTABLE, PlatformFiles

NOT_IMPORTABLE_COLUMNS = ("record_id", "reason", "missing")
SITE_COLUMNS = ("facility", "n_doses", "candidates", "reason")
MAX_DOSES = 4


@dataclass
class TemplateRows:
    """``frame``: ``record_id`` + :data:`TEMPLATE_FIELDS` (text), the rows to import;
    ``not_importable``: record_id, reason (Vietnamese), missing (template columns);
    ``unresolved_sites``: facility names without one PL4 code (facility, n_doses, candidates)."""

    frame: pd.DataFrame
    not_importable: pd.DataFrame
    unresolved_sites: pd.DataFrame


def _text(frame: pd.DataFrame, name: str, index) -> pd.Series:
    if name in frame.columns:
        return frame[name].astype("string").str.strip().reindex(index)
    return pd.Series(pd.NA, index=index, dtype="string")


def _dob(values: pd.Series) -> pd.Series:
    """dd/mm/yyyy when the day is known; NA otherwise (the template wants a full date)."""
    parsed = dates.parse_dates(values)
    full = parsed["precision"].eq("day").fillna(False).to_numpy()
    out = pd.Series(pd.NA, index=values.index, dtype="string")
    out[full] = parsed.loc[full, "date"].dt.strftime("%d/%m/%Y").astype("string")
    return out


def _dose_columns(
    doses: pd.DataFrame, ids: pd.Index, sites: dict | None, province: str | None
) -> tuple[dict, pd.DataFrame]:
    """Mũi 1..4 per record (by dose number, else by date) and the facilities left without a code."""
    doses = doses[doses["record_id"].isin(ids)].copy()
    number = pd.to_numeric(doses.get("dose_number"), errors="coerce")
    when = pd.to_datetime(doses.get("dose_date"), errors="coerce")
    doses = doses.assign(_n=number, _when=when).sort_values(["record_id", "_n", "_when"])
    # the k-th dose of a record in order of dose number, then date (a dose without number last)
    doses["_k"] = doses.groupby("record_id", sort=False).cumcount() + 1
    doses = doses[doses["_k"] <= MAX_DOSES]
    product = doses["product"] if "product" in doses.columns else doses.get("vaccine")
    vaccine = platform_vaccine(product.astype("string").fillna(doses["vaccine"].astype("string")))
    facility = doses["facility"].astype("string").str.strip()
    coded = site_codes(facility, sites, province)
    parts = {
        "vaccine": vaccine,
        "dose_date": when.reindex(doses.index).dt.strftime("%d/%m/%Y").astype("string"),
        "lot": doses["lot"].astype("string").str.strip() if "lot" in doses.columns else None,
        "site": coded["code"],
    }
    columns: dict[str, pd.Series] = {}
    for k in range(1, MAX_DOSES + 1):
        at = doses["_k"].eq(k).to_numpy()
        keyed = doses.loc[at, "record_id"].to_numpy()
        for part in DOSE_PARTS:
            values = parts[part]
            series = (
                pd.Series(values[at].to_numpy(), index=keyed, dtype="string")
                if values is not None
                else pd.Series(dtype="string")
            )
            columns[f"{part}_{k}"] = series.reindex(ids)
    lost = facility.notna() & coded["code"].isna()
    unresolved = (
        pd.DataFrame({"facility": facility[lost], "candidates": coded.loc[lost, "candidates"]})
        .groupby("facility", sort=True)
        .agg(n_doses=("facility", "size"), candidates=("candidates", "first"))
        .reset_index()
    )
    unresolved["reason"] = unresolved["candidates"].map(
        lambda c: (
            "Nhiều cơ sở trong PL4 trùng tên: ghi mã vào tệp ánh xạ --sites."
            if isinstance(c, str)
            else "Không tìm thấy trong PL4: ghi mã cơ sở KCB vào tệp ánh xạ --sites."
        )
    )  # one message per unique facility
    return columns, unresolved.reindex(columns=list(SITE_COLUMNS)).astype(
        {"facility": "string", "candidates": "string", "reason": "string"}
    )


def template_rows(
    imports: pd.DataFrame,
    records: pd.DataFrame,
    doses: pd.DataFrame,
    *,
    priority_group: str | None = None,
    commune: str | None = None,
    sites: dict[str, str] | None = None,
) -> TemplateRows:
    """The import rows in the template's columns, and what cannot be imported and why.

    ``imports`` is :attr:`vaxutils.workflow.platform.PlatformFiles.imports` (record_id,
    id_number, full_name, dob, sex); ``records`` and ``doses`` are screening's files.
    """
    ids = pd.Index(imports["record_id"].astype("string"))
    base = imports.set_index(imports["record_id"].astype("string"))
    rec = records.drop_duplicates("record_id").set_index(
        records["record_id"].drop_duplicates().astype("string")
    )
    codes = _text(rec, "commune_code", ids)
    if commune is not None:
        codes = codes.fillna(commune)
    place = platform_communes(codes.str.zfill(5))
    valid_groups = set(priority_groups()["code"])
    group = _text(rec, "priority_group", ids).str.replace(r"\.0$", "", regex=True)
    group = group.where(group.isin(valid_groups))
    if priority_group is not None:
        group = group.fillna(str(priority_group))
    sex = _text(base, "sex", ids).map({"Nam": "0", "Nữ": "1"}).astype("string")
    number = _text(base, "id_number", ids)
    number = number.where(number.str.fullmatch(r"\d{8}|\d{9}|\d{12}").fillna(False))
    provinces = place["province"].dropna()
    province = provinces.mode().iloc[0] if len(provinces) else None
    dose_columns, unresolved = _dose_columns(doses, ids, sites, province)
    frame = pd.DataFrame(
        {
            "record_id": ids,
            "full_name": _text(base, "full_name", ids),
            "dob": _dob(_text(base, "dob", ids)),
            "sex": sex,
            "priority_group": group,
            "phone": _text(rec, "phone", ids).where(
                _text(rec, "phone", ids).str.fullmatch(r"\d{10,11}").fillna(False)
            ),
            "id_number": number,
            "insurance_no": _text(rec, "insurance_no", ids),
            **{c: place[c] for c in place.columns},
            "address": _text(rec, "village", ids),
            **dose_columns,
        },
        index=ids,
    ).astype("string")
    labels = header_labels()
    required = [*REQUIRED_FIELDS, *(f"{p}_1" for p in REQUIRED_DOSE_PARTS)]
    missing = frame[required].isna()
    # a later dose that is there must be complete too (a dose without its site is refused)
    for k in range(2, MAX_DOSES + 1):
        present = frame[[f"{p}_{k}" for p in DOSE_PARTS]].notna().any(axis=1)
        for p in REQUIRED_DOSE_PARTS:
            missing[f"{p}_{k}"] = present & frame[f"{p}_{k}"].isna()
    blocked = missing.any(axis=1).to_numpy()
    # "C (Ngày sinh...), Q (Mũi 1 / ...)": one pass per template column, not per row
    listed = pd.Series("", index=frame.index[blocked], dtype=object)
    for c in missing.columns:
        hit = missing.loc[blocked, c].to_numpy()
        listed[hit] = listed[hit] + f", {column_letter(c)} ({labels[c]})"
    listed = listed.str.removeprefix(", ")
    not_importable = pd.DataFrame(
        {
            "record_id": frame.loc[blocked, "record_id"].to_numpy(),
            "reason": "Thiếu thông tin bắt buộc (*) của mẫu nhập nền tảng: bổ sung rồi nhập lại.",
            "missing": listed.to_numpy(),
        }
    ).astype("string")
    kept = frame.loc[~blocked].reset_index(drop=True)
    return TemplateRows(
        kept[["record_id", *[f for f in TEMPLATE_FIELDS if f in kept.columns]]],
        not_importable[list(NOT_IMPORTABLE_COLUMNS)],
        unresolved,
    )


def apply_template(files: PlatformFiles, rows: TemplateRows) -> PlatformFiles:
    """``files`` with the imports the template cannot take moved to the not-importable list (their
    outcome too), so that every record of the lists still ends in exactly one place."""
    blocked = rows.not_importable
    if blocked.empty:
        return files
    moved = files.imports["record_id"].isin(blocked["record_id"])
    left = pd.DataFrame(
        {
            "record_id": blocked["record_id"],
            "reason": blocked["reason"] + " Cột thiếu: " + blocked["missing"],
            "action": "Bổ sung thông tin còn thiếu (số điện thoại, nhóm ưu tiên --priority-group, mã cơ sở "
            "tiêm --sites...) rồi chạy lại 'vaxutils platform'.",
        }
    ).astype("string")
    outcome = files.outcome.copy()
    outcome.loc[outcome["record_id"].isin(blocked["record_id"]), "outcome"] = NOT_IMPORTABLE
    return replace(
        files,
        imports=files.imports.loc[~moved].reset_index(drop=True),
        left_out=pd.concat([files.left_out, left[list(files.left_out.columns)]], ignore_index=True),
        outcome=outcome,
    )
