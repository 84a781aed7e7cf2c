"""Villages, ethnic make-up and vaccination facilities of a synthetic commune.

Villages are named the way each region names them: "Thôn/Xóm" in the Red River delta and the
north-central coast, "Bản/Lũng/Nà" in the northern mountains, "Buôn/Plei/Làng" in the Central
Highlands, "Ấp" in the south, "Tổ dân phố"/"Khu phố" in towns (phường, thị trấn).

>>> import numpy as np
>>> villages("04", "xã", np.random.default_rng(0))[:3]
['Bản Nà Pồng', 'Bản Pò Rẫy', 'Bản Nặm Nhũng']
>>> sorted(ethnic_shares("004"))
['dao', 'hmong', 'kinh', 'tay_nung']
"""

from __future__ import annotations

import numpy as np

from vaxutils.refdata import province

_MOUNTAIN_PLACES = (
    "Nà Mạ, Khuổi Nặm, Pác Bó, Cốc Lùng, Nà Pồng, Lũng Rì, Nặm Nhũng, Phja Đeng, Khau Dề, Nà Sản, "
    "Cốc Phung, Bản Giới, Nà Làng, Pác Rằng, Khuổi Khon, Nà Ngần, Lũng Mười, Cốc Chia, Nặm Tốc, Pò Rẫy"
).split(", ")
_KINH_PLACES = (
    "Đông, Đoài, Thượng, Hạ, Trung, Nam, Bắc, An Lạc, Phú Mỹ, Yên Bình, Tân Lập, Đồng Tâm, Hòa Bình, "
    "Quyết Tiến, Thành Công, Đại Đồng, Phú Xuân, Văn Giang, Lạc Thịnh, Bình An"
).split(", ")
_SOUTH_PLACES = (
    "Tân Hòa, Phước Lợi, Bình Thạnh, Long Hưng, Mỹ Phú, An Thạnh, Tân Phú, Phú Hữu, Hòa Lộc, Thạnh Mỹ, "
    "Sóc Vồ, Trà Côn, Ô Chum, Bưng Tum, Phú Thọ, Tân Quy, Vĩnh Lợi, Long Thạnh, Mỹ Hòa, Bình Hòa"
).split(", ")
_HIGHLAND_PLACES = (
    "Ko Tam, Ea Bông, Plei Ku, Kon Hring, Ea Kmát, Tơ Nung, Đê Ar, Ia Băng, Kon Rơ Bang, Ea Tul"
).split(", ")

# Share of each ethnic group by CCCD province code (approximate 2019 census shares, rounded).
_ETHNIC = {
    "004": {"tay_nung": 0.72, "hmong": 0.10, "dao": 0.10},
    "002": {"hmong": 0.32, "tay_nung": 0.25, "dao": 0.15},
    "020": {"tay_nung": 0.78, "dao": 0.04},
    "006": {"tay_nung": 0.72, "dao": 0.10, "hmong": 0.06},
    "010": {"hmong": 0.25, "tay_nung": 0.15, "dao": 0.14},
    "011": {"thai_muong": 0.38, "hmong": 0.35},
    "012": {"hmong": 0.40, "thai_muong": 0.30, "dao": 0.10},
    "014": {"thai_muong": 0.55, "hmong": 0.17},
    "015": {"tay_nung": 0.19, "dao": 0.11, "hmong": 0.11, "thai_muong": 0.06},
    "008": {"tay_nung": 0.26, "dao": 0.11},
    "017": {"thai_muong": 0.64},
    "019": {"tay_nung": 0.16, "dao": 0.02},
    "024": {"tay_nung": 0.08},
    "062": {"jarai": 0.50},
    "064": {"jarai": 0.45},
    "066": {"ede": 0.25, "jarai": 0.05},
    "067": {"ede": 0.25},
    "068": {"jarai": 0.20},
    "094": {"khmer": 0.30},
    "084": {"khmer": 0.31},
    "091": {"khmer": 0.12},
    "095": {"khmer": 0.08},
    "089": {"khmer": 0.04},
    "096": {"khmer": 0.02},
    "093": {"khmer": 0.02},
    "092": {"khmer": 0.02},
    "086": {"khmer": 0.02},
}

_SOUTHERN_REGIONS = {"southeast", "mekong_delta", "central_highlands"}


def region_style(province_code: str) -> str:
    """ "north" or "south" naming habits (Hoàng/Vũ vs Huỳnh/Võ); the south-central coast is south."""
    p = province(province_code)
    if p["region"] in _SOUTHERN_REGIONS or int(p["gso_code"]) >= 52:
        return "south"
    return "north"


def ethnic_shares(province_code: str) -> dict[str, float]:
    """Share of each name group in the province (Kinh takes the rest)."""
    cccd = province(province_code)["cccd_code"]
    shares = dict(_ETHNIC.get(cccd, {}))
    shares["kinh"] = max(0.0, 1.0 - sum(shares.values()))
    return shares


def villages(province_code: str, division_type: str, rng: np.random.Generator) -> list[str]:
    """6–18 village names for a commune (towns have numbered residential groups)."""
    n = int(rng.integers(6, 19))
    region = province(province_code)["region"]
    if division_type in ("phường", "thị trấn"):
        word = "Khu phố" if region in ("southeast", "mekong_delta") else "Tổ dân phố"
        return [f"{word} {i}" for i in range(1, n + 1)]
    if region == "northern_midlands_mountains":
        places = rng.permutation(_MOUNTAIN_PLACES)[:n]
        words = rng.choice(["Bản", "Thôn", "Lũng", "Xóm"], size=n, p=[0.45, 0.3, 0.1, 0.15])
        return [f"{w} {p}" for w, p in zip(words, places, strict=True)]
    if region == "central_highlands":
        places = rng.permutation(_HIGHLAND_PLACES + _KINH_PLACES)[:n]
        words = rng.choice(["Buôn", "Thôn", "Làng", "Plei"], size=n)
        return [f"{w} {p}" for w, p in zip(words, places, strict=True)]
    if region in ("southeast", "mekong_delta"):
        if rng.random() < 0.3:
            return [f"Ấp {i}" for i in range(1, n + 1)]
        return [f"Ấp {p}" for p in rng.permutation(_SOUTH_PLACES)[:n]]
    if rng.random() < 0.4:
        word = str(rng.choice(["Thôn", "Xóm"]))
        return [f"{word} {i}" for i in range(1, n + 1)]
    return [f"Thôn {p}" for p in rng.permutation(_KINH_PLACES)[:n]]


_CENTRAL_HOSPITALS = {
    "north": ["Bệnh viện Bạch Mai", "Bệnh viện Hữu nghị Việt Đức", "Bệnh viện Nhi Trung ương"],
    "south": ["Bệnh viện Chợ Rẫy", "Bệnh viện Thống Nhất", "Bệnh viện Trung ương Huế"],
}
_MINISTRY_FACILITIES = ["Bệnh viện Quân y 103", "Bệnh viện Công an tỉnh", "Bệnh xá Quân dân y"]
_PRIVATE_FACILITIES = ["Phòng khám đa khoa An Bình", "Phòng khám đa khoa Hồng Phúc"]


def facilities(commune: dict, neighbour: str, style: str) -> list[tuple[str, str, float]]:
    """(facility name, level code, share of doses) for the people of one commune.

    Most doses are given at the commune health station; some at the district centre, the
    province hospital, a neighbouring commune, central or ministry hospitals, or private clinics.
    """
    district_name = commune["district_name"]
    return [
        (f"Trạm Y tế {commune['name']}", "commune", 0.58),
        (f"Trạm Y tế {neighbour}", "commune", 0.06),
        (f"Trung tâm Y tế {district_name}", "district", 0.2),
        (f"Bệnh viện Đa khoa tỉnh {commune['province_name']}", "province", 0.08),
        (_CENTRAL_HOSPITALS[style][0], "moh", 0.02),
        (_MINISTRY_FACILITIES[0], "ministry", 0.03),
        (_PRIVATE_FACILITIES[0], "private", 0.03),
    ]
