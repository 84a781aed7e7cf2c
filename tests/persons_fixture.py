"""Prepared persons frames for the duplicate and registry tests, built by hand (the layer-1
normalisers are tested on their own): ``_name_key`` mimics names.match_key_series closely enough
for these names, and ``random_person`` draws a person with a consistent personal ID number."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

JUNK = [None, np.nan, pd.NA, 0, 3.5, -1, b"\xff\xfe", object(), "x" * 100_000, "", " ", True]

# Old-style tone placement → new style, enough for the names used here (hòa → hoà, thủy → thuỷ).
_TONE_MOVES = {
    "òa": "oà", "óa": "oá", "ỏa": "oả", "õa": "oã", "ọa": "oạ",
    "òe": "oè", "óe": "oé", "ùy": "uỳ", "úy": "uý", "ủy": "uỷ", "ũy": "uỹ", "ụy": "uỵ",
}  # fmt: skip


def _name_key(name):
    key = " ".join(unicodedata.normalize("NFC", name).lower().split())
    for old, new in _TONE_MOVES.items():
        key = key.replace(old, new)
    return key


def _ascii_key(name):
    decomposed = unicodedata.normalize("NFD", _name_key(name).replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _id_kind(raw):
    if raw is None or raw == "":
        return "missing"
    if raw.isdigit() and len(raw) == 12 and raw.startswith("0"):
        return "cccd"
    if raw.isdigit() and len(raw) == 9:
        return "cmnd"
    return "invalid"


def make_persons(rows):
    """A prepared persons frame from (record_id, name, dob, precision, sex, id[, extra dict])."""
    records = []
    for n, row in enumerate(rows):
        record_id, name, dob, precision, sex, raw_id, *extra = row
        kind = _id_kind(raw_id)
        suggestion = None
        if kind == "invalid" and raw_id.isdigit() and len(raw_id) in (10, 11):
            suggestion = raw_id.zfill(12)
        records.append(
            {
                "record_id": record_id,
                "source_row": n + 2,
                "full_name": name,
                "name_key": _name_key(name),
                "ascii_key": _ascii_key(name),
                "dob": dob,
                "dob_precision": precision,
                "sex": sex,
                "id_raw": raw_id,
                "id_kind": kind,
                "id_compact": raw_id if kind in ("cccd", "cmnd") else None,
                "id_suggestion": suggestion,
                "phone": None,
                "village": "Thôn 1",
                "commune_code": "01420",
                "first_dose_date": "2021-08-01",
                **(extra[0] if extra else {}),
            }
        )
    frame = pd.DataFrame(records)
    frame["dob"] = pd.to_datetime(frame["dob"])
    frame["first_dose_date"] = pd.to_datetime(frame["first_dose_date"])
    frame["birth_year"] = frame["dob"].dt.year.astype("Int64")
    frame["source_row"] = frame["source_row"].astype("Int64")
    text = [
        c for c in frame.columns if c not in ("dob", "first_dose_date", "birth_year", "source_row")
    ]
    frame[text] = frame[text].astype("string")
    return frame


FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Lò",
    "Thạch",
    "Giàng",
]
MIDDLE = {"Nam": ["Văn", "Minh", "Đức", "Quang", "Hữu"], "Nữ": ["Thị", "Thu", "Ngọc", "Thanh"]}
GIVEN = {
    "Nam": ["Nam", "Hùng", "Dũng", "Tuấn", "Long", "Thủy", "Khoa", "Hòa", "Pảo", "Sơn", "Minh"],
    "Nữ": ["Lan", "Hoa", "Hòa", "Mai", "Thúy", "Linh", "Hương", "Ngân", "Trang", "Vân", "Yến"],
}


def random_person(rng):
    """(sex, name, birth year, ISO birth date, personal ID consistent with both) drawn with ``rng``."""
    sex = rng.choice(["Nam", "Nữ"])
    name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"
    year = rng.randint(1935, 2016)
    dob = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    digit = (0 if year < 2000 else 2) + (sex == "Nữ")
    pid = f"0{rng.choice(['01', '31', '36', '79'])}{digit}{year % 100:02d}{rng.randint(0, 999999):06d}"
    return sex, name, year, dob, pid
