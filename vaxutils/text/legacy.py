"""Legacy Vietnamese encodings (TCVN3/ABC, VNI) shown as mojibake, and their Unicode repair.

Before Unicode (Decision 72/2002/QĐ-TTg made TCVN 6909:2001 Unicode mandatory), Vietnamese text
was typed with 8-bit fonts. Commune spreadsheets still carry such cells; opened without the old
font they show Latin-1 mojibake:

- **TCVN3 / ABC** (TCVN 5712:1993, VN3 table): one byte per letter; lowercase letters with marks
  live in 0xA8-0xFE, the seven capitals Ă Â Ê Ô Ơ Ư Đ in 0xA1-0xA7. Capitals with tone marks do
  not exist in VN3 (they were drawn by the ".VnTimeH" capital fonts from the lowercase bytes), so a
  repaired capitalised text may come back in lowercase: the name normaliser re-cases it.
  ``"NguyÔn V¨n"`` is "Nguyễn Văn".
- **VNI Windows**: a base letter followed by one byte for the marks (``"Nguyeãn Vaên"`` is
  "Nguyễn Văn"); đ, ơ, ư and the i-vowels with tones are single bytes.

Many of these Latin-1 characters are also ordinary Vietnamese letters in Unicode (á, ê, ô, ù ...),
so detection must not fire on good text. A cell is called legacy-encoded only when (1) every
character is Latin-1 (real Unicode Vietnamese almost always has letters beyond it, such as ă, ơ,
ư, đ, ễ), (2) it holds a *marker* that cannot occur in Unicode Vietnamese (a TCVN3 byte such as
``¨`` or ``Þ``; a VNI mark byte such as ``ø``, or a pair such as ``ea``-with-mark that no
Vietnamese syllable has), and (3) the repair turns more words into valid Vietnamese syllables
than the text had before. A false alarm would corrupt a correct name, so ties go to "not legacy".

U+00D0 ``Ð`` (Icelandic eth, looks like Đ) is handled by the name checker, not here: alone it is
not a legacy marker (in TCVN3 it would mean "é").

>>> detect_legacy_encoding("NguyÔn V¨n Nam"), repair_legacy_encoding("NguyÔn V¨n Nam")
('tcvn3', 'Nguyễn Văn Nam')
>>> detect_legacy_encoding("Nguyeãn Vaên Nam"), repair_legacy_encoding("Nguyeãn Vaên Nam")
('vni', 'Nguyễn Văn Nam')
>>> detect_legacy_encoding("Lê Thu Hà"), repair_legacy_encoding("Lê Thu Hà")
(None, 'Lê Thu Hà')
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils.text import cell_text, factorize_texts, spread

__all__ = [
    "TCVN3_TO_UNICODE",
    "VNI_TO_UNICODE",
    "detect_legacy_encoding",
    "repair_legacy_encoding",
    "detect_series",
    "repair_series",
    "repair_array",
    "is_vietnamese_syllable",
    "encode_legacy",
]

# Combining tone marks in the order the code charts list them: acute, grave, hook, tilde, dot.
_TONE_MARKS = ("\u0301", "\u0300", "\u0309", "\u0303", "\u0323")

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
_TCVN3_TRANSLATE = str.maketrans(TCVN3_TO_UNICODE)

# --- VNI Windows ----------------------------------------------------------------------------------
# Mark bytes per tone, in _TONE_MARKS order (acute, grave, hook, tilde, dot).
_VNI_TONE = ("ù", "ø", "û", "õ", "ï")
_VNI_CIRCUMFLEX = ("â", "á", "à", "å", "ã", "ä")  # plain circumflex, then with each tone
_VNI_BREVE = ("ê", "é", "è", "ú", "ü", "ë")
_VNI_I = ("í", "ì", "æ", "ó", "ò")  # i with each tone, single bytes


def _build_vni() -> dict[str, str]:
    lower: dict[str, str] = {"ñ": "đ", "ô": "ơ", "ö": "ư", "î": "ỵ"}
    for base in "aeiouy":
        for seq_tone, tone in zip(_VNI_TONE, _TONE_MARKS, strict=True):
            lower[base + seq_tone] = base + tone
    for base in "aeo":
        for seq, tone in zip(_VNI_CIRCUMFLEX, ("",) + _TONE_MARKS, strict=True):
            lower[base + seq] = base + "\u0302" + tone
    for seq, tone in zip(_VNI_BREVE, ("",) + _TONE_MARKS, strict=True):
        lower["a" + seq] = "a\u0306" + tone
    for horn_byte, horn in (("ô", "o\u031b"), ("ö", "u\u031b")):
        for seq_tone, tone in zip(_VNI_TONE, _TONE_MARKS, strict=True):
            lower[horn_byte + seq_tone] = horn + tone
    for seq, tone in zip(_VNI_I, _TONE_MARKS, strict=True):
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


_VNI_PATTERN = re.compile(
    "|".join(re.escape(k) for k in sorted(VNI_TO_UNICODE, key=len, reverse=True))
)

# --- detection ------------------------------------------------------------------------------------
# Latin-1 letters that are also Unicode Vietnamese letters: never evidence of a legacy encoding.
_VIETNAMESE_LATIN1 = set("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý")
_TCVN3_MARKERS = "".join(sorted(set(TCVN3_TO_UNICODE) - _VIETNAMESE_LATIN1 - {"Ð"}))
_VNI_MARKER_CHARS = "øûïåäëüöñæîØÛÏÅÄËÜÖÑÆÎ"
# Pairs that VNI produces and no Unicode Vietnamese syllable contains (e.g. "eã", "aê", "oâ").
# "oà"/"oá"/"oè" are left out on purpose: old-style "Hoà", "Hoá", "Hoè" are good Unicode.
_VNI_MARKER_PAIRS = (
    "[aAeE][ùÙøØûÛõÕïÏâÂáÁàÀåÅãÃäÄêÊéÉèÈúÚüÜëË]|[oO][âÂùÙõÕ]|[uUyYôÔ][ùÙõÕ]"
    "|[uU][oO][áÁàÀåÅãÃäÄ]"  # uô with a tone ("Buoác"): Unicode has no "uoá"
)
# TCVN3 bytes for ấ ầ ế ề ễ í ... look like Latin-1 capitals (Ê Ç Õ Ò Ô Ý): a capital right after
# a lowercase letter ("NguyÔn") is a marker too; in Unicode names capitals start words. So is one
# right after a capital: an all-caps name typed with a .VnTimeH font ("NGUYÔN TIÕN", é as "BÐ")
# keeps the lowercase codes. Only candidates: the syllable count decides, ties go to Unicode.
_TCVN3_MIDWORD_CAPITAL = "[a-zà-ÿ][ÀÁÂÃÈÉÊÌÍÐÒÓÔÕÙÚÝ]|[A-Z][ÆÇÈÉÊËÌÎÏÐÑÒÓÔÕÖ×ØÜÝÞß]"
_TCVN3_MARKER_RE = re.compile(f"[{re.escape(_TCVN3_MARKERS)}]|{_TCVN3_MIDWORD_CAPITAL}")
_VNI_MARKER_RE = re.compile(f"[{_VNI_MARKER_CHARS}]|{_VNI_MARKER_PAIRS}")
_NOT_LATIN1_RE = re.compile(r"[^\x00-\xff]")
# Weak evidence: letters that are good Latin-1 Vietnamese *and* legacy codes — VNI's i with a tone
# and ơ (í ì ó ò ô: "Thò" is VNI for Thị), TCVN3's lowercase tone codes (á â ã ä for o, ó ô ò for
# u, ...: "Thóy" is TCVN3 for Thúy). A cell made only of Latin-1 with one of them is a candidate;
# a reading wins only with more Vietnamese syllables, or as many and more syllables of names.
_VNI_WEAK_RE = re.compile("[íìóòôÍÌÓÒÔ]")
_TCVN3_WEAK_RE = re.compile("[áâãäåæçèéêëìíîïñòóôõöùúûüý]")
_WEAK_PATTERN = "[íìóòôÍÌÓÒÔáâãäåæçèéêëîïñõöùúûüý]"
_ALL_LATIN1_PATTERN = "^[\\x00-\\xff]*$"
#: Candidate cells for the vectorised path (a superset of what the scalar path accepts).
CANDIDATE_PATTERN = (
    f"[{re.escape(_TCVN3_MARKERS)}{_VNI_MARKER_CHARS}]|{_VNI_MARKER_PAIRS}|{_TCVN3_MIDWORD_CAPITAL}"
)

# A Vietnamese syllable (tone marks removed, lowercase): onset, then a vowel nucleus with either a
# consonant coda or one of the semivowel codas that nucleus takes (ay/ây, ai/oi/ui..., ao/eo,
# au/âu/êu/iu/ưu...). A little permissive; it only has to tell text from mojibake.
_SYLLABLE_RE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdđghklmnprstvx])?"
    r"(?:(?:uyê|uya|iê|yê|ia|ya|uô|ươ|ưa|oo|o[aăe]|u[aăâêơy]|[aăâeêioôơuưy])(?:ch|nh|ng|[cmnpt])?"
    r"|(?:oa|uâ|[aâ])y|(?:uô|ươ|oa|[aoôơuư])i|(?:oa|oe|[ae])o|(?:iê|yê|ươ|uy|[aâêiư])u)"
)
# A tone mark must sit on a vowel (NFD: vowel, then quality marks, then the tone); on a consonant
# it is not Vietnamese (e.g. "ñ" is n + tilde).
_TONE_ON_CONSONANT_RE = re.compile(
    r"(?:^|[^aeiouy\u0302\u0306\u031b\u0323])[\u0300\u0301\u0303\u0309\u0323]"
)
# The permissive pattern would accept a doubled vowel ("thuyy"); only "oo" (xoong) is Vietnamese.
_DOUBLED_VOWEL_RE = re.compile(r"(?!oo)([aăâeêioôơuưy])\1|[iy][iy]")
_TONE_SET = frozenset(_TONE_MARKS)


_ONSET_RE = re.compile(r"ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdđghklmnprstvx]")
_CODAS = ("ch", "nh", "ng", "c", "m", "n", "p", "t")
# Nuclei that never end a syllable: mía/múa/mưa, not "miê"/"muô"/"mươ" (thuở is uơ).
_NEEDS_CODA = frozenset({"iê", "yê", "uô", "ươ", "uyê"})


def _tone_places(rhyme: str) -> tuple[int, ...]:
    """Where a tone may sit in a rhyme (index of the vowel), in the new placement and, for the
    rhymes whose placement changed (hoà/hòa, khoẻ/khỏe, thuỷ/thủy), the old one too: on the vowel
    with a quality mark (ơ of ươ, ê of uyê); else before a consonant coda on the last vowel; else on
    the first vowel, except oa/oe/uy (either) and a three-vowel rhyme (the middle: oái, uỷu)."""
    vowels = [i for i, ch in enumerate(rhyme) if ch in "aăâeêioôơuưy"]
    if not vowels:
        return ()
    marked = [i for i in vowels if rhyme[i] in "ăâêôơư"]
    if marked:
        return (marked[-1],)
    if rhyme.endswith(_CODAS):
        return (vowels[-1],)
    if rhyme in ("oa", "oe", "uy"):
        return (1, 0)
    if len(vowels) == 3:
        return (vowels[1],)
    return (vowels[0],)


@lru_cache(maxsize=65536)
def is_vietnamese_syllable(word: str) -> bool:
    """True when ``word`` is shaped like one Vietnamese syllable: an onset, a rhyme, at most one
    tone mark, sitting on the vowel that carries it (old or new placement: Hòa and Hoà).

    >>> is_vietnamese_syllable("Nguyễn"), is_vietnamese_syllable("Nguyeãn"), is_vietnamese_syllable("V¨n")
    (True, False, False)
    >>> is_vietnamese_syllable("Hoà"), is_vietnamese_syllable("Hòa"), is_vietnamese_syllable("boì")
    (True, True, False)
    """
    lower = unicodedata.normalize("NFC", word.lower())
    decomposed = unicodedata.normalize("NFD", lower)
    if _TONE_ON_CONSONANT_RE.search(decomposed):
        return False
    tones = sum(ch in _TONE_SET for ch in decomposed)
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONE_SET))
    if tones > 1 or _SYLLABLE_RE.fullmatch(bare) is None or _DOUBLED_VOWEL_RE.search(bare):
        return False
    onset = _ONSET_RE.match(bare)
    start = onset.end() if onset else 0
    if bare.startswith("gi") and not any(ch in "aăâeêoôơuưy" for ch in bare[2:]):
        start = 1  # gì, gìn: the i is the vowel
    rhyme = bare[start:]
    if rhyme in _NEEDS_CODA:
        return False
    if tones == 0 or len(lower) != len(bare):
        return tones == 0
    at = next(
        i
        for i, ch in enumerate(lower)
        if any(m in _TONE_SET for m in unicodedata.normalize("NFD", ch))
    )
    return at - start in _tone_places(rhyme)


@lru_cache(maxsize=1)
def _name_syllables() -> frozenset[str]:
    text = resources.files("vaxutils.text").joinpath("name_syllables.txt").read_text("utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def _syllable_score(text: str) -> tuple[int, int]:
    """(Vietnamese syllables, of which syllables of names) in a text: a reading with more wins."""
    words = text.split()
    names = _name_syllables()
    valid = sum(is_vietnamese_syllable(word) for word in words)
    if len(words) < 2:  # one word is no name: "Phó", "Dòng" must not become "Phú", "Dũng"
        return valid, 0
    in_names = sum(unicodedata.normalize("NFC", word.lower()) in names for word in words)
    return valid, in_names


def _decode(text: str, encoding: str) -> str:
    if encoding == "tcvn3":
        return text.translate(_TCVN3_TRANSLATE)
    return _VNI_PATTERN.sub(lambda m: VNI_TO_UNICODE[m.group(0)], text)


def _best_repair(text: str) -> tuple[str | None, str]:
    if not text or _NOT_LATIN1_RE.search(text):
        return None, text
    candidates = []
    if _TCVN3_MARKER_RE.search(text) or _TCVN3_WEAK_RE.search(text):
        candidates.append("tcvn3")
    if _VNI_MARKER_RE.search(text) or _VNI_WEAK_RE.search(text):
        candidates.append("vni")
    # Ð here is the Đ look-alike, not TCVN3 "é": score the original as the name checker reads it.
    best_encoding, best_text = None, text
    best_score = _syllable_score(text.replace("Ð", "Đ").replace("ð", "đ"))
    for encoding in candidates:
        decoded = _decode(text, encoding)
        score = _syllable_score(decoded)
        if score > best_score:
            best_encoding, best_text, best_score = encoding, decoded, score
    return best_encoding, best_text


def detect_legacy_encoding(value: Any) -> str | None:
    """Return ``"tcvn3"`` or ``"vni"`` when the cell is legacy-encoded mojibake, else None.

    Never raises.

    >>> detect_legacy_encoding("TrÇn ThÞ Hoa"), detect_legacy_encoding(None), detect_legacy_encoding(5)
    ('tcvn3', None, None)
    """
    text = cell_text(value)
    return None if text is None else _best_repair(text)[0]


def repair_legacy_encoding(value: Any) -> str | None:
    """Return the Unicode (NFC) repair of a legacy-encoded cell, or the cell text unchanged.

    Missing cells give None. Never raises.

    >>> repair_legacy_encoding("Hoaøng Thò Thuùy")
    'Hoàng Thị Thúy'
    """
    text = cell_text(value)
    if text is None:
        return None
    encoding, repaired = _best_repair(text)
    return unicodedata.normalize("NFC", repaired) if encoding else text


def _legacy_answers(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Encoding and NFC repair per text of a pyarrow string array (None where not legacy)."""
    encodings = np.full(len(texts), None, dtype=object)
    repairs = np.full(len(texts), None, dtype=object)
    if len(texts) == 0:
        return encodings, repairs
    flagged = pc.match_substring_regex(texts, CANDIDATE_PATTERN).fill_null(False)
    weak = pc.and_(
        pc.match_substring_regex(texts, _WEAK_PATTERN).fill_null(False),
        pc.match_substring_regex(texts, _ALL_LATIN1_PATTERN).fill_null(False),
    )
    flagged = pc.or_(flagged, weak)
    positions = np.flatnonzero(flagged.to_numpy(zero_copy_only=False))
    # Python loop over the few candidate cells only: legacy cells are rare.
    for position in positions:
        encoding, repaired = _best_repair(texts[int(position)].as_py())
        if encoding:
            encodings[position] = encoding
            repairs[position] = unicodedata.normalize("NFC", repaired)
    return encodings, repairs


def repair_array(texts: pa.Array) -> pa.Array:
    """The repair of each legacy-encoded text of a pyarrow string array, null elsewhere."""
    return pa.array(_legacy_answers(texts)[1], type=pa.large_string())


def _on_cells(s: pd.Series, pick: int) -> pd.Series:
    if s.empty:
        return pd.Series([], index=s.index, dtype=object)
    codes, texts = factorize_texts(s)  # lone surrogates made U+FFFD, as the scalar path does
    answers = _legacy_answers(texts)[pick]
    return pd.Series(spread(answers, codes, s.index), index=s.index, dtype=object)


def detect_series(s: pd.Series) -> pd.Series:
    """Vectorised :func:`detect_legacy_encoding` over a Series of cells (None when not legacy).

    >>> detect_series(pd.Series(["NguyÔn V¨n", "Lê Văn", None])).tolist()
    ['tcvn3', None, None]
    """
    return _on_cells(s, pick=0)


def repair_series(s: pd.Series) -> pd.Series:
    """Vectorised repair: the Unicode text where a cell is legacy-encoded, None elsewhere.

    >>> repair_series(pd.Series(["Nguyeãn Vaên Nam", "Lê Văn"])).tolist()
    ['Nguyễn Văn Nam', None]
    """
    return _on_cells(s, pick=1)
