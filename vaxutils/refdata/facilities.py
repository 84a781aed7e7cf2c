"""Levels of vaccination facilities and which of them are exempt from the commune cleaning steps.

DESIGN §1 step S8: facilities under the Ministry of Health, other ministries (army, police), and the
province and district levels sign vaccine passports without the verification/cleaning steps S1–S6;
commune health stations and private clinics do not. The "Tuyến" column of an export names the level
in many ways ("Tuyến huyện", "TW", "Trạm y tế"); :func:`facility_level_lookup` maps them.

>>> row = facility_levels().set_index("level").loc["district"]
>>> row["label_vi"], bool(row["exempt_from_cleaning"])
('Huyện', True)
>>> facility_level_lookup(pd.Series(["Tuyến huyện", "Xã", "BYT", "tư nhân", "??", None])).tolist()
['district', 'commune', 'moh', 'private', <NA>, <NA>]
"""

from __future__ import annotations

import functools
import re
import unicodedata

import numpy as np
import pandas as pd

from vaxutils.refdata._files import fold_key, read_table
from vaxutils.text import factorize_cells


def facility_levels() -> pd.DataFrame:
    """The six levels: level (code), label_vi, label_en, exempt_from_cleaning (bool), synonyms (list)."""
    df = read_table("facility_levels.csv").copy()
    df["exempt_from_cleaning"] = df["exempt_from_cleaning"].eq("true").astype(bool)
    df["synonyms"] = [s.split("|") if s else [] for s in df["synonyms"]]
    return df


@functools.cache
def _level_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for row in facility_levels().itertuples(index=False):
        for text in (row.level, row.label_vi, row.label_en, *row.synonyms):
            keys.setdefault(fold_key(text), row.level)
    return keys


def _level_of_text(text: object) -> str | None:
    key = fold_key(text)
    if not key:
        return None
    keys = _level_keys()
    if key in keys:
        return keys[key]
    if key.startswith("tuyen") and key[5:] in keys:
        return keys[key[5:]]
    return None


def facility_level_lookup(s: pd.Series) -> pd.Series:
    """Canonical level code for each "Tuyến" cell (NA when unknown); index preserved.

    One lookup per *unique* value: a commune's dose rows hold a handful of distinct levels.
    """
    if len(s) == 0:
        return pd.Series([], index=s.index, dtype="string", name=s.name)
    codes, uniques = factorize_cells(s)
    mapped = pd.array([_level_of_text(u) for u in uniques] + [None], dtype="string")
    # code -1 (missing) picks the trailing None; an Arrow take, not a Python object per row
    return pd.Series(
        mapped.take(np.where(codes < 0, len(uniques), codes)), index=s.index, name=s.name
    )


# DESIGN §3.5: the level a facility's name gives when an export has no "Tuyến" column. Patterns on
# the folded name (lower case, no diacritics, single spaces), tried in order: the first wins.
_NAME_RULES: tuple[tuple[str, str], ...] = (
    ("commune", r"^(tram y te|tyt)\b|\btram y te (xa|phuong|thi tran)\b"),
    ("private", r"^(phong kham|pk|pkdk\w*|nha thuoc|nha khoa|vnvc|phong tiem|trung tam tiem chung)\b|"
     r"\btu nhan\b|\bcong ty\b|\btnhh\b|\bdich vu\b|\bvnvc\b"),
    ("ministry", r"quan y|quan doi|quan dan y|cong an|\bbo (y te nganh|quoc phong|cong an|giao thong)|"
     r"^y te (bo|nganh)\b|^benh xa\b"),
    ("district", r"\b(benh vien|bv|bvdk)( da khoa)? (huyen|quan|thi xa|khu vuc)\b|\bttyt\b|"
     r"trung tam y te (huyen|quan|thi xa|thanh pho)\b"),
    ("moh", r"trung uong|^vien\b|\bbach mai\b|\bviet duc\b|\bcho ray\b|\bthong nhat\b|"
     r"\bbo y te\b"),
    ("province", r"\btinh\b|kiem soat benh tat|\bksbt\b|\bcdc\b|\bthanh pho truc thuoc"),
    ("district", r"^(trung tam y te)\b|\b(huyen|quan|thi xa)\b|\bthanh pho\b"),
)  # fmt: skip


def _fold_words(text: object) -> str | None:
    if not isinstance(text, str):
        return None
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D")).casefold()
    letters = "".join(c if c.isalnum() else " " for c in folded if not unicodedata.combining(c))
    return " ".join(letters.split()) or None


def _level_of_name(text: object) -> str | None:
    key = _fold_words(text)
    if key is None:
        return None
    return next((level for level, pattern in _NAME_RULES if re.search(pattern, key)), None)


def facility_level_from_name(s: pd.Series) -> pd.Series:
    """The level a facility's name gives (DESIGN §3.5), NA when the name does not say.

    Commune stations and private clinics first (never exempt), then ministry and army/police
    units, central hospitals and institutes, provincial hospitals and CDCs, district centres.

    >>> facility_level_from_name(pd.Series([
    ...     "Trung tâm Y tế huyện Hà Quảng", "Trạm Y tế Xã Thượng Thôn", "Bệnh viện Quân y 103",
    ...     "Bệnh viện Đa khoa tỉnh Cao Bằng", "Bệnh viện Bạch Mai", "Phòng khám đa khoa An Bình",
    ...     "Trung tâm Kiểm soát bệnh tật tỉnh Cao Bằng", "Bệnh viện Đa khoa huyện Trùng Khánh",
    ...     "Bệnh viện Nhi Trung ương", "Hội trường thôn", None])).tolist()
    ['district', 'commune', 'ministry', 'province', 'moh', 'private', 'province', 'district', 'moh', <NA>, <NA>]
    """
    if len(s) == 0:
        return pd.Series([], index=s.index, dtype="string", name=s.name)
    codes, uniques = factorize_cells(s)
    mapped = np.array([_level_of_name(u) for u in uniques] + [None], dtype=object)
    return pd.Series(mapped[codes], index=s.index, dtype="string", name=s.name)


@functools.cache
def _pl4_levels() -> dict[str, str]:
    """Site code of the platform's PL4 list -> the level its name gives; a code whose names
    disagree (a few codes have several) is left out: unknown, so not exempt."""
    sites = read_table("platform_pl4.csv")  # the one shipped copy of PL4 (refdata.platform too)
    names = sites["ten_co_so"].astype("string").str.split().str.join(" ")
    levels = facility_level_from_name(names)
    known = pd.DataFrame({"code": sites["ma_co_so_kcb"].str.strip(), "level": levels}).dropna()
    # vectorised: a Python lambda per code cost seconds on PL4's 14,000 codes
    by_code = known.groupby("code")["level"]
    agreed = by_code.first()[by_code.nunique() == 1]
    return agreed.to_dict()


def facility_level_from_code(s: pd.Series) -> pd.Series:
    """The level of a site given by its PL4 code ("Mã cơ sở KCB", what the platform's "Địa điểm
    tiêm" holds), from the name the platform lists for it; NA when the code is not in PL4.

    >>> facility_level_from_code(pd.Series(["01015", " 01015 ", "99999", None])).tolist()
    ['ministry', 'ministry', <NA>, <NA>]
    """
    if len(s) == 0:
        return pd.Series([], index=s.index, dtype="string", name=s.name)
    levels = _pl4_levels()
    codes, uniques = factorize_cells(s)
    mapped = np.array(
        [levels.get(str(u).strip()) if isinstance(u, str) else None for u in uniques] + [None],
        dtype=object,
    )
    return pd.Series(mapped[codes], index=s.index, dtype="string", name=s.name)


def exempt_levels() -> frozenset[str]:
    """Level codes whose doses are exempt from the cleaning steps.

    >>> sorted(exempt_levels())
    ['district', 'ministry', 'moh', 'province']
    """
    df = facility_levels()
    return frozenset(df.loc[df["exempt_from_cleaning"], "level"])


__all__ = [
    "exempt_levels",
    "facility_level_from_code",
    "facility_level_from_name",
    "facility_level_lookup",
    "facility_levels",
]
