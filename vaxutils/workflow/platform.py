"""Step S5: what the health station does on the vaccination platform, one decision per record.

Every record on a list (the village review, the police check, the Ministry's lists of no ID and
malformed ID) ends this step in exactly one place, so nothing is lost silently:

=====================  ==========================================================================
``nhập Excel``         no ID or a malformed one: the platform's Excel **import** (ID, name, birth
                       date, sex) once the ID is valid (and verified, when the police list came back)
``sửa trực tiếp``      the ID is well formed but the basic information is wrong: **direct edits**,
                       field by field, old value (as the platform holds it) → new value
``gộp hồ sơ``          one person on two records ("Trùng" of the village, or the police found both
                       to be the same citizen): the **merge list**, record to keep and doses to move
``loại khỏi danh sách``  died, moved away, not a resident: the **removal list** with the platform
                       action
``chưa nhập được``     cannot be done yet: the **not-importable list**, with the reason and what to do
``đã đúng``            the village or the police confirmed the record as it is: nothing to change
=====================  ==========================================================================

Values come from screening's proposal (a legacy-font name decoded, a date written dd/mm/yyyy) once
the village accepted it ("Đúng") or corrected it ("Sửa"), and, over them, from the police check.
A record whose row failed the checks at S2 or S4 is never given those values: it is held back
(``held_back``) with the place of its problem.

>>> OUTCOMES[:3]
('nhập Excel', 'sửa trực tiếp', 'gộp hồ sơ')
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from vaxutils import dates, ids, sex
from vaxutils.io import write_xlsx
from vaxutils.io.platform_template import TEMPLATE_FIELDS, write_platform_template
from vaxutils.text import legacy, names
from vaxutils.workflow.fields import column
from vaxutils.workflow.returned import CORRECTABLE_FIELDS, platform_values, screened_values
from vaxutils.workflow.review.columns import CORRECT, DEAD, DUPLICATE, FIX, MOVED, NOT_LOCAL
from vaxutils.workflow.review.workbook import flagged_records

IMPORT, EDIT, MERGE, REMOVAL, NOT_IMPORTABLE, CONFIRMED = (
    "nhập Excel",
    "sửa trực tiếp",
    "gộp hồ sơ",
    "loại khỏi danh sách",
    "chưa nhập được",
    "đã đúng",
)
OUTCOMES: tuple[str, ...] = (IMPORT, EDIT, MERGE, REMOVAL, NOT_IMPORTABLE, CONFIRMED)
IMPORT_COLUMNS = ("record_id", "id_number", "full_name", "dob", "sex", "source")
EDIT_COLUMNS = ("record_id", "field", "old_value", "new_value", "source", "who")
LEFT_OUT_COLUMNS = ("record_id", "reason", "action")
MERGE_COLUMNS = (
    "record_id",
    "keep_record_id",
    "doses_to_move",
    "differences",
    "source",
    "who",
)
REMOVAL_COLUMNS = ("record_id", "decision", "platform_action", "note", "who")
OUTCOME_COLUMNS = ("record_id", "outcome")
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
LEFT_OUT_LABELS = {"record_id": "Mã đối tượng", "reason": "Lý do", "action": "Cần làm"}
MERGE_LABELS = {
    "record_id": "Mã đối tượng (hồ sơ trùng, gộp đi)",
    "keep_record_id": "Mã đối tượng giữ lại",
    "doses_to_move": "Mũi tiêm chuyển sang hồ sơ giữ lại",
    "differences": "Thông tin khác nhau (giá trị được giữ)",
    "source": "Nguồn",
    "who": "Người xác nhận",
}
REMOVAL_LABELS = {
    "record_id": "Mã đối tượng",
    "decision": "Kết luận",
    "platform_action": "Việc cần làm trên nền tảng",
    "note": "Ghi chú",
    "who": "Người xác nhận",
}
FIELD_NAMES_VI = {
    "full_name": "Họ và tên",
    "dob": "Ngày sinh",
    "sex": "Giới tính",
    "id_number": "Số CMND/CCCD",
}
VILLAGE, POLICE = "rà soát thôn", "công an xã"
PLATFORM_ACTIONS = {
    DEAD: "Cập nhật trạng thái 'Đã mất' cho đối tượng; giữ nguyên lịch sử tiêm, không ký hộ chiếu mới.",
    MOVED: "Cập nhật nơi ở mới (chuyển đối tượng về xã nơi cư trú mới); không xóa mũi tiêm.",
    NOT_LOCAL: "Báo cơ sở đã tiêm xác minh và chuyển đối tượng về nơi cư trú thực tế; không xóa mũi "
    "tiêm, không nhập lại ở xã.",
}
NOT_IN_DATABASE = "Không có trong CSDL dân cư."
_VALID_KINDS = ["cccd", "cmnd", "passport"]


@dataclass
class PlatformFiles:
    """One table per place a record can end in (see the module docstring), and ``outcome``: one
    row per record of the lists with the place it went to (``unplaced``: those in none)."""

    imports: pd.DataFrame
    edits: pd.DataFrame
    left_out: pd.DataFrame
    merges: pd.DataFrame
    removals: pd.DataFrame
    confirmed: pd.DataFrame
    outcome: pd.DataFrame
    listed: pd.Index

    @property
    def counts(self) -> dict[str, int]:
        """Records per outcome, in :data:`OUTCOMES` order."""
        found = self.outcome["outcome"].value_counts()
        return {o: int(found.get(o, 0)) for o in OUTCOMES}

    @property
    def unplaced(self) -> pd.Index:
        """Records of the lists that are in no file (an empty index when all is well)."""
        return self.listed.difference(pd.Index(self.outcome["record_id"]))


# --- comparing with what the platform holds ---------------------------------------------------


def _name_changed(raw: pd.Series, final: pd.Series) -> np.ndarray:
    """A name differs when it reads differently (case, spacing, Unicode form and tone placement
    aside), when the platform holds it in a legacy font, or with Ð for Đ."""
    legacy_font = legacy.detect_series(raw).notna().to_numpy()
    lookalike = raw.str.contains("Ð|ð", regex=True).fillna(False).to_numpy(dtype=bool)
    key_raw, key_final = names.match_key_series(raw), names.match_key_series(final)
    differs = key_raw.ne(key_final).fillna(key_raw.isna() & key_final.notna()).to_numpy(dtype=bool)
    return differs | ((legacy_font | lookalike) & final.notna().to_numpy())


def _changed(platform: pd.DataFrame, final: pd.DataFrame) -> pd.DataFrame:
    """Which field of each record must change on the platform (a value is never blanked)."""
    out = {"full_name": _name_changed(platform["full_name"], final["full_name"])}
    a, b = dates.parse_dates(platform["dob"]), dates.parse_dates(final["dob"])
    same_dob = a["date"].eq(b["date"]).fillna(False) & a["precision"].eq(b["precision"]).fillna(
        False
    )
    out["dob"] = ~same_dob.to_numpy(dtype=bool)
    out["sex"] = (
        sex.normalize_series(platform["sex"])
        .astype("string")
        .ne(final["sex"])
        .fillna(True)
        .to_numpy(dtype=bool)
    )
    raw_id = ids.classify_ids(platform["id_number"])["id_compact"].astype("string")
    raw_id = raw_id.fillna(platform["id_number"].str.strip())
    out["id_number"] = raw_id.ne(final["id_number"]).fillna(True).to_numpy(dtype=bool)
    given = final[list(CORRECTABLE_FIELDS)].notna().to_numpy()
    return pd.DataFrame(out, index=final.index)[list(CORRECTABLE_FIELDS)] & given


# --- the values after the review and the police -----------------------------------------------


def _by_record(frame: pd.DataFrame | None, wanted: pd.Index) -> pd.DataFrame:
    if frame is None:
        return pd.DataFrame(index=wanted)
    return frame.drop_duplicates("record_id").set_index("record_id").reindex(wanted)


def _final_values(records, review, police, rows, id_flagged) -> tuple[pd.DataFrame, ...]:
    """The platform's values of each record, its values after the review and the police check,
    and for each field where the final value came from and who confirmed it."""
    wanted = pd.Index(rows["record_id"])
    platform = platform_values(rows, records)
    proposed = screened_values(rows, records)
    final = platform[list(CORRECTABLE_FIELDS)].copy()
    source = pd.DataFrame(
        pd.NA, index=final.index, columns=list(CORRECTABLE_FIELDS), dtype="string"
    )
    who = source.copy()
    village = _by_record(review, wanted)
    said = pd.Series(column(village, "decision").to_numpy(), dtype="string")
    reviewer = (
        column(village, "reviewer").fillna("Tổ " + column(village, "village").fillna("thôn"))
        if len(village.columns)
        else pd.Series(pd.NA, index=wanted, dtype="string")
    ).to_numpy()
    police_rows = _by_record(police, wanted)
    verified = column(police_rows, "verified").eq("Có").fillna(False).to_numpy(dtype=bool)
    # screening's proposal (decoded name, dd/mm/yyyy) once a person accepted the record
    by_team = said.isin([CORRECT, FIX]).to_numpy(dtype=bool)
    accepted = by_team | verified
    for f in CORRECTABLE_FIELDS:
        take = accepted & proposed[f].notna().to_numpy()
        final.loc[take, f] = proposed.loc[take, f]
        by_village = take & by_team
        source.loc[by_village, f] = VILLAGE
        who.loc[by_village, f] = reviewer[by_village]
    fixing = said.eq(FIX).fillna(False).to_numpy(dtype=bool)
    officer = column(police_rows, "officer").to_numpy()
    # a valid CMND nobody questioned stays: the police writing the person's 12-digit number is
    # an upgrade, not a correction, and a correct record is not rewritten
    platform_kind = ids.classify_ids(platform["id_number"])["id_kind"].to_numpy(dtype=object)
    village_id = column(village, "id_number").to_numpy() if "id_number" in village.columns else None
    village_changed_id = (
        fixing & pd.notna(village_id) if village_id is not None else np.zeros(len(final), bool)
    )
    keep_cmnd = (
        (platform_kind == "cmnd") & ~np.asarray(id_flagged, dtype=bool) & ~village_changed_id
    )
    for frame, name, mask, by in (
        (village, VILLAGE, fixing, reviewer),
        (police_rows, POLICE, verified, officer),
    ):
        for f in CORRECTABLE_FIELDS:
            new = column(frame, f).to_numpy() if f in frame.columns else np.full(len(final), pd.NA)
            given = mask & pd.notna(new)
            if name == POLICE and f == "id_number":
                given &= ~keep_cmnd
            final.loc[given, f] = new[given]
            source.loc[given, f] = name
            who.loc[given, f] = by[given]
    return platform, final, source, who


def _merge_targets(duplicate_of: pd.Series) -> pd.Series:
    """``{record merged away: record kept}`` from "A duplicates B" links.

    Links chain (A→B→C: both into C); of a cycle (A→B, B→A) the smallest record id stays.
    A commune has a few dozen links: plain Python over them.

    >>> _merge_targets(pd.Series({"A": "B", "B": "C", "D": "E", "E": "D", "F": None})).to_dict()
    {'A': 'C', 'B': 'C', 'E': 'D'}
    """
    link = {a: b for a, b in duplicate_of.dropna().items() if a != b}
    out = {}
    for start in link:
        seen, node = [start], link[start]
        while node in link and node not in seen:
            seen.append(node)
            node = link[node]
        keep = min(seen[seen.index(node) :]) if node in seen else node
        if keep != start:
            out[start] = keep
    return pd.Series(out, dtype="string")


def _doses_text(doses: pd.DataFrame | None, record_ids: pd.Series) -> pd.Series:
    """Per record, its doses as a person finds them on the platform ("Mũi 2 ngày 01/09/2021")."""
    if doses is None or not len(doses):
        return pd.Series(pd.NA, index=record_ids.index, dtype="string")
    mine = doses[doses["record_id"].isin(record_ids)]
    day = (
        pd.to_datetime(mine["dose_date"], errors="coerce").dt.strftime("%d/%m/%Y").astype("string")
    )
    number = pd.to_numeric(mine["dose_number"], errors="coerce").astype("Int64").astype("string")
    number = number.fillna("?")
    text = ("Mũi " + number + " ngày " + day.fillna("?")).rename("text")
    joined = pd.concat([mine["record_id"], text], axis=1).groupby("record_id")["text"]
    return record_ids.map(joined.agg("; ".join)).astype("string")


def held_back_rows(problems: pd.DataFrame, step: str, file: str) -> pd.DataFrame:
    """The records whose row of a returned list has an error: ``record_id``, ``where`` (step,
    file, sheet, row, column) and ``message`` — what ``platform --partial`` leaves out."""
    errors = problems[problems["severity"].eq("error") & problems["record_id"].notna()]
    where = (
        f"{step}, tệp {file}, trang '"
        + errors["sheet"].astype("string").fillna("?")
        + "' dòng "
        + errors["row"].astype("string").fillna("?")
        + ", cột '"
        + errors["column"].astype("string").fillna("?")
        + "'"
    )
    return pd.DataFrame(
        {"record_id": errors["record_id"], "where": where, "message": errors["message"]}
    ).drop_duplicates("record_id")


def platform_files(
    records: pd.DataFrame,
    findings: pd.DataFrame,
    review: pd.DataFrame | None = None,
    police: pd.DataFrame | None = None,
    *,
    doses: pd.DataFrame | None = None,
    held_back: pd.DataFrame | None = None,
) -> PlatformFiles:
    """One decision per record of the lists, from screening's ``records`` and ``findings``, the
    village ``review`` (``review.parquet``), the ``police`` check (``police_verified.parquet``),
    either of which may be missing, ``doses`` (``doses.parquet``: the doses a merge moves) and
    ``held_back`` (:func:`held_back_rows`: records whose S2/S4 row failed; their values unused)."""
    problems = findings[findings["severity"].isin(["error", "warning"])]
    id_lists = pd.Index(
        problems.loc[problems["category"].isin(["missing_id", "id_format"]), "record_id"]
        .dropna()
        .unique()
    )
    held = (
        held_back
        if held_back is not None
        else pd.DataFrame({"record_id": [], "where": [], "message": []})
    )
    # a record held back by both the village review and the police list: its first step says why
    held = held.dropna(subset=["record_id"]).drop_duplicates("record_id")
    held_ids = pd.Index(held["record_id"].dropna().astype("string").unique())
    review = None if review is None else review[~review["record_id"].isin(held_ids)]
    police = None if police is None else police[~police["record_id"].isin(held_ids)]
    touched = [f["record_id"] for f in (review, police) if f is not None]
    listed = (
        flagged_records(findings)
        .union(id_lists)
        .union(pd.Index(pd.concat(touched).dropna().unique()) if touched else pd.Index([]))
        .union(held_ids)
    )
    listed = pd.Index(listed.astype("string"), name="record_id")
    rows = pd.DataFrame({"record_id": pd.array(listed, dtype="string")})
    id_problems = problems.loc[problems["field"].eq("id_number").fillna(False), "record_id"]
    id_flagged = rows["record_id"].isin(id_problems).to_numpy()
    platform, final, source, who = _final_values(records, review, police, rows, id_flagged)
    final["record_id"] = rows["record_id"]
    kind = ids.classify_ids(final["id_number"])
    valid = kind["id_kind"].isin(_VALID_KINDS).to_numpy()
    final["id_number"] = kind["id_compact"].astype("string").where(valid, final["id_number"])

    village = _by_record(review, listed)
    decision = pd.Series(column(village, "decision").to_numpy(), index=rows.index, dtype="string")
    police_rows = _by_record(police, listed)
    verdict = pd.Series(
        column(police_rows, "verified").to_numpy(), index=rows.index, dtype="string"
    )

    outcome = pd.Series(pd.NA, index=rows.index, dtype="string")
    reason = pd.Series(pd.NA, index=rows.index, dtype="string")
    action = pd.Series(pd.NA, index=rows.index, dtype="string")

    def settle(mask, where, why=None, todo=None) -> None:
        hit = np.asarray(mask, dtype=bool) & outcome.isna().to_numpy()
        outcome[hit] = where
        if why is not None:
            reason[hit] = why if isinstance(why, str) else why[hit]
            action[hit] = todo if isinstance(todo, str) else todo[hit]

    # 1. a row that failed at S2/S4 (platform --partial): nothing of it is used
    held_info = held.set_index("record_id").reindex(listed)
    settle(
        rows["record_id"].isin(held_ids).to_numpy(),
        NOT_IMPORTABLE,
        ("Kết quả " + held_info["where"].astype("string") + " có lỗi: "
         + held_info["message"].astype("string")).to_numpy(dtype=object),
        "Sửa dòng đó trong tệp gửi lại, chạy lại bước đó rồi chạy lại 'vaxutils platform'.",
    )  # fmt: skip
    # 2. died, moved, not a resident
    removed = decision.isin(list(PLATFORM_ACTIONS)).to_numpy()
    settle(removed, REMOVAL)
    # 3. duplicates: the village's "Trùng" and records the police found to be one citizen
    duplicate_of = pd.Series(
        column(village, "duplicate_of").to_numpy() if "duplicate_of" in village.columns else pd.NA,
        index=listed,
        dtype="string",
    ).where(decision.eq(DUPLICATE).fillna(False).to_numpy())
    merge_source = pd.Series(VILLAGE, index=listed, dtype="string")
    is_verified = verdict.eq("Có").fillna(False).to_numpy(dtype=bool)
    same_citizen = final.loc[is_verified & valid & outcome.isna().to_numpy()]
    twins = same_citizen[same_citizen["id_number"].duplicated(keep=False)]
    for _, group in twins.groupby("id_number"):  # a handful of pairs per commune
        group_ids = group["record_id"].tolist()
        # the record already carrying this number on the platform stays, else the first
        carrying = [r for r in group_ids if r not in set(id_lists)]
        keep = (carrying or sorted(group_ids))[0]
        for r in group_ids:
            if r != keep and pd.isna(duplicate_of.get(r)):
                duplicate_of[r] = keep
                merge_source[r] = POLICE
    targets = _merge_targets(duplicate_of)
    merged = rows["record_id"].isin(targets.index).to_numpy()
    settle(merged, MERGE)
    # 4. the police did not find the person
    settle(
        verdict.eq("Không").fillna(False).to_numpy(dtype=bool),
        NOT_IMPORTABLE,
        NOT_IN_DATABASE,
        "Xác minh lại với người dân và công an xã (giấy khai sinh, CCCD); người nước ngoài ghi số hộ "
        "chiếu. Chưa nhập khi chưa có trong CSDL dân cư.",
    )
    # 5. an ID number another record (kept) would also carry
    gone = set(targets.index) | set(rows["record_id"][removed])
    others = records[~records["record_id"].isin(listed)]
    holders = pd.concat(
        [
            pd.DataFrame(
                {"record_id": others["record_id"], "id_number": column(others, "id_compact")}
            ),
            final.loc[valid & ~rows["record_id"].isin(gone).to_numpy(), ["record_id", "id_number"]],
        ]
    ).dropna()
    holders = holders[holders["id_number"].duplicated(keep=False)]
    first_other = holders.groupby("id_number")["record_id"].agg(lambda r: ", ".join(sorted(r)))
    shared = rows["record_id"].isin(holders["record_id"]).to_numpy()
    settle(
        shared,
        NOT_IMPORTABLE,
        ("Số CMND/CCCD " + final["id_number"] + " trùng với hồ sơ khác (các hồ sơ "
         + final["id_number"].map(first_other).astype("string").fillna("?") + ").").to_numpy(dtype=object),
        "Kiểm tra lại với thôn và công an: nếu là một người, ghi 'Trùng' với mã hồ sơ còn lại; nếu "
        "là hai người, sửa số của người ghi sai.",
    )  # fmt: skip
    # 6. the Excel import for no ID or a malformed one
    to_import = rows["record_id"].isin(id_lists).to_numpy()
    undecided = decision.isna().to_numpy() & (review is not None) & ~verdict.notna().to_numpy()
    not_sent = ~rows["record_id"].isin(village.dropna(how="all").index).to_numpy()
    checks = [
        (
            undecided & ~not_sent,
            "Thôn chưa có kết luận cho hồ sơ này.",
            "Gửi lại thôn rà soát (sổ rà soát, cột 'Kết luận của tổ').",
        ),
        (
            undecided & not_sent,
            "Hồ sơ không có trong sổ rà soát thôn gửi lại.",
            "Hỏi lại thôn; chạy lại 'vaxutils review in' với sổ đủ các trang.",
        ),
        (
            ~valid,
            "Chưa có số CMND/CCCD hợp lệ sau rà soát và đối chiếu.",
            "Công an xã tra số định danh cá nhân trong CSDL dân cư; trẻ em chưa có số: chờ đăng ký khai sinh.",
        ),
        (final["sex"].isna().to_numpy(), "Thiếu giới tính.", "Thôn hoặc công an ghi giới tính."),
        (final["dob"].isna().to_numpy(), "Thiếu ngày sinh.", "Thôn hoặc công an ghi ngày sinh."),
    ]
    if police is not None:
        checks.append(
            (
                ~is_verified,
                "Công an xã chưa xác minh người này.",
                "Gửi công an xã đối chiếu (vaxutils police out) rồi nhận lại.",
            )
        )
    for mask, why, todo in checks:
        settle(to_import & mask, NOT_IMPORTABLE, why, todo)
    settle(to_import, IMPORT)
    # 7. direct edits and records confirmed as they are
    changed = _changed(platform, final).to_numpy()
    # never write an ID that is not valid, whatever let it through
    settle(
        changed[:, CORRECTABLE_FIELDS.index("id_number")] & ~valid,
        NOT_IMPORTABLE,
        "Số CMND/CCCD mới chưa hợp lệ.",
        "Ghi lại số đúng (12 chữ số, dạng văn bản) trong sổ rà soát hoặc danh sách công an.",
    )
    settle(changed.any(axis=1), EDIT)
    confirmed = decision.eq(CORRECT).fillna(False).to_numpy(dtype=bool) | is_verified
    confirmed |= decision.eq(FIX).fillna(False).to_numpy(dtype=bool)
    settle(confirmed, CONFIRMED)
    for mask, why, todo in checks[:2]:
        settle(mask, NOT_IMPORTABLE, why, todo)
    settle(
        np.ones(len(rows), dtype=bool),
        NOT_IMPORTABLE,
        "Chưa có kết quả rà soát hay đối chiếu cho hồ sơ này.",
        "Gửi thôn rà soát (vaxutils review out) hoặc công an xã đối chiếu.",
    )

    ok = outcome.eq(IMPORT).to_numpy(dtype=bool)
    imports = final.loc[ok, ["record_id", "id_number", "full_name", "dob", "sex"]].assign(
        source=source.loc[ok, "id_number"].fillna("nền tảng").to_numpy()
    )
    left = outcome.eq(NOT_IMPORTABLE).to_numpy(dtype=bool)
    left_out = pd.DataFrame(
        {"record_id": rows["record_id"][left], "reason": reason[left], "action": action[left]}
    )
    editing = outcome.eq(EDIT).to_numpy(dtype=bool)[:, None] & changed
    parts = [
        pd.DataFrame(
            {
                "record_id": final["record_id"][editing[:, i]],
                "field": FIELD_NAMES_VI[f],
                "old_value": platform[f][editing[:, i]],
                "new_value": final[f][editing[:, i]],
                "source": source[f][editing[:, i]],
                "who": who[f][editing[:, i]],
            }
        )
        for i, f in enumerate(CORRECTABLE_FIELDS)
    ]
    edits = pd.concat(parts, ignore_index=True).sort_values(["record_id", "field"], kind="stable")
    merges = _merge_table(rows, final, targets, merge_source, village, police_rows, doses)
    gone_rows = outcome.eq(REMOVAL).to_numpy(dtype=bool)
    removals = pd.DataFrame(
        {
            "record_id": rows["record_id"][gone_rows],
            "decision": decision[gone_rows],
            "platform_action": decision[gone_rows].map(PLATFORM_ACTIONS),
            "note": column(village, "note").to_numpy()[gone_rows],
            "who": column(village, "reviewer").to_numpy()[gone_rows]
            if "reviewer" in village.columns
            else pd.NA,
        }
    )
    fine = outcome.eq(CONFIRMED).to_numpy(dtype=bool)
    confirmed_rows = pd.DataFrame(
        {
            "record_id": rows["record_id"][fine],
            "source": np.where(is_verified[fine], POLICE, VILLAGE),
        }
    )
    table = pd.DataFrame({"record_id": rows["record_id"], "outcome": outcome})
    return PlatformFiles(
        imports.reset_index(drop=True).astype("string")[list(IMPORT_COLUMNS)],
        edits.reset_index(drop=True).astype("string")[list(EDIT_COLUMNS)],
        left_out.reset_index(drop=True).astype("string")[list(LEFT_OUT_COLUMNS)],
        merges,
        removals.reset_index(drop=True).astype("string")[list(REMOVAL_COLUMNS)],
        confirmed_rows.reset_index(drop=True).astype("string"),
        table.dropna().reset_index(drop=True).astype("string"),
        listed,
    )


def _merge_table(rows, final, targets, merge_source, village, police_rows, doses) -> pd.DataFrame:
    """Record to merge away, record to keep, the doses to move, the fields that differ."""
    if not len(targets):
        return pd.DataFrame({c: pd.Series(dtype="string") for c in MERGE_COLUMNS})
    gone = pd.Series(targets.index, dtype="string")
    keep = pd.Series(targets.to_numpy(), dtype="string")
    by_id = final.set_index("record_id")
    diffs = []
    for f in CORRECTABLE_FIELDS:
        a = by_id[f].reindex(gone).reset_index(drop=True)
        b = by_id[f].reindex(keep).reset_index(drop=True)
        differ = a.ne(b).fillna(a.notna() & b.notna()).to_numpy(dtype=bool)
        winner = b.fillna(a)
        diffs.append(
            pd.Series(
                np.where(
                    differ,
                    FIELD_NAMES_VI[f] + ": giữ '" + winner.fillna("") + "' (hồ sơ trùng ghi '"
                    + a.fillna("(trống)") + "')",
                    "",
                ),
                dtype="string",
            )
        )  # fmt: skip
    differences = pd.concat(diffs, axis=1).agg(lambda r: "; ".join(v for v in r if v), axis=1)
    source = merge_source.reindex(gone).reset_index(drop=True)
    reviewer = (
        column(village, "reviewer").reindex(gone)
        if "reviewer" in village.columns
        else pd.Series(pd.NA, index=gone)
    )
    officer = (
        column(police_rows, "officer").reindex(gone)
        if "officer" in police_rows.columns
        else pd.Series(pd.NA, index=gone)
    )
    who = np.where(source.eq(POLICE), officer.to_numpy(), reviewer.to_numpy())
    return pd.DataFrame(
        {
            "record_id": gone,
            "keep_record_id": keep,
            "doses_to_move": _doses_text(doses, gone).to_numpy(),
            "differences": differences.replace("", pd.NA).to_numpy(),
            "source": source.to_numpy(),
            "who": who,
        }
    ).astype("string")[list(MERGE_COLUMNS)]


def write_import_workbook(
    folder: str | os.PathLike, files: PlatformFiles, template: pd.DataFrame | None = None
) -> Path:
    """``nhap_nen_tang.xlsx``: the platform's Excel import in the platform's own template
    (:mod:`vaxutils.io.platform_template`; every data cell Text). ``template`` holds its rows
    (:func:`vaxutils.workflow.platform_template.template_rows`); without it the import's ID, name,
    birth date and sex are laid out alone."""
    if template is None:
        template = files.imports.assign(sex=files.imports["sex"].map({"Nam": "0", "Nữ": "1"}))
    return write_platform_template(
        Path(folder) / "nhap_nen_tang.xlsx",
        template[[c for c in template.columns if c in TEMPLATE_FIELDS]],
    )


def write_platform_workbooks(
    folder: str | os.PathLike, files: PlatformFiles, template: pd.DataFrame | None = None
) -> dict[str, Path]:
    """``nhap_nen_tang.xlsx`` (the import, in the platform's template: see
    :func:`write_import_workbook`), ``sua_truc_tiep.xlsx`` (direct edits, what cannot be
    done yet, what was confirmed as is), ``gop_trung.xlsx`` (merges) and
    ``loai_khoi_danh_sach.xlsx`` (removals), atomically; IDs are Text cells."""
    folder = Path(folder)
    imports = write_import_workbook(folder, files, template)
    edits = write_xlsx(
        folder / "sua_truc_tiep.xlsx",
        {
            "Sửa trực tiếp": files.edits.rename(columns=EDIT_LABELS),
            "Chưa nhập được": files.left_out.rename(columns=LEFT_OUT_LABELS),
            "Đã xác nhận đúng": files.confirmed.rename(
                columns={"record_id": "Mã đối tượng", "source": "Xác nhận bởi"}
            ),
        },
        {
            "Sửa trực tiếp": [
                "DANH SÁCH SỬA TRỰC TIẾP TRÊN NỀN TẢNG (thông tin cũ → thông tin đúng)"
            ]
        },
        text_columns=[
            *EDIT_LABELS.values(),
            *LEFT_OUT_LABELS.values(),
            "Xác nhận bởi",
        ],
    )
    merges = write_xlsx(
        folder / "gop_trung.xlsx",
        {"Gộp hồ sơ trùng": files.merges.rename(columns=MERGE_LABELS)},
        {
            "Gộp hồ sơ trùng": [
                "DANH SÁCH GỘP HỒ SƠ TRÙNG: chuyển các mũi tiêm sang hồ sơ giữ lại, rồi xóa hồ sơ trùng"
            ]
        },
        text_columns=list(MERGE_LABELS.values()),
    )
    removals = write_xlsx(
        folder / "loai_khoi_danh_sach.xlsx",
        {"Loại khỏi danh sách": files.removals.rename(columns=REMOVAL_LABELS)},
        {
            "Loại khỏi danh sách": [
                "DANH SÁCH ĐÃ MẤT / ĐÃ CHUYỂN ĐI / KHÔNG CÓ Ở ĐỊA PHƯƠNG (việc cần làm trên nền tảng)"
            ]
        },
        text_columns=list(REMOVAL_LABELS.values()),
    )
    return {"import": imports, "edits": edits, "merges": merges, "removals": removals}
