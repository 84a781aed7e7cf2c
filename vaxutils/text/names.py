"""Full names: normalisation, matching keys and problems (DESIGN §2.3).

A Vietnamese full name is "Family Middle Given" (Nguyễn Văn Nam). Normalising means: legacy
TCVN3/VNI mojibake repaired and the ``Ð`` look-alike (U+00D0) replaced by ``Đ`` (U+0110), Unicode
NFC, invisible characters dropped, whitespace collapsed, and Vietnamese title case — the first
letter of every word upper-cased, also after a one-letter prefix with an apostrophe as in Ê Đê
names ("H'Hen Niê", "K'Bròk"); "Bh'riu" keeps its lowercase. A cell without a single letter
("", "-", "0") normalises to NA. Tone-mark placement (hòa/hoà) is *not* changed: official data uses both styles. Matching keys fold it instead.

>>> normalize("  NGUYỄN   văn  nam ")
'Nguyễn Văn Nam'
>>> normalize("h'hen niê"), normalize("NguyÔn V¨n Nam"), normalize("Ðặng Thị Hoa")
("H'Hen Niê", 'Nguyễn Văn Nam', 'Đặng Thị Hoa')
>>> match_key("Lê Thị Hòa") == match_key("LÊ THỊ HOÀ"), match_key("Hòa") == match_key("Hoa")
(True, False)
>>> ascii_key("Đặng Thị Thuỷ")
'dang thi thuy'
>>> is_missing_diacritics("Nguyen Van Nam"), is_missing_diacritics("Kim Thanh Mai")
(True, False)
>>> issues("Tran Thi Lan 2")
[('name_invalid_characters', 'Tran Thi Lan'), ('name_no_diacritics', None)]

Issue codes (``issues_series``; catalogue ``vaxutils/screen/catalogue/names.yaml``):
``name_missing``, ``name_legacy_encoding`` (suggestion = repair), ``name_d_lookalike``
(suggestion), ``name_invalid_characters`` (digits/symbols; suggestion when they only sit at word
edges), ``name_no_diacritics`` (warning; only from syllables that are never written plain in names,
see ``never_plain_syllables.txt``), and — only when a value has no error — the normalisations
``name_unicode_form``, ``name_whitespace``, ``name_case`` (suggestion = normalised name).
Ethnic-minority names (Nông, Bế, Slam, Thạch, Giàng, H'Hen Niê, Kpă ...) are not judged by Kinh
syllable patterns: only the rules above apply to them.
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from vaxutils.text import (
    empty_issues,
    factorize_cells,
    issues_from_uniques,
    legacy,
    spread,
)

__all__ = [
    "normalize",
    "match_key",
    "ascii_key",
    "is_missing_diacritics",
    "issues",
    "normalize_series",
    "match_key_series",
    "ascii_key_series",
    "issues_series",
]

# Characters that look like Đ/đ but are not (Icelandic eth, African D).
_D_LOOKALIKES = {"Ð": "Đ", "ð": "đ", "Ɖ": "Đ", "ɖ": "đ"}
_D_LOOKALIKE_TABLE = str.maketrans(_D_LOOKALIKES)
_D_LOOKALIKE_RE = "[" + "".join(_D_LOOKALIKES) + "]"
# Invisible characters that creep in from web forms and Word: removed, not turned into spaces.
_INVISIBLE_RE = "[\u200b\u200c\u200d\u2060\ufeff\u00ad]"
_SPACES_RE = r"\s+"
_LETTER_RE = r"[^\W\d_]"
_APOSTROPHES = "'’ʼ"
# A word starts at the beginning or after a space/hyphen; an apostrophe after a one-letter prefix
# starts a new capitalised part (H'Hen), after longer prefixes it does not (Bh'riu).
_WORD_START_RE = re.compile(rf"(?:^|(?<=[\s\-]))(\w)(?:([{_APOSTROPHES}])(\w))?")
# Not allowed in a name: digits, underscore, symbols and punctuation, and apostrophes or hyphens
# that are not between two letters.
_INVALID_RE = (
    rf"[^\w\s{_APOSTROPHES}\-\u0300-\u036f]|[\d_]"
    rf"|(?<!{_LETTER_RE})[{_APOSTROPHES}\-]|[{_APOSTROPHES}\-](?!{_LETTER_RE})"
)
# Junk at the edges of a word (what stripping removes when the fix is obvious).
_EDGE_JUNK_RE = r"(?:^|(?<=\s))(?:[^\w\s]|[\d_])+|(?:[^\w\s]|[\d_])+(?=\s|$)"
_BRACKETS_RE = r"[()\[\]{}<>]"
_TONE_THEN_REST_RE = r"([\u0300\u0301\u0303\u0309\u0323])(\S+)"
_COMBINING_RE = r"[\u0300-\u036f]"


def _load_never_plain() -> frozenset[str]:
    text = resources.files("vaxutils.text").joinpath("never_plain_syllables.txt").read_text("utf-8")
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return frozenset(line for line in lines if line)


NEVER_PLAIN_SYLLABLES: frozenset[str] = _load_never_plain()
# Plain "Thi" is a real given name (thơ); as a middle word it can only be Thị.
_PLAIN_AS_GIVEN_NAME = frozenset({"thi"})
_NO_DIACRITICS_RE = (
    r"(?:^|(?<=[\s\-]))(?:"
    + "|".join(sorted(NEVER_PLAIN_SYLLABLES - _PLAIN_AS_GIVEN_NAME))
    + r")(?=$|[\s\-])|(?:^|(?<=[\s\-]))(?:"
    + "|".join(sorted(_PLAIN_AS_GIVEN_NAME))
    + r")(?=[\s\-])"
)


# --- kernels: object Series of unique, non-missing texts in, same index out ----------------------


def _title_word(match: re.Match) -> str:
    head = match.group(1).upper()
    return head if match.group(2) is None else head + match.group(2) + match.group(3).upper()


def _collapse(texts: pd.Series) -> pd.Series:
    texts = texts.str.replace(_INVISIBLE_RE, "", regex=True)
    return texts.str.replace(_SPACES_RE, " ", regex=True).str.strip()


def _normalize_texts(texts: pd.Series) -> pd.Series:
    repaired = legacy.repair_series(texts)
    texts = texts.where(repaired.isna(), repaired)
    texts = texts.str.translate(_D_LOOKALIKE_TABLE).str.normalize("NFC")
    texts = _collapse(texts).str.lower()
    titled = texts.str.replace(_WORD_START_RE, _title_word, regex=True)
    # No letter at all ("", "-", "0"): there is no name, as for an empty cell (name_missing).
    return titled.where(titled.str.contains(_LETTER_RE, regex=True), None)


def _match_key_texts(texts: pd.Series) -> pd.Series:
    decomposed = _normalize_texts(texts).str.lower().str.normalize("NFD")
    # The tone mark moves to the end of its word, so hòa and hoà (and thủy/thuỷ) give one key.
    return decomposed.str.replace(_TONE_THEN_REST_RE, r"\2\1", regex=True).str.normalize("NFC")


def _ascii_key_texts(texts: pd.Series) -> pd.Series:
    lowered = _normalize_texts(texts).str.lower().str.replace("đ", "d", regex=False)
    return lowered.str.normalize("NFD").str.replace(_COMBINING_RE, "", regex=True)


def _no_diacritics_texts(normalized: pd.Series) -> pd.Series:
    return normalized.str.lower().str.contains(_NO_DIACRITICS_RE, regex=True)


def _issue_texts(texts: pd.Series) -> pd.DataFrame:
    """Issues per unique text: DataFrame[pos, code, suggestion]."""
    nfc = texts.str.normalize("NFC")
    collapsed = _collapse(nfc)
    normalized = _normalize_texts(texts)
    repaired = legacy.repair_series(texts)
    is_legacy = repaired.notna()
    readable = _collapse(nfc.where(~is_legacy, repaired).str.translate(_D_LOOKALIKE_TABLE))

    missing = ~readable.str.contains(_LETTER_RE, regex=True)
    lookalike = ~is_legacy & nfc.str.contains(_D_LOOKALIKE_RE, regex=True) & ~missing
    invalid = readable.str.contains(_INVALID_RE, regex=True) & ~missing
    no_diacritics = ~is_legacy & ~missing & _no_diacritics_texts(normalized)

    invalid_fix = pd.Series(pd.NA, index=texts.index, dtype=object)
    fixable = invalid & ~readable.str.contains(_BRACKETS_RE, regex=True)
    if fixable.any():
        stripped = _collapse(readable[fixable].str.replace(_EDGE_JUNK_RE, " ", regex=True))
        clean = ~stripped.str.contains(_INVALID_RE, regex=True)
        clean &= stripped.str.contains(_LETTER_RE, regex=True)
        invalid_fix[clean[clean].index] = _normalize_texts(stripped[clean])

    has_error = missing | is_legacy | lookalike | invalid
    no_suggestion = pd.Series(pd.NA, index=texts.index, dtype=object)
    checks = [
        ("name_missing", missing, no_suggestion),
        ("name_legacy_encoding", is_legacy & ~missing, normalized),
        ("name_d_lookalike", lookalike, normalized),
        ("name_invalid_characters", invalid, invalid_fix),
        ("name_no_diacritics", no_diacritics, no_suggestion),
        ("name_unicode_form", ~has_error & texts.ne(nfc), normalized),
        ("name_whitespace", ~has_error & nfc.ne(collapsed), normalized),
        ("name_case", ~has_error & collapsed.ne(normalized), normalized),
    ]
    frames = [
        pd.DataFrame(
            {"pos": texts.index[flag.to_numpy(dtype=bool)], "code": code},
        ).assign(suggestion=suggestion[flag.to_numpy(dtype=bool)].to_numpy(dtype=object))
        for code, flag, suggestion in checks
    ]
    # Frames are in check order; a stable sort by position keeps that order within a value.
    return pd.concat(frames, ignore_index=True).sort_values("pos", kind="stable")


# --- vectorised public functions -------------------------------------------------------------------


def _per_unique(s: pd.Series, kernel) -> pd.Series:
    if s.empty:
        return pd.Series([], index=s.index, dtype="str")
    codes, texts = factorize_cells(s)
    values = kernel(texts).to_numpy(dtype=object) if len(texts) else np.array([], dtype=object)
    out = pd.Series(spread(values, codes, s.index), index=s.index, dtype=object)
    return out.astype("str")


def normalize_series(s: pd.Series) -> pd.Series:
    """Normalised names (see module docstring); NA and blank cells give NA; index kept.

    >>> normalize_series(pd.Series(["  lê  thị HOA", None, "NguyÔn V¨n"], index=[5, 6, 7])).tolist()
    ['Lê Thị Hoa', nan, 'Nguyễn Văn']
    """
    return _per_unique(s, _normalize_texts)


def match_key_series(s: pd.Series) -> pd.Series:
    """Keys for comparing names: normalised, lowercase, tone placement folded, diacritics kept.

    >>> keys = match_key_series(pd.Series(["Nguyễn Thị Thủy", "NGUYỄN THỊ THUỶ", "Nguyễn Thị Thuy"]))
    >>> keys[0] == keys[1], keys[0] == keys[2]
    (True, False)
    """
    return _per_unique(s, _match_key_texts)


def ascii_key_series(s: pd.Series) -> pd.Series:
    """Diacritic-free lowercase keys (đ→d) for blocking and fuzzy matching — never for output.

    >>> ascii_key_series(pd.Series(["Đỗ Văn Đức", None])).tolist()
    ['do van duc', nan]
    """
    return _per_unique(s, _ascii_key_texts)


def issues_series(s: pd.Series) -> pd.DataFrame:
    """Problems in a column of names, long form: DataFrame[row, code, suggestion].

    >>> issues_series(pd.Series(["Nguyen Van Nam", "Trần Thị Ánh", None, "ÐINH VĂN AN"]))
      row                code   suggestion
    0   0  name_no_diacritics          NaN
    1   2        name_missing          NaN
    2   3    name_d_lookalike  Đinh Văn An
    """
    if s.empty:
        return empty_issues()
    codes, texts = factorize_cells(s)
    per_unique = (
        _issue_texts(texts) if len(texts) else empty_issues().rename(columns={"row": "pos"})
    )
    blank = pd.DataFrame({"pos": [-1], "code": ["name_missing"], "suggestion": [pd.NA]})
    return issues_from_uniques(pd.concat([blank, per_unique], ignore_index=True), codes, s.index)


# --- scalar functions (python-stdnum style; same answers as the Series functions) -----------------


def _scalar(function, value: Any):
    answer = function(pd.Series([value], dtype=object)).iloc[0]
    return None if pd.isna(answer) else answer


def normalize(name: Any) -> str | None:
    """The normalised name, or None when the cell is missing/blank. Never raises."""
    return _scalar(normalize_series, name)


def match_key(name: Any) -> str | None:
    """The matching key (tone placement folded, diacritics kept), or None. Never raises."""
    return _scalar(match_key_series, name)


def ascii_key(name: Any) -> str | None:
    """The diacritic-free key (matching only), or None. Never raises."""
    return _scalar(ascii_key_series, name)


def issues(name: Any) -> list[tuple[str, str | None]]:
    """The problems of one name as ``[(code, suggestion), ...]``. Never raises."""
    found = issues_series(pd.Series([name], dtype=object))
    return [
        (code, None if pd.isna(suggestion) else suggestion)
        for code, suggestion in zip(found["code"], found["suggestion"], strict=True)
    ]


def is_missing_diacritics(name: Any) -> bool:
    """True when the name was evidently typed without diacritics (``name_no_diacritics``)."""
    return any(code == "name_no_diacritics" for code, _ in issues(name))
