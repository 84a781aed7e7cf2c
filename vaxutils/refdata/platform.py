"""The vaccination platform's own code lists (PL2–PL5 of its Excel import template).

Copied with their provenance by ``scripts/build_platform_refdata.py`` from the platform's template
(DESIGN §3.4): PL2 the 16 priority groups (column E), PL3 the administrative list (province 2
digits, district 3, commune 5, with the platform's names), PL4 the vaccination sites (``Mã cơ sở
KCB``, typed in "Địa điểm tiêm"), PL5 the vaccine names exactly as the template spells them.

>>> priority_groups()["code"].tolist()[:3], len(priority_groups())
(['1', '2', '3'], 16)
>>> platform_vaccine(pd.Series(["AstraZeneca", "Vero Cell", "Hayat-Vax", None])).tolist()
['COVID-19 Vaccine AstraZeneca', 'COVID-19 Vaccine (Vero Cell), Inactivated (Sinopharm)', <NA>, <NA>]
>>> platform_commune("01420")
{'province': 'Tỉnh Cao Bằng', 'province_code': '04', 'district': 'Huyện Hà Quảng', 'district_code': '045', 'commune': 'Xã Thượng Thôn', 'commune_code': '01420'}
"""

from __future__ import annotations

import functools
import re

import pandas as pd

from vaxutils.refdata._files import DATA_DIR, fold_key, read_table
from vaxutils.refdata.vaccines import vaccine_lookup

TEMPLATE_FILE = "platform_template.xlsx"
# PL5 spelling per canonical product (vaxutils.refdata.vaccines); Hayat-Vax is not in PL5.
_PL5_PRODUCT = {
    "COVID-19 Vaccine (Vero Cell), Inactivated (Sinopharm)": "Vero Cell",
    "COVID-19 Vaccine Moderna": "Moderna",
    "COVID-19 Vaccine Comirnaty (Pfizer/BioNtech)": "Pfizer",
    "COVID-19 Vaccine AstraZeneca": "AstraZeneca",
    "COVID-19 Vaccine Gam-covid-vac (Sputnik V)": "Sputnik V",
    "COVID-19 Vaccine Jansen(Johnson & Johnson": "Janssen",
    "COVID-19 Vaccine Abdala": "Abdala",
}


def template_bytes() -> bytes:
    """The blank import template (sheet PL1, rows 1–8) as the platform ships it."""
    return (DATA_DIR / TEMPLATE_FILE).read_bytes()


def priority_groups() -> pd.DataFrame:
    """PL2: ``code`` ("1".."16") and ``label`` (the group as the platform words it)."""
    return read_table("platform_pl2.csv").rename(
        columns={"ma_nhom": "code", "nghe_nghiep": "label"}
    )


def vaccine_names() -> list[str]:
    """PL5: the vaccine names exactly as the template expects them."""
    return read_table("platform_pl5.csv")["ten_vac_xin"].tolist()


@functools.cache
def _pl5_by_product() -> dict[str, str]:
    names = set(vaccine_names())
    return {product: name for name, product in _PL5_PRODUCT.items() if name in names}


def platform_vaccine(s: pd.Series) -> pd.Series:
    """The PL5 spelling of each vaccine as typed ("AZ", "Vero Cell (Sinopharm)"); NA when the
    product is unknown or not in PL5 (Hayat-Vax). A PL5 name maps to itself."""
    if len(s) == 0:
        return pd.Series([], index=s.index, dtype="string")
    text = s.astype("string").str.strip()
    exact = text.where(text.isin(set(vaccine_names())))
    product = vaccine_lookup(s).astype("string")
    return exact.fillna(product.map(_pl5_by_product())).astype("string")


@functools.cache
def _pl3() -> pd.DataFrame:
    table = read_table("platform_pl3.csv")
    # island districts without communes (Bạch Long Vĩ, Cồn Cỏ...) have an empty commune code
    return table[table["ma_xa"].str.len() == 5].set_index("ma_xa", drop=False)


def platform_communes(codes: pd.Series) -> pd.DataFrame:
    """PL3 names and codes (province, province_code, district, district_code, commune,
    commune_code) for 5-digit commune codes; NA where PL3 does not list the code. Index kept."""
    table = _pl3()
    found = table.reindex(codes.astype("string").to_numpy())
    out = pd.DataFrame(
        {
            "province": found["ten_tinh"].to_numpy(),
            "province_code": found["ma_tinh"].to_numpy(),
            "district": found["ten_huyen"].to_numpy(),
            "district_code": found["ma_huyen"].to_numpy(),
            "commune": found["ten_xa"].to_numpy(),
            "commune_code": found["ma_xa"].to_numpy(),
        },
        index=codes.index,
    )
    return out.astype("string")


def platform_commune(code: str) -> dict[str, str | None]:
    """One commune's PL3 names and codes (values None when PL3 does not list it)."""
    row = platform_communes(pd.Series([code])).iloc[0]
    return {k: (None if pd.isna(v) else str(v)) for k, v in row.items()}


def sites() -> pd.DataFrame:
    """PL4: province, district, commune (often empty), ``code`` (Mã cơ sở KCB), ``name``."""
    return read_table("platform_pl4.csv").rename(
        columns={"tinh": "province", "huyen": "district", "xa": "commune",
                 "ma_co_so_kcb": "code", "ten_co_so": "name"}
    )  # fmt: skip


# PL4 abbreviates the kind of facility; exports usually spell it out.
_SITE_WORDS = (
    (re.compile(r"\btram y te\b"), "tyt"),
    (re.compile(r"\btrung tam y te\b"), "ttyt"),
    (re.compile(r"\bbenh vien da khoa\b"), "bvdk"),
    (re.compile(r"\bbenh vien\b"), "bv"),
    (re.compile(r"\bphong kham da khoa\b"), "pkdk"),
    # the administrative word before a place name says nothing PL4 keeps
    (re.compile(r"\b(?:xa|phuong|thi tran|huyen|quan|thi xa|thanh pho|tinh|tp|tx)\b"), " "),
)


def site_key(name: object) -> str | None:
    """Matching key of a facility name: diacritics, case, spacing and the usual abbreviations
    folded ("Trạm Y tế xã Ngọc Động" == "TYT Ngọc Động").

    >>> site_key("Trạm Y tế xã Ngọc Động") == site_key("TYT Ngọc Động"), site_key("Trung tâm Y tế huyện Hà Quảng")
    (True, 'ttythaquang')
    """
    if not isinstance(name, str):
        return None
    words = " ".join(
        "".join(c for c in w if c.isalnum()) for w in (fold_key(w) or "" for w in name.split())
    )
    text = f" {words} "
    for pattern, short in _SITE_WORDS:
        text = pattern.sub(short, text)
    return "".join(text.split()) or None


@functools.cache
def _site_index() -> dict[tuple[str, str], set[str]]:
    """(province key, site key) → codes, and ("", site key) → codes across the country."""
    index: dict[tuple[str, str], set[str]] = {}
    table = sites()
    for province, code, name in table[["province", "code", "name"]].itertuples(index=False):
        key = site_key(name)
        if key:
            index.setdefault((fold_key(province) or "", key), set()).add(code)
            index.setdefault(("", key), set()).add(code)
    return index


def site_codes(
    names: pd.Series, mapping: dict[str, str] | None = None, province: str | None = None
) -> pd.DataFrame:
    """The ``Mã cơ sở KCB`` of each facility name, per row: ``code`` (NA unless exactly one site
    matches) and ``candidates`` (the codes when several PL4 sites share the name).

    ``mapping`` (a user's ``{facility name as in the export: code}``) is applied first; then the
    PL4 name is matched with :func:`site_key`, within ``province`` (the PL3 province name of the
    commune) first, then across the country. Nothing is guessed: a name PL4 does not list, or
    lists under two codes, stays without a code. One lookup per unique name.
    """
    if len(names) == 0:
        return pd.DataFrame({"code": [], "candidates": []}, index=names.index, dtype="string")
    known = set(sites()["code"])
    user = {site_key(k): str(v).strip() for k, v in (mapping or {}).items() if site_key(k)}
    scope = fold_key(province) or ""
    uniques = pd.unique(names.dropna().astype(str))
    index = _site_index()
    code_of, cands = {}, {}
    for name in uniques:  # a commune's export names a handful of facilities
        key = site_key(name)
        if key in user:
            code_of[name] = user[key]
            continue
        if name.strip() in known:  # the export already holds the code
            code_of[name] = name.strip()
            continue
        found = index.get((scope, key)) if scope else None
        found = found or index.get(("", key), set())
        if len(found) == 1:
            code_of[name] = next(iter(found))
        elif found:
            cands[name] = ", ".join(sorted(found))
    text = names.astype("string")
    return pd.DataFrame(
        {
            "code": text.map(code_of).astype("string"),
            "candidates": text.map(cands).astype("string"),
        },
        index=names.index,
    )


__all__ = [
    "platform_commune",
    "platform_communes",
    "platform_vaccine",
    "priority_groups",
    "site_codes",
    "site_key",
    "sites",
    "template_bytes",
    "vaccine_names",
]
