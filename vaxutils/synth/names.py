"""Vietnamese personal names for synthetic people: pools, frequencies, and a vectorised draw.

Names are "Family Middle Given". Kinh family names follow published frequencies (Nguyễn ~38%,
Trần 11%, Lê 9.5%, Phạm 7%, Hoàng/Huỳnh 5%: Hoàng in the north, Huỳnh in the south; Vũ/Võ the
same way). Middle names are gendered (Văn/Thị, much commoner among older people; Đức, Minh, Hữu,
Ngọc…). Ethnic-minority groups have their own pools: Tày/Nùng (Nông, Lục, Bế; "Slam", "Pảo"),
Hmong (Sùng A Páo, Giàng, Vàng, Thào), Dao, Thái/Mường (Lò, Cầm), Khmer (Thạch, Danh, Sơn, Kim) and
the Central Highlands (Ê Đê "Y Bih Niê", "H'Hen Niê"; Gia Rai "Ksor", "Siu", "Rơ Châm").
A few Kinh names are fully ASCII and legitimate ("Kim Thanh Mai", "Mai Lan Anh").

Tone placement: syllables like Hòa/Hoà, Thủy/Thuỷ are spelled both ways in official data; each
person gets one style (:data:`NEW_TONE_STYLE` maps the old style to the new one).

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> names = draw_names(rng, np.array([True, False] * 3), np.array([1960, 2001] * 3), "kinh", "north")
>>> len(names["full_name"]), sorted(names)
(6, ['family', 'full_name', 'given', 'middle'])
>>> to_new_tone_style("Nguyễn Thị Thủy Hòa")
'Nguyễn Thị Thuỷ Hoà'
"""

from __future__ import annotations

import numpy as np

Pool = tuple[tuple[str, ...], np.ndarray]


def _pool(spec: str) -> Pool:
    """'Nguyễn 38, Trần 11' → (names, probabilities)."""
    names, weights = [], []
    for item in spec.split(","):
        name, _, weight = item.strip().rpartition(" ")
        names.append(name)
        weights.append(float(weight))
    w = np.array(weights)
    return tuple(names), w / w.sum()


# Kinh family names; the Hoàng/Huỳnh and Vũ/Võ split depends on the region.
_KINH_FAMILY_COMMON = (
    "Nguyễn 38, Trần 11, Lê 9.5, Phạm 7, Phan 4.5, Đặng 2.1, Bùi 2, Đỗ 1.4, Hồ 1.3, Ngô 1.3, "
    "Dương 1, Lý 0.5, Đinh 0.8, Đoàn 0.6, Trịnh 0.5, Lương 0.5, Mai 0.5, Trương 0.6, Tạ 0.3, Cao 0.3, "
    "Hà 0.4, Lâm 0.3, Phùng 0.2, Tô 0.2, Kiều 0.1, Chu 0.2, Vương 0.2, Lưu 0.2, Thái 0.2, Quách 0.1, "
    "Khúc 0.05, Đào 0.4, Nghiêm 0.05, Lại 0.1, Triệu 0.1, Văn 0.05"
)
KINH_FAMILY = {
    "north": _pool(_KINH_FAMILY_COMMON + ", Hoàng 4.8, Huỳnh 0.2, Vũ 3.8, Võ 0.2"),
    "south": _pool(_KINH_FAMILY_COMMON + ", Hoàng 0.8, Huỳnh 4.2, Vũ 0.6, Võ 3.4"),
}

# Middle names other than Văn/Thị (drawn when the person does not have the traditional one).
KINH_MIDDLE_MALE = _pool(
    "Đức 8, Minh 8, Hữu 6, Quốc 5, Công 5, Thanh 5, Ngọc 3, Xuân 3, Quang 4, Tuấn 2, Hoàng 2, "
    "Anh 2, Gia 2, Trung 2, Duy 2, Thành 2, Bá 1, Đình 3, Trọng 2, Mạnh 1, Phúc 1, Nhật 1, Đăng 1, "
    "Tiến 1, Việt 2, Hải 1, Bảo 2, Khánh 1"
)
KINH_MIDDLE_FEMALE = _pool(
    "Ngọc 6, Thu 4, Thanh 4, Minh 2, Kim 3, Hồng 3, Phương 2, Bảo 2, Mỹ 2, Thùy 2, Khánh 1, Diệu 1, "
    "Hải 1, Quỳnh 1, Bích 1, Hoài 1, Cẩm 1, Tuyết 1, Lan 1, Hà 1, Thủy 1, Kiều 1, Nguyệt 1, Ánh 1"
)
KINH_GIVEN_MALE = _pool(
    "Hùng 3, Dũng 3, Nam 3, Tuấn 3, Minh 3, Hải 3, Long 2, Hoàng 2, Sơn 3, Thắng 2, Cường 2, Trung 2, "
    "Quân 2, Huy 3, Đức 2, Phong 2, Bình 2, Thành 2, Tùng 2, Việt 2, Khánh 2, Hiếu 2, Tâm 2, Tài 1, "
    "Lâm 1, Kiên 1, Hưng 2, Vinh 2, Phúc 1, Đạt 2, Tú 1, Thịnh 1, Toàn 1, Khoa 1, Anh 3, Quang 2, "
    "Bảo 2, Duy 1, Hào 1, Lộc 1, Nhân 1, Tiến 1, Thái 1, Quý 1, Hòa 1, Thủy 0.2, Chiến 1, Công 1, "
    "Hậu 1, Luân 1, Nghĩa 1, Phát 1, Sang 1, Thanh 1, Thuận 1, Trí 1, Vũ 1, Đông 1, Hiển 1, Lực 1"
)
KINH_GIVEN_FEMALE = _pool(
    "Lan 3, Hương 3, Hoa 2, Mai 2, Linh 3, Trang 3, Hà 2, Thảo 3, Ngọc 2, Huyền 2, Nhung 2, "
    "Phương 2, Thủy 2, Thúy 2, Hằng 2, Yến 2, Loan 1, Vân 2, Anh 3, Dung 2, Nga 2, Hạnh 2, Hòa 1, "
    "Liên 1, Hiền 2, Oanh 1, Tuyết 1, Xuân 1, Nhi 2, Chi 2, Vy 2, My 1, Trinh 1, Quỳnh 2, Giang 2, "
    "Hồng 2, Diệp 1, Thu 2, Ly 1, Hòe 0.3, Thùy 1, Uyên 1, Khuê 0.5, Ngân 2, Tâm 1, Lý 1, Thơm 1, "
    "Lụa 0.5, Hiên 0.5, Châu 1, Duyên 1, Hậu 1, Lệ 1, Nguyệt 1, Sen 0.5, Tươi 1, Vui 0.5"
)

# Fully ASCII, fully legitimate Kinh names (no syllable here is ever "missing its diacritics").
ASCII_FAMILY = _pool("Kim 1, Mai 1, Cao 1, Chu 1, La 1")
ASCII_MIDDLE = _pool("Thanh 2, Kim 1, Minh 2, Lan 1, Gia 1")
ASCII_GIVEN = _pool(
    "Anh 2, Mai 1, Lan 1, Linh 1, Nam 1, Long 1, Trang 1, Giang 1, Hoa 1, Khoa 1, Chi 1, Nhi 1"
)


class _Group:
    """Name pools of one ethnic group. ``given_first`` groups write given name before family
    (Ê Đê "Y Bih Niê")."""

    def __init__(
        self,
        family: str,
        middle_male: str,
        middle_female: str,
        given_male: str,
        given_female: str,
        given_first: bool = False,
    ) -> None:
        self.family = _pool(family)
        self.middle = {True: _pool(middle_male), False: _pool(middle_female)}
        self.given = {True: _pool(given_male), False: _pool(given_female)}
        self.given_first = given_first


ETHNIC_GROUPS: dict[str, _Group] = {
    "tay_nung": _Group(
        "Nông 6, Hoàng 6, Lục 3, Bế 3, Hà 2, Lương 2, Ma 2, Lăng 1, Triệu 2, Đàm 1, Lý 1, Mông 1, "
        "Vi 1, Chu 1, Hứa 1, Lâm 1, Sầm 1, Dương 1, La 1",
        "Văn 6, Đức 1, Thanh 1, Hữu 1",
        "Thị 8, Thanh 1, Kim 1",
        "Slình 1, Pảo 1, Pằn 1, Chài 1, Thắng 2, Hùng 1, Tuấn 1, Cường 1, Minh 1, Sình 1, Lìu 1, "
        "Khoa 1, Dũng 1, Hải 1, Quang 1, Phấn 1, Vượng 1",
        "Slam 1, Pảo 1, Slinh 1, Mây 1, Ngần 1, Pín 1, Lan 2, Hoa 1, Hương 1, Thủy 1, Nhất 1, "
        "Dung 1, Thúy 1, Mai 1, Sao 1, Phượng 1",
    ),
    "hmong": _Group(
        "Giàng 4, Vàng 4, Thào 4, Sùng 3, Lầu 2, Mua 2, Hầu 2, Lý 2, Cứ 1, Má 1, Tráng 1, Ly 1",
        "A 6, Seo 3, Mí 1, Văn 1",
        "Thị 6, Mí 2",
        "Páo 2, Chứ 1, Dính 1, Sử 1, Pó 1, Lử 1, Tủa 1, Sính 1, Phử 1, Dế 1, Chơ 1, Chang 1, "
        "Vần 1, Súa 1",
        "Mỷ 2, Dợ 1, Sua 1, Mai 1, Chia 1, Dở 1, Xó 1, Pà 1, Cở 1, Máy 1, Chu 1, Say 1",
    ),
    "dao": _Group(
        "Bàn 4, Triệu 4, Lý 3, Đặng 3, Chảo 2, Phùn 1, Tẩn 1, Lò 1",
        "Văn 5, Kim 1, Tài 1, Láo 1",
        "Thị 6, Mùi 1, Kiều 1",
        "Chiêu 1, Phẩy 1, Quẩy 1, Sành 1, Chòi 1, Phin 1, Kiềm 1, Thành 1, Lưu 1, Quý 1",
        "Mẩy 1, Nhất 1, Mùi 1, Xuân 1, Ngan 1, Châm 1, Mai 1, Lan 1",
    ),
    "thai_muong": _Group(
        "Lò 4, Cầm 3, Quàng 2, Lường 2, Tòng 2, Vi 1, Bạc 1, Bùi 4, Đinh 3, Quách 2, Hà 2, Sa 1",
        "Văn 8, Đức 1",
        "Thị 9",
        "Ún 1, Xuân 1, Pọm 1, Khiêm 1, Sơn 1, Hùng 1, Thanh 1, Tiến 1, Chung 1, Lả 1, Biên 1",
        "Ún 1, Xiêm 1, Bua 1, Ín 1, Hoa 1, Lan 1, Hương 1, Thoa 1, Thanh 1, Oản 1",
    ),
    "khmer": _Group(
        "Thạch 6, Danh 5, Sơn 4, Kim 3, Lâm 2, Lý 1, Chau 2",
        "Văn 1, Sô 1, Sa 1, Kim 1, Minh 1, Chanh 1",
        "Thị 5, Sa 1, Kim 1",
        "Phol 1, Sóc 1, Rinh 1, Phone 1, Vọng 1, Đa Ra 1, Sa Rát 1, Tha 1, Som 1, Sang 1, Pha 1",
        "Ly 1, Sa Ly 1, Kha 1, Na 1, Sà Rươl 1, Chanh Đa 1, Nương 1, Pha 1, Sóc 1, Mây 1, Sinh 1",
    ),
    # Ê Đê: given name first, "Y" for men and "H'" (glued) for women: "Y Bih Niê", "H'Hen Niê".
    "ede": _Group(
        "Niê 4, Êban 2, Ayun 1, Mlô 1, Byă 1, Adrơng 1, Knul 1",
        "- 1",
        "H' 1",
        "Bih 1, Yuh 1, Blưm 1, Thuyên 1, Đen 1, Kơ 1, Hlơi 1, Djuin 1, Phức 1, Krông 1",
        "Hen 1, Ngoan 1, Hương 1, Blăk 1, Lê 1, Nhi 1, Dju 1, Bông 1, Dim 1",
        given_first=True,
    ),
    # Gia Rai / Ba Na: family first: "Ksor Phước", "Rơ Châm H'Khuyên", "Siu Thị Hương".
    "jarai": _Group(
        "Ksor 3, Siu 3, Rơ Châm 2, Rah Lan 2, Nay 2, Kpă 2, Rơ Mah 1, Đinh 1",
        "- 3, Văn 1",
        "H' 2, Thị 1",
        "Phước 1, Chung 1, Blang 1, Hyưn 1, Dơk 1, Thuyên 1, Yuh 1, Kơ 1, Hlơi 1, Thơm 1",
        "Khuyên 1, Hương 1, Blăk 1, Nhi 1, Bông 1, Dim 1, Hen 1, Ngoan 1, Jú 1",
    ),
}

# Old tone placement (hòa) → new placement (hoà); both appear in official data.
NEW_TONE_STYLE = {
    "òa": "oà", "óa": "oá", "ỏa": "oả", "õa": "oã", "ọa": "oạ",
    "òe": "oè", "óe": "oé", "ỏe": "oẻ", "õe": "oẽ", "ọe": "oẹ",
    "ùy": "uỳ", "úy": "uý", "ủy": "uỷ", "ũy": "uỹ", "ụy": "uỵ",
}  # fmt: skip
OLD_TONE_STYLE = {new: old for old, new in NEW_TONE_STYLE.items()}


def _replace_at_word_end(text: str, table: dict[str, str]) -> str:
    words = text.split(" ")
    for i, word in enumerate(words):
        tail = word[-2:].lower()
        if tail in table:
            repl = table[tail]
            words[i] = word[:-2] + (repl if word[-2:].islower() else repl.upper())
    return " ".join(words)


def to_new_tone_style(name: str) -> str:
    """Hòa → Hoà, Thủy → Thuỷ (only in open syllables, where both placements are used)."""
    return _replace_at_word_end(name, NEW_TONE_STYLE)


def to_old_tone_style(name: str) -> str:
    """Hoà → Hòa, Thuỷ → Thủy."""
    return _replace_at_word_end(name, OLD_TONE_STYLE)


def has_tone_style_choice(name: str) -> bool:
    """True if the name has a syllable whose tone placement can be written two ways."""
    return to_new_tone_style(name) != to_old_tone_style(name)


def _choice(rng: np.random.Generator, pool: Pool, n: int) -> np.ndarray:
    names, p = pool
    return np.asarray(names, dtype=object)[rng.choice(len(names), size=n, p=p)]


def _by_sex(rng: np.random.Generator, pools: dict[bool, Pool], male: np.ndarray) -> np.ndarray:
    out = np.empty(len(male), dtype=object)
    for is_male in (True, False):
        idx = np.flatnonzero(male == is_male)
        out[idx] = _choice(rng, pools[is_male], len(idx))
    return out


def _join(*parts: np.ndarray) -> np.ndarray:
    """Join name parts with single spaces, skipping empty parts."""
    out = parts[0].copy()
    for part in parts[1:]:
        out = np.where(part == "", out, out + " " + part)
    return out


def draw_given(rng: np.random.Generator, male: np.ndarray, group: str) -> np.ndarray:
    """Given names only (to redraw a namesake or a twin's name)."""
    if group == "kinh":
        return _by_sex(rng, {True: KINH_GIVEN_MALE, False: KINH_GIVEN_FEMALE}, male)
    return _by_sex(rng, ETHNIC_GROUPS[group].given, male)


def draw_names(
    rng: np.random.Generator,
    male: np.ndarray,
    birth_year: np.ndarray,
    group: str,
    region: str,
    ascii_share: float = 0.005,
) -> dict[str, np.ndarray]:
    """Family, middle, given and full names for people of one group (arrays of ``str``).

    ``region`` is "north" or "south" (Hoàng/Vũ vs Huỳnh/Võ). Middle names Văn/Thị are commoner
    among older people; a few Kinh people have no middle name at all.
    """
    n = len(male)
    male = np.asarray(male, dtype=bool)
    if group != "kinh":
        g = ETHNIC_GROUPS[group]
        family = _choice(rng, g.family, n)
        middle = _by_sex(rng, g.middle, male)
        middle[middle == "-"] = ""
        given = _by_sex(rng, g.given, male)
        glued = np.char.endswith(middle.astype(str), "'")  # H'Hen: the prefix is part of the name
        given = np.where(glued, middle + given, given).astype(object)
        middle[glued] = ""
        if g.given_first:
            given = np.where(male, "Y " + given, given).astype(object)
            full = _join(given, family)
            middle[:] = ""
        else:
            full = _join(family, middle, given)
        return {"family": family, "middle": middle, "given": given, "full_name": full}

    family = _choice(rng, KINH_FAMILY[region], n)
    traditional_p = np.select([birth_year < 1975, birth_year < 2000], [0.6, 0.4], 0.15)
    traditional = rng.random(n) < traditional_p
    middle = np.where(
        traditional,
        np.where(male, "Văn", "Thị"),
        _by_sex(rng, {True: KINH_MIDDLE_MALE, False: KINH_MIDDLE_FEMALE}, male),
    ).astype(object)
    middle[rng.random(n) < 0.02] = ""
    given = draw_given(rng, male, "kinh")
    plain = rng.random(n) < ascii_share
    k = int(plain.sum())
    if k:
        family[plain] = _choice(rng, ASCII_FAMILY, k)
        middle[plain] = _choice(rng, ASCII_MIDDLE, k)
        given[plain] = _choice(rng, ASCII_GIVEN, k)
    return {
        "family": family,
        "middle": middle,
        "given": given,
        "full_name": _join(family, middle, given),
    }
