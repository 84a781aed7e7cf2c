"""Unicode → legacy Vietnamese encodings (TCVN3/ABC, VNI-Windows), to fake old spreadsheets.

Commune lists typed in the 1990s–2000s font encodings are read today as mojibake: "Nguyễn Văn"
in TCVN3 shows as "NguyÔn V¨n", in VNI as "Nguyeãn Vaên". The decoder lives in
``vaxutils.text.legacy``; this module only *encodes*, to inject such names into synthetic exports.

TCVN3 has no codes for upper-case letters with a tone mark (the font family had a separate
upper-case font), so those are written with the lower-case code, as the old fonts did.

>>> to_tcvn3("Nguyễn Văn Đức"), to_vni("Nguyễn Văn Đức")
('NguyÔn V¨n §øc', 'Nguyeãn Vaên Ñöùc')
>>> to_tcvn3("Trần Thị Hoà"), to_vni("Trần Thị Hoà")
('TrÇn ThÞ Hoµ', 'Traàn Thò Hoaø')
"""

from __future__ import annotations

import unicodedata

# Base vowel → its five toned forms in the order huyền, sắc, hỏi, ngã, nặng.
_TONED = {
    "a": "àáảãạ", "ă": "ằắẳẵặ", "â": "ầấẩẫậ", "e": "èéẻẽẹ", "ê": "ềếểễệ", "i": "ìíỉĩị",
    "o": "òóỏõọ", "ô": "ồốổỗộ", "ơ": "ờớởỡợ", "u": "ùúủũụ", "ư": "ừứửữự", "y": "ỳýỷỹỵ",
}  # fmt: skip

# TCVN3 (ABC) single-byte codes, read as Latin-1: the bare letter, then the five toned forms.
_TCVN3_CODES = {
    "a": "aµ¸¶·¹", "ă": "¨»¾¼½Æ", "â": "©ÇÊÈÉË", "e": "eÌÐÎÏÑ", "ê": "ªÒÕÓÔÖ", "i": "i×ÝØÜÞ",
    "o": "oßãáâä", "ô": "«åèæçé", "ơ": "¬êíëìî", "u": "uïóñòô", "ư": "\xadõøö÷ù", "y": "yúýûüþ",
}  # fmt: skip
_TCVN3_UPPER_BARE = {"Ă": "¡", "Â": "¢", "Ê": "£", "Ô": "¤", "Ơ": "¥", "Ư": "¦", "Đ": "§", "đ": "®"}

# VNI-Windows: base letter followed by a mark byte. Lower-case marks per form (huyền … nặng).
_VNI_TONE_MARKS = "øùûõï"
_VNI_TONE_MARKS_UPPER = "ØÙÛÕÏ"
# Letters whose shape mark is appended: (lower form, upper form) per base; ơ/ư are single bytes.
_VNI_BASE = {
    "a": ("a", "A"), "ă": ("aê", "AÊ"), "â": ("aâ", "AÂ"), "e": ("e", "E"), "ê": ("eâ", "EÂ"),
    "o": ("o", "O"), "ô": ("oâ", "OÂ"), "ơ": ("ô", "Ô"), "u": ("u", "U"), "ư": ("ö", "Ö"),
    "y": ("y", "Y"),
}  # fmt: skip
# ă and â take different tone bytes in VNI (the mark combines shape and tone).
_VNI_SPECIAL_TONES = {
    "ă": ("èéúüë", "ÈÉÚÜË"),
    "â": ("àáåãä", "ÀÁÅÃÄ"),
    "ê": ("àáåãä", "ÀÁÅÃÄ"),
    "ô": ("àáåãä", "ÀÁÅÃÄ"),
}
# i and ỵ are single bytes in VNI.
_VNI_SINGLE = {"ì": "ì", "í": "í", "ỉ": "æ", "ĩ": "ó", "ị": "ò", "ỵ": "î",
               "Ì": "Ì", "Í": "Í", "Ỉ": "Æ", "Ĩ": "Ó", "Ị": "Ò", "Ỵ": "Î",
               "đ": "ñ", "Đ": "Ñ"}  # fmt: skip


def _tcvn3_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for base, codes in _TCVN3_CODES.items():
        forms = base + _TONED[base]
        for form, code in zip(forms, codes, strict=True):
            table[ord(form)] = code
            upper = form.upper()
            if upper != form and ord(upper) not in table:
                table[ord(upper)] = code if form != base else upper
    for char, code in _TCVN3_UPPER_BARE.items():
        table[ord(char)] = code
    # plain ASCII letters stay as they are
    for char in "AEIOUYaeiouy":
        table.pop(ord(char), None)
    return table


def _vni_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for base, (lower, upper) in _VNI_BASE.items():
        if base in ("ă", "â", "ê", "ô", "ơ", "ư"):
            table[ord(base)] = lower
            table[ord(base.upper())] = upper
        tones_lo, tones_up = _VNI_SPECIAL_TONES.get(base, (_VNI_TONE_MARKS, _VNI_TONE_MARKS_UPPER))
        plain_lo = lower[0] if base in _VNI_SPECIAL_TONES else lower
        plain_up = upper[0] if base in _VNI_SPECIAL_TONES else upper
        for form, mark_lo, mark_up in zip(_TONED[base], tones_lo, tones_up, strict=True):
            table[ord(form)] = plain_lo + mark_lo
            table[ord(form.upper())] = plain_up + mark_up
    for char, code in _VNI_SINGLE.items():
        table[ord(char)] = code
    return table


TCVN3_TABLE = _tcvn3_table()
VNI_TABLE = _vni_table()


def to_tcvn3(text: str) -> str:
    """The TCVN3 byte string of ``text``, read back as Latin-1 (what a modern reader shows)."""
    return unicodedata.normalize("NFC", text).translate(TCVN3_TABLE)


def to_vni(text: str) -> str:
    """The VNI-Windows byte string of ``text``, read back as cp1252."""
    return unicodedata.normalize("NFC", text).translate(VNI_TABLE)
