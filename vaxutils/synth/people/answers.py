"""What each scripted person writes on a row: the village team's decision and corrected values,
the police officer's lookup; careless on the first round (an ID typed as a number, a birth date
pasted as a date cell), careful on the second."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from vaxutils.synth.people.script import Script, same_dob, same_id, same_name, same_sex

OFFICER = "Thượng úy Hoàng Văn Sáng"


def _as_number(id_text: str):
    """An ID typed into a cell Excel took for a number: its leading zeros are gone."""
    return int(id_text) if id_text and id_text.isdigit() else id_text


def _as_date_cell(dob_text: str):
    day, month, year = (int(x) for x in dob_text.split("/"))
    return datetime(year, month, day)


def village_answer(script: Script, rid: str, shown: dict, *, careful: bool, k: int) -> dict:
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
    if not same_name(shown["full_name"], truth["full_name"]) or (
        rid in script.legacy_names and k % 2
    ):
        fixes["full_name"] = truth["full_name"]  # a legacy-font name typed on every other row
    if not same_dob(shown["dob"], truth["dob"]):
        fixes["dob"] = truth["dob"]
    if not same_sex(shown["sex"], truth["sex"]):
        fixes["sex"] = truth["sex"]
    allowed = [truth["id_number"], truth["cccd"], truth["cmnd"]]
    if not same_id(shown["id_number"], allowed) and pd.notna(truth["id_number"]):
        fixes["id_number"] = truth["cccd"] if pd.notna(truth["cccd"]) else truth["id_number"]
    if not fixes:
        return answer | {"decision": "Đúng"}
    if not careful:
        if "id_number" in fixes and k % 3 == 0:
            fixes["id_number"] = _as_number(str(fixes["id_number"]))
        if "dob" in fixes and k % 2 == 0:
            fixes["dob"] = _as_date_cell(str(fixes["dob"]))
    return answer | {"decision": "Sửa", **fixes}


def police_answer(script: Script, rid: str, shown: dict, *, careful: bool, k: int) -> dict:
    truth = script.truth.loc[rid]
    if rid in script.unknown_to_police or not bool(truth["in_database"]):
        return {"verified": "Không", "note": "Không tìm thấy trong CSDL", "officer": OFFICER}
    answer = {"verified": "Có", "id_number": str(truth["cccd"]), "officer": OFFICER}
    if not same_name(shown["full_name"], truth["full_name"]):
        answer["full_name"] = truth["full_name"]
    if not same_dob(shown["dob"], truth["dob"]):
        answer["dob"] = truth["dob"]
    if not same_sex(shown["sex"], truth["sex"]):
        answer["sex"] = truth["sex"]
    if not careful and k % 9 == 0:
        answer["id_number"] = _as_number(answer["id_number"])
    return answer
