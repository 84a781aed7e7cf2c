"""ICAO 9303 transliteration of names for the machine-readable fields of a certificate.

ICAO Doc 9303 (Machine Readable Travel Documents), Part 3 §6, writes names in the machine-readable
zone with the letters A–Z and the filler ``<`` only: Latin letters with diacritics lose them, a few
letters have their own transliteration (Đ/đ and the look-alike Ð → D, Æ → AE, Ø → OE, ß → SS,
Þ → TH), spaces and hyphens become ``<``, and other punctuation (the apostrophe of Ê Đê names
such as "H'Hen") is left out. The EU DCC puts this form in ``nam.fnt``/``nam.gnt``
(pattern ``^[A-Z<]*$``, at most 80 characters).

Every Vietnamese letter decomposes (Unicode NFD) into a base letter and combining marks —
breve, circumflex, horn and the five tones — except Đ/đ, which is a letter of its own: so marks
are dropped after NFD, and Đ is mapped.

>>> transliterate("Nguyễn Văn Nam")
'NGUYEN<VAN<NAM'
>>> transliterate("Đặng Thị Thuỷ"), transliterate("H'Hen Niê"), transliterate("Lê-Trương  Ngọc")
('DANG<THI<THUY', 'HHEN<NIE', 'LE<TRUONG<NGOC')
>>> transliterate(None), transliterate("  ")
('', '')
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

MAX_LENGTH = 80  # DCC 1.3: fnt/gnt maxLength

# Letters that NFD does not decompose into a base letter and marks (ICAO 9303 Part 3, Table A).
_SPECIAL = {
    "Đ": "D", "đ": "D", "Ð": "D", "ð": "D",
    "Æ": "AE", "æ": "AE", "Ø": "OE", "ø": "OE", "Œ": "OE", "œ": "OE",
    "ß": "SS", "Þ": "TH", "þ": "TH", "Ł": "L", "ł": "L", "Ħ": "H", "ħ": "H", "ı": "I",
}  # fmt: skip


def transliterate(name: Any) -> str:
    """The ICAO 9303 form of one name ('' when there is none)."""
    if name is None or (not isinstance(name, str) and pd.isna(name)):
        return ""
    return transliterate_series(pd.Series([str(name)], dtype="string")).iloc[0]


def transliterate_series(s: pd.Series) -> pd.Series:
    """:func:`transliterate` on a Series (Arrow string kernels, no Python loop); NA gives ''.

    >>> transliterate_series(pd.Series(["Thạch Thị Sóc", None, "Giàng A Páo"])).tolist()
    ['THACH<THI<SOC', '', 'GIANG<A<PAO']
    """
    if len(s) == 0:
        return pd.Series([], index=s.index, dtype="string")
    text = pa.array(s.astype("string").fillna("")).cast(pa.large_string())
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    text = pc.utf8_normalize(text, "NFD")
    for letter, latin in _SPECIAL.items():
        text = pc.replace_substring(text, letter, latin)
    text = pc.replace_substring_regex(text, r"\p{M}+", "")
    text = pc.utf8_upper(text)
    # separators become the filler; anything else that is not A-Z goes
    text = pc.replace_substring_regex(text, r"[\s\-‐‑–—_.,/]+", "<")
    text = pc.replace_substring_regex(text, r"[^A-Z<]+", "")
    text = pc.replace_substring_regex(text, r"<{2,}", "<")
    text = pc.utf8_trim(text, "<")
    text = pc.utf8_slice_codeunits(text, 0, MAX_LENGTH)
    text = pc.utf8_rtrim(text, "<")
    return pd.Series(pd.arrays.ArrowStringArray(text), index=s.index).fillna("")


def split_name(s: pd.Series) -> pd.DataFrame:
    """A Vietnamese full name "Family Middle Given" as DCC ``fn`` (the family name, the first word)
    and ``gn`` (the rest; NA for a one-word name), NFC, spaces collapsed; NA stays NA.

    >>> split_name(pd.Series(["Nguyễn Văn Nam", "Lan", None])).values.tolist()
    [['Nguyễn', 'Văn Nam'], ['Lan', <NA>], [<NA>, <NA>]]
    """
    text = s.astype("string").str.normalize("NFC").str.split().str.join(" ")
    text = text.mask(text == "")
    parts = text.str.partition(" ")
    given = parts[2].astype("string")
    return pd.DataFrame(
        {"fn": parts[0].astype("string").mask(text.isna()), "gn": given.mask(given == "")},
        index=s.index,
    )


def is_nfc(s: pd.Series) -> pd.Series:
    """Whether each text is in Unicode NFC (NA counts as True), via Arrow.

    >>> is_nfc(pd.Series(["Hòa", "Ho\\u0300a"])).tolist()
    [True, False]
    """
    text = pa.array(s.astype("string"), type=pa.large_string())
    same = pc.equal(pc.utf8_normalize(text, "NFC"), text)
    return pd.Series(same.to_pandas(), index=s.index).fillna(True).astype(bool)
