"""Vietnam's 2022 administrative divisions: 63 provinces, 705 districts, 10,598 communes.

Codes are the GSO codes of 2022 (province ``"04"``, district ``"045"``, commune ``"01420"``); a
province's CCCD code is its GSO code zero-padded to three digits (``"004"``, DESIGN §2.1). Since July
2025 Vietnam has 34 provinces whose codes reuse old numbers, so 2022 data is always read with this
list. Source and date are in the header of each file in ``data/`` (regenerate with
``scripts/build_refdata.py``).

>>> commune("01420")["name"], district("045")["name"], province("04")["name"]
('Xã Thượng Thôn', 'Huyện Hà Quảng', 'Cao Bằng')
>>> province_name("004"), len(provinces()), len(districts()), len(communes())
('Cao Bằng', 63, 705, 10598)
>>> communes_of_district("045")["commune_code"].head(3).tolist()
['01363', '01366', '01367']
>>> province_lookup(pd.Series(["Tỉnh Cao Bằng", "Cao Bang", "TP. Hồ Chí Minh", "Huế", None])).tolist()
['004', '004', '079', '046', <NA>]
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from vaxutils.errors import VaxutilsError
from vaxutils.refdata._files import fold_key, read_table
from vaxutils.text import factorize_cells

# Words in front of a province name that do not identify it ("Tỉnh Cao Bằng", "TP. Cần Thơ").
_PROVINCE_PREFIXES = ("thanhphotructhuoctrunguong", "thanhpho", "tinh", "tp")
# Common short forms that are not a fold of the official name.
_PROVINCE_ALIASES = {
    "hcm": "079",
    "hcmc": "079",
    "saigon": "079",
    "tphcm": "079",
    "hue": "046",
    "brvt": "077",
    "vungtau": "077",
    "hn": "001",
}


class UnknownDivision(VaxutilsError, KeyError):
    """A province, district or commune code that is not in the 2022 GSO list."""

    def __init__(self, kind_vi: str, kind_en: str, code: object) -> None:
        super().__init__(
            f"Không tìm thấy {kind_vi} có mã {code!r} trong danh mục hành chính 2022 của Tổng cục "
            f"Thống kê; kiểm tra lại mã. (Unknown 2022 {kind_en} code {code!r}.)"
        )

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


def _code(value: object, width: int) -> str | None:
    """A code as zero-padded text ("4" / 4 / "04" → "04"), or None if it is not a code at all."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, np.integer)):
        text = str(int(value))
    elif isinstance(value, str):
        text = value.strip()
    else:
        return None
    if not text.isdigit() or not text.isascii() or len(text) > width:
        return None
    return text.zfill(width)


def provinces() -> pd.DataFrame:
    """The 63 provinces: cccd_code ("004"), gso_code ("04"), name, name_ascii, full_name,
    division_type, region, region_vi. A fresh copy on every call."""
    return read_table("provinces.csv").copy()


def districts() -> pd.DataFrame:
    """The 705 districts: district_code ("045"), name, division_type, province_code ("04"),
    province_name. A fresh copy on every call."""
    return read_table("districts.csv").copy()


def communes() -> pd.DataFrame:
    """The 10,598 communes: commune_code ("01420"), name, division_type (xã/phường/thị trấn),
    district_code, district_name, province_code ("04"), province_name. A fresh copy."""
    return read_table("communes.csv").copy()


@functools.cache
def _indexed(name: str, key: str) -> pd.DataFrame:
    return read_table(name).set_index(key, drop=False)


def _row(name: str, key: str, code: str | None, kind_vi: str, kind_en: str, raw: object) -> dict:
    table = _indexed(name, key)
    if code is None or code not in table.index:
        raise UnknownDivision(kind_vi, kind_en, raw)
    return table.loc[code].to_dict()


def province(code: object) -> dict[str, str]:
    """One province by GSO code ("04", 4) or CCCD code ("004"); raises :class:`UnknownDivision`.

    >>> province("079")["full_name"]
    'Thành phố Hồ Chí Minh'
    """
    text = _code(code, 3)
    return _row("provinces.csv", "cccd_code", text, "tỉnh/thành phố", "province", code)


def district(code: object) -> dict[str, str]:
    """One district by its 3-digit GSO code; raises :class:`UnknownDivision`."""
    return _row("districts.csv", "district_code", _code(code, 3), "quận/huyện", "district", code)


def commune(code: object) -> dict[str, str]:
    """One commune by its 5-digit GSO code; raises :class:`UnknownDivision`.

    >>> commune(1420)["district_name"]
    'Huyện Hà Quảng'
    """
    return _row("communes.csv", "commune_code", _code(code, 5), "xã/phường", "commune", code)


def province_name(cccd_code: object) -> str | None:
    """Short province name for a CCCD ("004") or GSO ("04") code; None if unknown (never raises).

    >>> province_name("052"), province_name("003"), province_name(None)
    ('Bình Định', None, None)
    """
    try:
        return province(cccd_code)["name"]
    except UnknownDivision:
        return None


def communes_of_district(code: object) -> pd.DataFrame:
    """The communes of one district (a fresh frame, GSO order); raises :class:`UnknownDivision`."""
    dcode = district(code)["district_code"]
    table = read_table("communes.csv")
    return table[table["district_code"] == dcode].reset_index(drop=True)


def communes_of_province(code: object) -> pd.DataFrame:
    """The communes of one province, by GSO ("04") or CCCD ("004") code (a fresh frame)."""
    gso = province(code)["gso_code"]
    table = read_table("communes.csv")
    return table[table["province_code"] == gso].reset_index(drop=True)


@functools.cache
def _province_keys() -> dict[str, str]:
    keys = dict(_PROVINCE_ALIASES)
    for cccd, name, full in read_table("provinces.csv")[
        ["cccd_code", "name", "full_name"]
    ].itertuples(index=False):
        for text in (name, full):
            keys[fold_key(text)] = cccd
    return keys


def _province_of_text(text: object) -> str | None:
    key = fold_key(text)
    if not key or len(key) > 60:
        return None
    keys = _province_keys()
    if key in keys:
        return keys[key]
    for prefix in _PROVINCE_PREFIXES:
        if key.startswith(prefix) and key[len(prefix) :] in keys:
            return keys[key[len(prefix) :]]
    return None


def province_lookup(s: pd.Series) -> pd.Series:
    """CCCD province code for each province name as typed ("Tỉnh Cao Bằng", "Cao Bang", "TP.HCM");
    NA when unknown. Index preserved; one lookup per *unique* value (a column holds a handful)."""
    if len(s) == 0:
        return pd.Series([], index=s.index, dtype="string", name=s.name)
    codes, uniques = factorize_cells(s)
    mapped = np.array([_province_of_text(u) for u in uniques] + [None], dtype=object)
    return pd.Series(mapped[codes], index=s.index, dtype="string", name=s.name)


__all__ = [
    "UnknownDivision",
    "commune",
    "communes",
    "communes_of_district",
    "communes_of_province",
    "district",
    "districts",
    "province",
    "province_lookup",
    "province_name",
    "provinces",
]
