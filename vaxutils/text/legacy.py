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
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils.text import cell_text, factorize_texts, spread
from vaxutils.text.legacy_charts import (
    TCVN3_TO_UNICODE,
    TCVN3_TRANSLATE,
    VNI_PATTERN,
    VNI_TO_UNICODE,
    encode_legacy,
)
from vaxutils.text.syllables import is_vietnamese_syllable, syllable_score

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


def _decode(text: str, encoding: str) -> str:
    if encoding == "tcvn3":
        return text.translate(TCVN3_TRANSLATE)
    return VNI_PATTERN.sub(lambda m: VNI_TO_UNICODE[m.group(0)], text)


# A name column is read more than once (normalised, then checked for issues; its keys are made from
# the normalised names, mostly the same texts): each distinct text is scored once per process.
@lru_cache(maxsize=1 << 17)
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
    best_score = syllable_score(text.replace("Ð", "Đ").replace("ð", "đ"))
    for encoding in candidates:
        decoded = _decode(text, encoding)
        score = syllable_score(decoded)
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
