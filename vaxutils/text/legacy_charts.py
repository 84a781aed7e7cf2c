"""The code charts of the legacy Vietnamese encodings, TCVN3 (ABC, TCVN 5712:1993 VN3) and VNI
Windows, as decoding tables (legacy code → Unicode letter), and the encoder that types a text
in either (the inverse, for synthetic data and tests)."""

from __future__ import annotations

import re
import unicodedata

from vaxutils.text.syllables import TONE_MARKS

# --- TCVN3 (ABC), TCVN 5712:1993 VN3 ------------------------------------------------------------
# Per vowel, the chart order is: plain, grave, hook, tilde, acute, dot (bytes rising).
_TCVN3_VOWELS = {
    # vowel: (plain, grave, hook, tilde, acute, dot)
    "a": ("a", "µ", "¶", "·", "¸", "¹"),
    "ă": ("¨", "»", "¼", "½", "¾", "Æ"),
    "â": ("©", "Ç", "È", "É", "Ê", "Ë"),
    "e": ("e", "Ì", "Î", "Ï", "Ð", "Ñ"),
    "ê": ("ª", "Ò", "Ó", "Ô", "Õ", "Ö"),
    "i": ("i", "×", "Ø", "Ü", "Ý", "Þ"),
    "o": ("o", "ß", "á", "â", "ã", "ä"),
    "ô": ("«", "å", "æ", "ç", "è", "é"),
    "ơ": ("¬", "ê", "ë", "ì", "í", "î"),
    "u": ("u", "ï", "ñ", "ò", "ó", "ô"),
    "ư": ("\u00ad", "õ", "ö", "÷", "ø", "ù"),  # ư is 0xAD, the soft hyphen in Latin-1
    "y": ("y", "ú", "û", "ü", "ý", "þ"),
}
_TCVN3_SINGLES = {"¡": "Ă", "¢": "Â", "£": "Ê", "¤": "Ô", "¥": "Ơ", "¦": "Ư", "§": "Đ", "®": "đ"}
_CHART_TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")


def _build_tcvn3() -> dict[str, str]:
    table = dict(_TCVN3_SINGLES)
    for vowel, codes in _TCVN3_VOWELS.items():
        for code, tone in zip(codes, _CHART_TONES, strict=True):
            if code != vowel:
                table[code] = unicodedata.normalize("NFC", vowel + tone)
    return table


TCVN3_TO_UNICODE: dict[str, str] = _build_tcvn3()
TCVN3_TRANSLATE = str.maketrans(TCVN3_TO_UNICODE)

# --- VNI Windows ----------------------------------------------------------------------------------
# Mark bytes per tone, in TONE_MARKS order (acute, grave, hook, tilde, dot).
_VNI_TONE = ("ù", "ø", "û", "õ", "ï")
_VNI_CIRCUMFLEX = ("â", "á", "à", "å", "ã", "ä")  # plain circumflex, then with each tone
_VNI_BREVE = ("ê", "é", "è", "ú", "ü", "ë")
_VNI_I = ("í", "ì", "æ", "ó", "ò")  # i with each tone, single bytes


def _build_vni() -> dict[str, str]:
    lower: dict[str, str] = {"ñ": "đ", "ô": "ơ", "ö": "ư", "î": "ỵ"}
    for base in "aeiouy":
        for seq_tone, tone in zip(_VNI_TONE, TONE_MARKS, strict=True):
            lower[base + seq_tone] = base + tone
    for base in "aeo":
        for seq, tone in zip(_VNI_CIRCUMFLEX, ("",) + TONE_MARKS, strict=True):
            lower[base + seq] = base + "\u0302" + tone
    for seq, tone in zip(_VNI_BREVE, ("",) + TONE_MARKS, strict=True):
        lower["a" + seq] = "a\u0306" + tone
    for horn_byte, horn in (("ô", "o\u031b"), ("ö", "u\u031b")):
        for seq_tone, tone in zip(_VNI_TONE, TONE_MARKS, strict=True):
            lower[horn_byte + seq_tone] = horn + tone
    for seq, tone in zip(_VNI_I, TONE_MARKS, strict=True):
        lower[seq] = "i" + tone
    table: dict[str, str] = {}
    for seq, uni in lower.items():
        uni = unicodedata.normalize("NFC", uni)
        # The case of the result follows the first byte; the mark byte may come in either case
        # (VNI fonts had capital-height mark glyphs, but typists mixed them).
        for first in {seq[0], seq[0].upper()}:
            for rest in {seq[1:], seq[1:].upper()}:
                table[first + rest] = uni.upper() if first.isupper() else uni
    return table


VNI_TO_UNICODE: dict[str, str] = _build_vni()


def _inverse(table: dict[str, str]) -> dict[str, str]:
    """Unicode letter → its legacy code, from a decoding table: for each letter the code in the
    letter's own case (VNI also decodes mixed-case marks), the shortest first."""

    def rank(item: tuple[str, str]) -> tuple[bool, int, str]:
        code, letter = item
        own_case = code == (code.lower() if letter.islower() else code.upper())
        return (not own_case, len(code), code)

    inverse: dict[str, str] = {}
    for code, letter in sorted(table.items(), key=rank):
        letter = unicodedata.normalize("NFC", letter)
        if len(letter) == 1:
            inverse.setdefault(letter, code)
    return inverse


_ENCODERS = {"tcvn3": _inverse(TCVN3_TO_UNICODE), "vni": _inverse(VNI_TO_UNICODE)}


def encode_legacy(text: str, encoding: str) -> str:
    """``text`` as it looks when typed in a TCVN3 (ABC) or VNI font and read as Unicode: the inverse
    of :func:`repair_legacy_encoding`, for synthetic data and tests. TCVN3 has no toned capitals,
    so they take the lowercase code, as in the real fonts.

    >>> encode_legacy("Nguyễn Văn", "tcvn3"), encode_legacy("Nguyễn Văn", "vni")
    ('NguyÔn V¨n', 'Nguyeãn Vaên')
    """
    table = _ENCODERS[encoding]
    text = unicodedata.normalize("NFC", text)
    return "".join(table.get(c) or table.get(c.lower()) or c for c in text)


VNI_PATTERN = re.compile(
    "|".join(re.escape(k) for k in sorted(VNI_TO_UNICODE, key=len, reverse=True))
)
