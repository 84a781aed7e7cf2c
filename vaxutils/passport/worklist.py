"""The vaccine-passport worklist (S7): per facility and day, doses ready to sign or blocked.

A dose is blocked, with every reason that applies, when

* its vaccine is not one of the 8 products the passport covers, or cannot be recognised;
* the dose itself has an error (a date before the programme began, doses too close, a dose
  before the age of eligibility, ...): the dose checks of screening, run for the work day;
* its person's record is not clean yet — an error of the Ministry's three lists (no ID, malformed
  ID, wrong basic information) or an ID shared by different people — unless the facility signs
  without the cleaning steps (Ministry, other ministries, province and district levels: S8);
* its record is the duplicate of another record of the same person, waiting to be merged (S5's
  merge list, else screening's duplicate groups): it is signed on the record kept, once merged.

A site is exempt (S8) by the first rule that knows it, and the list says which (``exempt_rule``):
the user's mapping file (facility name or site code → level), the export's ``Tuyến`` column, the
site code of the platform's PL4 list (its listed name then tells the level), the facility's name (DESIGN §3.5: "Trung tâm Y tế huyện …", "Bệnh viện Đa khoa tỉnh …", "Bệnh viện
Quân y …"). The doses of records pending a merge are numbered over the person's merged history.

Doses without a date or a dose number, a dose number repeated for one record and a dose out of
date order cannot be placed on a list to sign (the certificate would list them wrongly); they stay
in screening's findings and are counted as left out.

>>> READY, BLOCKED
('sẵn sàng ký', 'bị chặn')
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from vaxutils.io import write_xlsx
from vaxutils.io.cells import text_column
from vaxutils.refdata import (
    exempt_levels,
    facility_level_from_code,
    facility_level_from_name,
    facility_level_lookup,
    vaccines,
)
from vaxutils.schema import CATEGORY_LABELS_VI
from vaxutils.screen import catalogue
from vaxutils.screen.doses import dose_issues

READY, BLOCKED = "sẵn sàng ký", "bị chặn"
NO_FACILITY = "Không rõ cơ sở tiêm"
WORKLIST_COLUMNS = (
    "facility",
    "work_date",
    "record_id",
    "dose_number",
    "dose_date",
    "product",
    "lot",
    "full_name",
    "dob",
    "id_number",
    "status",
    "reason",
    "source_row",
    "exempt_rule",
)
RULE_MAPPING, RULE_LEVEL, RULE_CODE, RULE_NAME = (
    "tệp ánh xạ cơ sở",
    "cột Tuyến",
    "mã cơ sở (PL4)",
    "tên cơ sở",
)
# Record problems that keep a person's doses from being signed (severity error).
_BLOCKING_CATEGORIES = ("missing_id", "id_format", "personal_info", "duplicate")
_LABELS_VI = {
    "facility": "Cơ sở tiêm",
    "work_date": "Ngày ký",
    "record_id": "Mã đối tượng",
    "dose_number": "Mũi",
    "dose_date": "Ngày tiêm",
    "product": "Vắc xin",
    "lot": "Số lô",
    "full_name": "Họ và tên",
    "dob": "Ngày sinh",
    "id_number": "Số CMND/CCCD",
    "status": "Trạng thái",
    "reason": "Lý do bị chặn",
    "source_row": "Dòng trong tệp xuất",
    "exempt_rule": "Miễn làm sạch (S8) theo",
}


def exempt_sites(
    d: pd.DataFrame, sites: pd.DataFrame | None = None
) -> tuple[np.ndarray, pd.Series]:
    """Per dose: is its site exempt from the cleaning steps (S8), and by which rule (NA if not).

    ``sites`` is a user's mapping (``facility``: a site name or code as the export writes it,
    ``level``: "Tuyến huyện", "Bộ Y tế", "Xã"...); it wins over the export's ``Tuyến`` column,
    which wins over the facility's name.
    """
    n = len(d)
    exempt = exempt_levels()
    facility = text_column(d, "facility").str.strip()
    level = pd.Series(pd.NA, index=d.index, dtype="string")
    rule = pd.Series(pd.NA, index=d.index, dtype="string")
    if sites is not None and len(sites):
        mapped = dict(
            zip(
                sites["facility"].astype("string").str.strip().str.casefold(),
                facility_level_lookup(sites["level"].astype("string")),
                strict=True,
            )
        )
        from_user = facility.str.casefold().map(mapped).astype("string")
        level, rule = from_user, rule.mask(from_user.notna(), RULE_MAPPING)
    if "level" in d.columns:
        given = text_column(d, "level")
    else:
        given = facility_level_lookup(text_column(d, "facility_level"))
    if "exempt_from_cleaning" in d.columns:  # screening's answer from the Tuyến column
        flagged = d["exempt_from_cleaning"].fillna(False).to_numpy(dtype=bool)
        given = given.mask(flagged & given.isna().to_numpy(), "district")
    use = level.isna() & given.notna()
    level, rule = level.mask(use, given), rule.mask(use, RULE_LEVEL)
    by_code = facility_level_from_code(facility)
    use = level.isna() & by_code.notna()
    level, rule = level.mask(use, by_code), rule.mask(use, RULE_CODE)
    by_name = facility_level_from_name(facility)
    use = level.isna() & by_name.notna()
    level, rule = level.mask(use, by_name), rule.mask(use, RULE_NAME)
    is_exempt = (
        level.isin(list(exempt)).fillna(False).to_numpy(dtype=bool) if n else np.zeros(0, bool)
    )
    return is_exempt, rule.where(is_exempt)


def pending_merges(findings: pd.DataFrame, merges: pd.DataFrame | None = None) -> pd.Series:
    """``{record merged away: record kept}``: S5's merge list (``gop_trung.csv``) when given, else
    screening's duplicate groups (one person on several records; the smallest record id stays)."""
    if merges is not None:
        pairs = merges.dropna(subset=["record_id", "keep_record_id"])
        return pd.Series(
            pairs["keep_record_id"].astype("string").to_numpy(),
            index=pairs["record_id"].astype("string").to_numpy(),
            dtype="string",
        )
    if not {"code", "related"} <= set(findings.columns):
        return pd.Series(dtype="string")
    same = findings[findings["code"].eq("duplicate_person") & findings["related"].notna()]
    if same.empty:
        return pd.Series(dtype="string")
    related = same["related"].astype("string").str.split(r"[,;]\s*")
    pairs = pd.DataFrame(
        {"record_id": same["record_id"].astype("string"), "other": related}
    ).explode("other")
    pairs["other"] = pairs["other"].str.strip()
    keep = (
        pairs.assign(
            keep=np.minimum(
                pairs["record_id"].to_numpy(dtype=object), pairs["other"].to_numpy(dtype=object)
            )
        )
        .groupby("record_id")["keep"]
        .min()
    )
    return keep[keep.index != keep.to_numpy()].astype("string")


def _signable(
    d: pd.DataFrame, found: pd.DataFrame, work_date: date, since: date | None
) -> np.ndarray:
    """Doses that can be on the list: dated by the work day (from ``since``), numbered, once,
    and in date order with the record's other doses."""
    day = pd.to_datetime(d["dose_date"], errors="coerce")
    keep = day.notna() & (day <= pd.Timestamp(work_date)) & d["dose_number"].notna()
    disordered = found.loc[found["code"].eq("dose_out_of_order"), "dose_row"]
    keep &= ~pd.Series(np.arange(len(d))).isin(disordered.to_numpy(dtype=np.int64)).to_numpy()
    if since is not None:
        keep &= day >= pd.Timestamp(since)
    first = ~d[["record_id", "dose_number"]].duplicated(keep="first")
    return (keep & first).to_numpy(dtype=bool)


def _product_reasons(d: pd.DataFrame) -> pd.DataFrame:
    passport = set(vaccines().query("passport")["product"])
    product = text_column(d, "product")
    unknown = product.isna()
    other = product.notna() & ~product.isin(passport)
    vaccine = text_column(d, "vaccine").fillna("")
    return pd.concat(
        [
            pd.DataFrame(
                {"dose_row": np.flatnonzero(unknown), "reason": "Không nhận ra tên vắc xin: '"
                 + vaccine[unknown] + "'"}
            ),
            pd.DataFrame(
                {"dose_row": np.flatnonzero(other), "reason": "Vắc xin " + product[other]
                 + " không thuộc danh mục cấp hộ chiếu vắc xin"}
            ),
        ]
    )  # fmt: skip


def _dose_reasons(found: pd.DataFrame) -> pd.DataFrame:
    severity = catalogue.load()["severity"]
    errors = found[found["code"].map(severity).eq("error").to_numpy()]
    messages = catalogue.load()["message_vi"]
    return pd.DataFrame(
        {
            "dose_row": errors["dose_row"].to_numpy(dtype=np.int64),
            "reason": errors["code"].map(messages).to_numpy(dtype=object),
        }
    )


def _record_reasons(
    d: pd.DataFrame, findings: pd.DataFrame, exempt: np.ndarray, merged: pd.Series
) -> pd.DataFrame:
    wrong = findings[
        findings["category"].isin(_BLOCKING_CATEGORIES) & findings["severity"].eq("error")
    ]
    labels = (
        wrong.assign(label=wrong["category"].map(CATEGORY_LABELS_VI))
        .drop_duplicates(["record_id", "label"])
        .groupby("record_id")["label"]
        .agg("; ".join)
    )
    rid = text_column(d, "record_id")
    # a duplicate waiting to be merged is its kept record's business: its own "duplicate" finding
    # does not block the kept record, the merge does (below)
    # as text even when no record is blocked: an empty map is float, and "..." + float raises
    why = rid.map(labels).astype("string")
    blocked = why.notna().to_numpy() & ~exempt
    into = rid.map(merged).astype("string")
    waiting = into.notna().to_numpy()
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "dose_row": np.flatnonzero(blocked),
                    "reason": ("Hồ sơ người tiêm chưa làm sạch: " + why[blocked]).to_numpy(dtype=object),
                }
            ),
            pd.DataFrame(
                {
                    "dose_row": np.flatnonzero(waiting),
                    "reason": (
                        "Hồ sơ trùng, chờ gộp vào hồ sơ " + into[waiting]
                        + ": ký trên hồ sơ giữ lại sau khi gộp"
                    ).to_numpy(dtype=object),
                }
            ),
        ]
    )  # fmt: skip


def passport_worklist(
    doses: pd.DataFrame,
    records: pd.DataFrame,
    findings: pd.DataFrame,
    *,
    work_date: date,
    since: date | None = None,
    merges: pd.DataFrame | None = None,
    sites: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The worklist of every facility for ``work_date``: doses given on or before it (from
    ``since`` when given), each ready to sign or blocked with its reasons.

    ``doses``, ``records`` and ``findings`` are screening's (``doses.parquet``, ``records.parquet``,
    ``findings.parquet``). ``merges`` is S5's merge list (``gop_trung.csv``: ``record_id``,
    ``keep_record_id``); ``sites`` a user's site mapping (see :func:`exempt_sites`). Rows are
    sorted by facility, status (blocked first) and dose date.
    """
    d = doses.reset_index(drop=True)
    found = dose_issues(d, records, work_date, with_dose_row=True)
    exempt, rule = exempt_sites(d, sites)
    merged = pending_merges(findings, merges)
    reasons = pd.concat(
        [_product_reasons(d), _dose_reasons(found), _record_reasons(d, findings, exempt, merged)],
        ignore_index=True,
    ).drop_duplicates()
    # one join per blocked dose, not per row of the list
    joined = reasons.groupby("dose_row")["reason"].agg("; ".join)
    person = records.drop_duplicates("record_id").set_index("record_id")
    who = person.reindex(text_column(d, "record_id").to_numpy())
    table = pd.DataFrame(
        {
            "facility": text_column(d, "facility").fillna(NO_FACILITY),
            "work_date": pd.Timestamp(work_date),
            "record_id": text_column(d, "record_id"),
            "dose_number": d["dose_number"].astype("Int64"),
            "dose_date": pd.to_datetime(d["dose_date"], errors="coerce"),
            "product": text_column(d, "product"),
            "lot": text_column(d, "lot"),
            "full_name": text_column(who, "full_name").to_numpy(),
            "dob": pd.to_datetime(who["dob"], errors="coerce").to_numpy()
            if "dob" in who.columns
            else pd.NaT,
            "id_number": text_column(who, "id_compact")
            .fillna(text_column(who, "id_raw"))
            .to_numpy(),
            "reason": joined.reindex(np.arange(len(d))).astype("string").to_numpy(),
            "source_row": d["source_row"].astype("Int64") if "source_row" in d else pd.NA,
            "exempt_rule": rule.to_numpy(),
        }
    )
    table["dose_number"] = _merged_numbers(table, merged)
    table["status"] = np.where(table["reason"].notna(), BLOCKED, READY)
    table = table[_signable(d, found, work_date, since)]
    table = table.sort_values(
        ["facility", "status", "dose_date", "record_id"], ascending=[True, True, True, True]
    )
    return table[list(WORKLIST_COLUMNS)].reset_index(drop=True)


def _merged_numbers(table: pd.DataFrame, merged: pd.Series) -> pd.Series:
    """Dose numbers over a person's merged history: the records of one person pending a merge
    are one history, numbered by date (a booster on the duplicate is not its "Mũi 1")."""
    person = table["record_id"].map(merged).astype("string").fillna(table["record_id"])
    grouped = person.isin(pd.Index(merged.to_numpy())) | table["record_id"].isin(merged.index)
    if not grouped.any():
        return table["dose_number"]
    mine = table[grouped.to_numpy()].assign(_person=person[grouped])
    order = mine.sort_values(["_person", "dose_date", "dose_number"], kind="stable")
    renumbered = order.groupby("_person").cumcount().add(1).astype("Int64")
    numbers = table["dose_number"].copy()
    numbers[renumbered.index] = renumbered
    return numbers


def write_passport_workbook(path: str | os.PathLike, worklist: pd.DataFrame) -> Path:
    """One sheet per facility (blocked doses first), atomically; returns the path."""
    sheets, titles = {}, {}
    for facility, rows in worklist.groupby("facility", sort=True):
        day = rows["work_date"].iloc[0]
        ready = int(rows["status"].eq(READY).sum())
        shown = rows.drop(columns=["facility", "work_date"]).assign(
            dose_date=rows["dose_date"].dt.strftime("%d/%m/%Y"),
            dob=rows["dob"].dt.strftime("%d/%m/%Y"),
        )
        sheets[facility] = shown.rename(columns=_LABELS_VI)
        titles[facility] = [
            f"DANH SÁCH KÝ XÁC NHẬN HỘ CHIẾU VẮC XIN — {facility} — ngày {day:%d/%m/%Y}",
            f"{ready} mũi sẵn sàng ký, {len(rows) - ready} mũi bị chặn (xem cột Lý do bị chặn).",
        ]
    if not sheets:
        sheets = {"Không có mũi tiêm": pd.DataFrame({"Ghi chú": ["Không có mũi tiêm nào cần ký."]})}
    return write_xlsx(path, sheets, titles)
