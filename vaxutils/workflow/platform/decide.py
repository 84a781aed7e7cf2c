"""One decision per record of the lists (S5): the order in which a record is settled, from a
row that failed at S2/S4 to the records confirmed as they are."""

from __future__ import annotations

import numpy as np
import pandas as pd

from vaxutils import ids
from vaxutils.workflow.fields import column
from vaxutils.workflow.platform.merges import merge_table, merge_targets
from vaxutils.workflow.platform.outcomes import (
    CONFIRMED,
    EDIT,
    EDIT_COLUMNS,
    FIELD_NAMES_VI,
    IMPORT,
    IMPORT_COLUMNS,
    LEFT_OUT_COLUMNS,
    MERGE,
    NOT_IMPORTABLE,
    NOT_IN_DATABASE,
    PLATFORM_ACTIONS,
    POLICE,
    REMOVAL,
    REMOVAL_COLUMNS,
    VALID_KINDS,
    VILLAGE,
    PlatformFiles,
)
from vaxutils.workflow.platform.values import by_record, final_values, platform_changes
from vaxutils.workflow.returned import CORRECTABLE_FIELDS
from vaxutils.workflow.review.columns import CORRECT, DUPLICATE, FIX
from vaxutils.workflow.review.workbook import flagged_records


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
    platform, final, source, who = final_values(records, review, police, rows, id_flagged)
    final["record_id"] = rows["record_id"]
    kind = ids.classify_ids(final["id_number"])
    valid = kind["id_kind"].isin(VALID_KINDS).to_numpy()
    final["id_number"] = kind["id_compact"].astype("string").where(valid, final["id_number"])

    village = by_record(review, listed)
    decision = pd.Series(column(village, "decision").to_numpy(), index=rows.index, dtype="string")
    police_rows = by_record(police, listed)
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
    targets = merge_targets(duplicate_of)
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
    changed = platform_changes(platform, final).to_numpy()
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
    merges = merge_table(rows, final, targets, merge_source, village, police_rows, doses)
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
