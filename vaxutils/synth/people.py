"""Scripted people for the S2–S7 round trip: a village team, a police officer, a health station.

They know the truth of a synthetic commune (who each record really is) and answer the workbooks
the workflow sends them the way real people do, mistakes included:

* the **village team** (:func:`fill_review`) decides every row — "Đúng" when the record is right,
  "Sửa" with the true values, "Trùng" with the other record of the same person, "Đã mất" / "Đã
  chuyển đi" / "Không có ở địa phương" for the scripted life events — and, on the first round,
  types some IDs as numbers (Excel drops the leading zero), pastes birth dates as date cells,
  leaves a blank row, adds a note row under a table, moves a sheet to the front, forgets the other
  record of one duplicate, and answers legacy-font names both ways ("Đúng" to the decoded name
  proposed, or "Sửa" with the name typed);
* on the **second round** (:func:`fix_reported`) the team corrects exactly the rows reported back;
* the **police officer** (:func:`fill_police`) looks every person up in the population database:
  "Có" with the 12-digit number (and the database's name, birth date and sex where the list
  differs), "Không" for someone the database does not hold; an ID typed as a number on the
  first round;
* the **health station** (:func:`apply_platform_files`) applies the S5 files to a copy of the
  export: imports and direct edits, merges (doses moved to the record kept), removals.

:func:`score_round_trip` then counts, over the records wrong at the start: fixed correctly, wrong
final value, pending with a reason, lost; and over the records correct at the start: changed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from vaxutils import dates, ids, sex
from vaxutils.synth.commune import SynthCommune
from vaxutils.text import legacy, names

RECORD_LABEL = "Mã đối tượng"
HEADER_ROWS = 10
# village review sheet: shown values and fill-in columns (vaxutils.workflow.review.columns)
SHOWN_REVIEW = {
    "full_name": "Họ và tên",
    "dob": "Ngày sinh",
    "sex": "Giới tính",
    "id_number": "Số CMND/CCCD",
}
FILLED_REVIEW = {
    "decision": "Kết luận của tổ",
    "full_name": "Họ và tên đúng",
    "dob": "Ngày sinh đúng",
    "sex": "Giới tính đúng",
    "id_number": "Số CMND/CCCD đúng",
    "note": "Ghi chú",
    "reviewer": "Người rà soát",
    "duplicate_of": "Trùng với mã đối tượng",
}
FILLED_POLICE = {
    "verified": "Đã đối chiếu CSDL dân cư",
    "id_number": "Số định danh cá nhân (12 số)",
    "full_name": "Họ và tên theo CSDL",
    "dob": "Ngày sinh theo CSDL",
    "sex": "Giới tính theo CSDL",
    "note": "Ghi chú",
    "officer": "Cán bộ đối chiếu",
}
PERSON_FIELDS = ("full_name", "dob", "sex", "id_number")
EVENTS = ("Đã mất", "Đã chuyển đi", "Không có ở địa phương")
OFFICER = "Thượng úy Hoàng Văn Sáng"
# the export as the platform re-exports it after S5: one row per dose
LONG_LABELS = {
    "record_id": "Mã đối tượng",
    "full_name": "Họ và tên",
    "dob": "Ngày sinh",
    "sex": "Giới tính",
    "id_number": "Số CMND/CCCD",
    "phone": "Số điện thoại",
    "village": "Thôn/Ấp/Tổ/Bản",
    "dose_number": "Mũi",
    "vaccine": "Tên vắc xin",
    "lot": "Số lô",
    "dose_date": "Ngày tiêm",
    "facility": "Cơ sở tiêm",
    "facility_level": "Tuyến",
}


# --- what the people know ---------------------------------------------------------------------


@dataclass
class Script:
    """The truth of each record and what the scripted people will do.

    ``truth``: per record id, the person's full_name, dob (dd/mm/yyyy), sex, the ID numbers the
    platform may rightly hold (``ids``: the clean export's, the 12-digit number, the CMND),
    ``person_id``, ``in_database``. ``keep_of``: a duplicate record → the record of the same
    person that stays. ``events``: record → "Đã mất" / "Đã chuyển đi" / "Không có ở địa phương".
    ``unknown_to_police``: records whose person the database does not return.
    """

    truth: pd.DataFrame
    keep_of: dict[str, str]
    events: dict[str, str] = field(default_factory=dict)
    unknown_to_police: set[str] = field(default_factory=set)
    legacy_names: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, commune: SynthCommune, seed: int = 0) -> Script:
        people = commune.record_person.merge(commune.population, on="person_id", how="left")
        people = people.set_index("record_id")
        dob = pd.to_datetime(people["dob"]).dt.strftime("%d/%m/%Y")
        truth = pd.DataFrame(
            {
                "person_id": people["person_id"],
                "full_name": people["full_name"],
                "dob": dob,
                "sex": people["sex"],
                "id_number": people["export_id"].fillna(people["id_number"]),
                "cccd": people["id_number"],
                "cmnd": people["cmnd"],
                "in_database": people["nationality"].eq("VN").fillna(False)
                & people["id_number"].notna(),
            }
        ).astype({c: "string" for c in ("person_id", "full_name", "dob", "sex", "id_number")})
        first = truth.reset_index().groupby("person_id")["record_id"].transform("min")
        keep_of = {
            r: k for r, k in zip(truth.index, first.to_numpy(), strict=True) if r != k
        }  # a handful of split records
        labels = commune.labels
        legacy_names = set(
            labels.loc[labels["error_type"].isin(["name_tcvn3", "name_vni"]), "record_id"]
        )
        rng = np.random.default_rng(seed)
        # life events and the person the police cannot find, among records with wrong basic info
        wrong = labels.loc[
            labels["category"].eq("personal_info")
            & labels["error_type"].isin(["birth_year_typo", "sex_flipped", "name_typo"]),
            "record_id",
        ]
        wrong = sorted(set(wrong) - set(keep_of) - set(keep_of.values()) - legacy_names)
        chosen = list(rng.choice(wrong, size=min(len(wrong), 4), replace=False)) if wrong else []
        events = dict(zip(chosen[:3], EVENTS, strict=False))
        unknown = set(chosen[3:4])
        return cls(truth, keep_of, events, unknown, legacy_names)


def _same_name(a: object, b: object) -> bool:
    if pd.isna(a) or pd.isna(b):
        return pd.isna(a) and pd.isna(b)
    key = names.match_key_series(pd.Series([a, b], dtype="string"))
    return (
        legacy.detect_series(pd.Series([a], dtype="string")).isna().iat[0]
        and key.iat[0] == key.iat[1]
    )


def _same_dob(shown: object, true: object) -> bool:
    parsed = dates.parse_dates(pd.Series([shown, true], dtype="string"))
    if parsed["date"].isna().iat[0]:
        return False
    if parsed["precision"].iat[0] == "year":  # a year alone is what the platform knows: not wrong
        return parsed["date"].iat[0].year == parsed["date"].iat[1].year
    return parsed["date"].iat[0] == parsed["date"].iat[1]


def _same_id(shown: object, allowed: list) -> bool:
    compact = ids.classify_ids(pd.Series([shown], dtype="string"))["id_compact"].iat[0]
    allowed = [a for a in allowed if pd.notna(a)]
    if not allowed:
        return pd.isna(shown) or not str(shown).strip()
    return pd.notna(compact) and compact in allowed


def _same_sex(shown: object, true: object) -> bool:
    return sex.normalize_series(pd.Series([shown], dtype="string")).iat[0] == true


# --- reading and writing the workbooks the way a person does --------------------------------------


def _tables(book):
    """(sheet, header row, {label: column}) of every sheet holding a list."""
    for ws in book.worksheets:
        header = next(
            (r for r in range(1, HEADER_ROWS) if ws.cell(r, 1).value == RECORD_LABEL), None
        )
        if header is not None:
            labels = {ws.cell(header, c).value: c for c in range(1, ws.max_column + 1)}
            yield ws, header, labels


def _shown(ws, r: int, labels: dict) -> dict:
    return {f: ws.cell(r, labels[label]).value for f, label in SHOWN_REVIEW.items()}


def _as_number(id_text: str):
    """An ID typed into a cell Excel took for a number: its leading zeros are gone."""
    return int(id_text) if id_text and id_text.isdigit() else id_text


def _as_date_cell(dob_text: str):
    day, month, year = (int(x) for x in dob_text.split("/"))
    return datetime(year, month, day)


def _village_answer(script: Script, rid: str, shown: dict, *, careful: bool, k: int) -> dict:
    """What the village team writes on the row of ``rid`` (``k``: the row's rank, for variety)."""
    answer = {"reviewer": f"Tổ trưởng tổ {1 + k % 5}" if k % 3 else None}
    if rid in script.events:
        return answer | {"decision": script.events[rid], "note": "theo gia đình báo"}
    if rid in script.keep_of:
        other = script.keep_of[rid]
        if not careful and k % 7 == 0:
            return answer | {"decision": "Trùng", "note": "hồ sơ trùng"}  # forgot which one
        if k % 2:
            return answer | {"decision": "Trùng", "duplicate_of": other}
        return answer | {"decision": "trùng", "note": f"trùng với hồ sơ {other}"}
    truth = script.truth.loc[rid]
    fixes = {}
    if not _same_name(shown["full_name"], truth["full_name"]) or (
        rid in script.legacy_names and k % 2
    ):
        fixes["full_name"] = truth["full_name"]  # a legacy-font name typed on every other row
    if not _same_dob(shown["dob"], truth["dob"]):
        fixes["dob"] = truth["dob"]
    if not _same_sex(shown["sex"], truth["sex"]):
        fixes["sex"] = truth["sex"]
    allowed = [truth["id_number"], truth["cccd"], truth["cmnd"]]
    if not _same_id(shown["id_number"], allowed) and pd.notna(truth["id_number"]):
        fixes["id_number"] = truth["cccd"] if pd.notna(truth["cccd"]) else truth["id_number"]
    if not fixes:
        return answer | {"decision": "Đúng"}
    if not careful:
        if "id_number" in fixes and k % 3 == 0:
            fixes["id_number"] = _as_number(str(fixes["id_number"]))
        if "dob" in fixes and k % 2 == 0:
            fixes["dob"] = _as_date_cell(str(fixes["dob"]))
    return answer | {"decision": "Sửa", **fixes}


def _write(ws, r: int, labels: dict, filled: dict, answer: dict) -> None:
    for name, label in filled.items():
        if name in answer and label in labels:
            ws.cell(r, labels[label], answer[name])


def fill_review(path: str | os.PathLike, out: str | os.PathLike, script: Script) -> Path:
    """The village teams' first answer to the review workbook ``path``, mistakes included."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    k = 0
    tables = list(_tables(book))
    for i, (ws, header, labels) in enumerate(tables):
        for r in range(header + 1, ws.max_row + 1):
            rid = ws.cell(r, 1).value
            if rid is None:
                continue
            answer = _village_answer(script, str(rid), _shown(ws, r, labels), careful=False, k=k)
            _write(ws, r, labels, FILLED_REVIEW, answer)
            k += 1
        if i == 0 and ws.max_row > header + 2:
            ws.insert_rows(header + 2)  # a blank row left in the middle of the table
        if i == len(tables) - 1:
            ws.cell(
                ws.max_row + 2, 1, "Người lập biểu: Tổ trưởng (đã ký)"
            )  # a note under the table
    if len(book.worksheets) > 2:
        book.move_sheet(book.worksheets[-1], offset=-(len(book.worksheets) - 1))
    book.save(out)
    return Path(out)


def fix_reported(
    path: str | os.PathLike,
    out: str | os.PathLike,
    problems: pd.DataFrame,
    script: Script,
    *,
    police: bool = False,
) -> Path:
    """The second round: the rows ``problems`` names (errors) answered again, carefully; a row
    that is not a listed record (a note, a typo in the id) deleted."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    errors = problems[problems["severity"].eq("error") & problems["row"].notna()]
    for ws, _header, labels in _tables(book):
        rows = errors.loc[errors["sheet"].eq(ws.title), "row"].astype(int).unique()
        doomed = []
        for r in sorted(rows):
            rid = ws.cell(r, 1).value
            if rid is None or str(rid) not in script.truth.index:
                doomed.append(r)
                continue
            if police:
                answer = _police_answer(script, str(rid), _shown(ws, r, labels), careful=True, k=r)
                _write(ws, r, labels, FILLED_POLICE, answer | _blank_police(answer))
            else:
                answer = _village_answer(script, str(rid), _shown(ws, r, labels), careful=True, k=r)
                _write(ws, r, labels, FILLED_REVIEW, _blank_review(answer))
        for r in sorted(doomed, reverse=True):
            ws.delete_rows(r)
    book.save(out)
    return Path(out)


def _blank_review(answer: dict) -> dict:
    """A corrected row: what is not written again is cleared (a stale wrong value would stay)."""
    return {name: answer.get(name) for name in FILLED_REVIEW}


def _blank_police(answer: dict) -> dict:
    return {name: answer.get(name) for name in FILLED_POLICE}


def _police_answer(script: Script, rid: str, shown: dict, *, careful: bool, k: int) -> dict:
    truth = script.truth.loc[rid]
    if rid in script.unknown_to_police or not bool(truth["in_database"]):
        return {"verified": "Không", "note": "Không tìm thấy trong CSDL", "officer": OFFICER}
    answer = {"verified": "Có", "id_number": str(truth["cccd"]), "officer": OFFICER}
    if not _same_name(shown["full_name"], truth["full_name"]):
        answer["full_name"] = truth["full_name"]
    if not _same_dob(shown["dob"], truth["dob"]):
        answer["dob"] = truth["dob"]
    if not _same_sex(shown["sex"], truth["sex"]):
        answer["sex"] = truth["sex"]
    if not careful and k % 9 == 0:
        answer["id_number"] = _as_number(answer["id_number"])
    return answer


def fill_police(path: str | os.PathLike, out: str | os.PathLike, script: Script) -> Path:
    """The police officer's answer to the police list (an ID typed as a number now and then)."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    k = 0
    for ws, header, labels in _tables(book):
        for r in range(header + 1, ws.max_row + 1):
            rid = ws.cell(r, 1).value
            if rid is None:
                continue
            answer = _police_answer(script, str(rid), _shown(ws, r, labels), careful=False, k=k)
            _write(ws, r, labels, FILLED_POLICE, answer)
            k += 1
    book.save(out)
    return Path(out)


# --- the health station on the platform ---------------------------------------------------------


def apply_platform_files(
    records: pd.DataFrame,
    doses: pd.DataFrame,
    imports: pd.DataFrame,
    edits: pd.DataFrame,
    merges: pd.DataFrame,
    removals: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The export's ``records`` and ``doses`` (as :func:`vaxutils.io.read_export` gives them)
    after the S5 files were applied on the platform; the inputs are not modified.

    Imports and edits overwrite the person fields; a merge moves the doses of the duplicate to the
    record kept (numbered again by date) and deletes the duplicate; a person who moved or does not
    live here leaves the commune's export, a death stays on it (the platform marks it).
    """
    records = records.copy()
    doses = doses.copy()
    at = pd.Series(np.arange(len(records)), index=records["record_id"].astype("string"))
    for frame in (imports,):
        rows = at.reindex(frame["record_id"]).dropna().astype(int).to_numpy()
        for f in PERSON_FIELDS:
            records.iloc[rows, records.columns.get_loc(f)] = frame[f].to_numpy()
    field_of = {
        "Họ và tên": "full_name",
        "Ngày sinh": "dob",
        "Giới tính": "sex",
        "Số CMND/CCCD": "id_number",
    }
    for e in edits.itertuples(index=False):  # a few hundred cells per commune
        records.iloc[at[e.record_id], records.columns.get_loc(field_of[e.field])] = e.new_value
    if len(merges):
        keep = dict(zip(merges["record_id"], merges["keep_record_id"], strict=True))
        moved = doses["record_id"].isin(list(keep))
        doses.loc[moved, "record_id"] = doses.loc[moved, "record_id"].map(keep)
        touched = doses["record_id"].isin(set(keep.values()))
        day = dates.parse_dates(doses["dose_date"].astype("string"))["date"]
        order = doses.assign(_day=day)[touched].sort_values(["record_id", "_day"], kind="stable")
        doses.loc[order.index, "dose_number"] = (
            order.groupby("record_id").cumcount().add(1).astype(str).to_numpy()
        )
        records = records[~records["record_id"].isin(list(keep))]
    gone = removals.loc[removals["decision"].isin(EVENTS[1:]), "record_id"]
    records = records[~records["record_id"].isin(gone)]
    doses = doses[doses["record_id"].isin(records["record_id"])]
    return records.reset_index(drop=True), doses.reset_index(drop=True)


def long_export(records: pd.DataFrame, doses: pd.DataFrame) -> pd.DataFrame:
    """The platform's re-export, one row per dose, under Vietnamese headers (every cell text)."""
    person = ["record_id"] + [
        f for f in LONG_LABELS if f in records.columns and f not in doses.columns
    ]
    dose = [f for f in LONG_LABELS if f in doses.columns]
    table = doses[dose].merge(records[person], on="record_id", how="right")
    order = [f for f in LONG_LABELS if f in table.columns]
    return table[order].rename(columns=LONG_LABELS).astype("string")


# --- counting ---------------------------------------------------------------------------------


def _matches_truth(values: pd.DataFrame, script: Script) -> pd.DataFrame:
    """Per record of ``values`` and per person field: does it hold the person's true value?"""
    truth = script.truth.reindex(values["record_id"].astype("string")).reset_index(drop=True)
    values = values.reset_index(drop=True)

    def same(a: pd.Series, b: pd.Series) -> np.ndarray:
        return a.astype("string").eq(b.astype("string")).fillna(False).to_numpy(dtype=bool)

    name = values["full_name"].astype("string")
    legacy_font = legacy.detect_series(name).notna().to_numpy().copy()
    # Ð (U+00D0) standing in for Đ reads the same but is an official error (DESIGN §2.3)
    legacy_font |= name.str.contains("Ð|ð", regex=True).fillna(False).to_numpy(dtype=bool)
    name_ok = same(names.match_key_series(name), names.match_key_series(truth["full_name"]))
    got = dates.parse_dates(values["dob"].astype("string"))
    want = dates.parse_dates(truth["dob"])
    same_day = got["date"].eq(want["date"]).fillna(False).to_numpy(dtype=bool)
    year_only = got["precision"].eq("year").fillna(False).to_numpy(dtype=bool)
    same_year = same(got["date"].dt.year.astype("Int64"), want["date"].dt.year.astype("Int64"))
    sex_now = sex.normalize_series(values["sex"].astype("string"))
    compact = ids.classify_ids(values["id_number"].astype("string"))["id_compact"].astype("string")
    id_ok = np.zeros(len(values), dtype=bool)
    for c in ("id_number", "cccd", "cmnd"):
        id_ok |= same(compact, truth[c])
    no_id = (
        truth[["id_number", "cccd", "cmnd"]].isna().all(axis=1).to_numpy()
        & compact.isna().to_numpy()
    )
    return pd.DataFrame(
        {
            "full_name": name_ok & ~legacy_font,
            "dob": same_day | (year_only & same_year),
            "sex": same(sex_now, truth["sex"]),
            "id_number": id_ok | no_id,
        }
    )


def _same_values(a: pd.DataFrame, b: pd.DataFrame) -> np.ndarray:
    """Per record, the person fields of ``a`` and ``b`` hold the same value (text as read)."""
    aa = a[list(PERSON_FIELDS)].astype("string").fillna("")
    bb = b[list(PERSON_FIELDS)].astype("string").fillna("")
    return (aa.to_numpy() == bb.to_numpy()).all(axis=1)


def score_round_trip(
    script: Script,
    start: pd.DataFrame,
    final: pd.DataFrame,
    merges: pd.DataFrame,
    pending: pd.Index,
) -> dict:
    """Counts over the records of the export at the start (``start``: records as read).

    A record is wrong at the start when a person field (name, birth date, sex, ID) does not hold
    the person's true value or it is the second record of one person. At the end (``final``: the
    records after the S5 files were applied) a wrong record is **fixed** (true values, or merged
    into a record of the same person), **wrong** (changed, but not to the truth; or merged into
    another person's record), **pending** (on a list with a reason: not importable, removal), or
    **lost** (none of these). ``changed_correct`` counts the records right at the start whose
    values changed or that disappeared.
    """
    start = start.reset_index(drop=True)
    rid = start["record_id"].astype("string")
    ok_start = (
        _matches_truth(start, script).all(axis=1).to_numpy()
        & ~rid.isin(list(script.keep_of)).to_numpy()
    )
    now = final.set_index(final["record_id"].astype("string")).reindex(rid)
    present = now["record_id"].notna().to_numpy()
    ok_now = _matches_truth(now.reset_index(drop=True).assign(record_id=rid), script).all(axis=1)
    ok_now = ok_now.to_numpy() & present
    unchanged = _same_values(start, now.reset_index(drop=True)) & present
    merged_into = dict(zip(merges["record_id"], merges["keep_record_id"], strict=True))
    person = script.truth["person_id"]
    merged_right = np.array(
        [r in merged_into and person.get(merged_into[r]) == person.get(r) for r in rid]
    )
    merged_wrong = rid.isin(list(merged_into)).to_numpy() & ~merged_right
    on_hold = rid.isin(pending).to_numpy()
    wrong_start = ~ok_start
    fixed = wrong_start & ((ok_now & ~rid.isin(list(script.keep_of)).to_numpy()) | merged_right)
    wrong = wrong_start & ~fixed & (merged_wrong | (present & ~unchanged & ~on_hold))
    held = wrong_start & ~fixed & ~wrong & on_hold
    lost = wrong_start & ~fixed & ~wrong & ~held
    changed_correct = ok_start & (~present | ~unchanged)
    return {
        "records": len(start),
        "wrong_at_start": int(wrong_start.sum()),
        "fixed": int(fixed.sum()),
        "wrong_final_value": int(wrong.sum()),
        "pending_with_reason": int(held.sum()),
        "lost": int(lost.sum()),
        "correct_at_start": int(ok_start.sum()),
        "changed_correct": int(changed_correct.sum()),
        "lost_ids": rid[lost].tolist(),
        "wrong_ids": rid[wrong].tolist(),
        "changed_correct_ids": rid[changed_correct].tolist(),
    }
