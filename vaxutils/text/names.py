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
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils.text import (
    empty_issues,
    factorize_texts,
    issues_from_uniques,
    legacy,
    spread_texts,
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
    "normalize_and_keys",
    "issues_series",
]

# Characters that look like Đ/đ but are not (Icelandic eth, African D).
_D_LOOKALIKES = {"Ð": "Đ", "ð": "đ", "Ɖ": "Đ", "ɖ": "đ"}
_D_LOOKALIKE_RE = "[" + "".join(_D_LOOKALIKES) + "]"
# The kernels run on pyarrow (RE2 regular expressions: no look-behind; \pL = any letter).
# Invisible characters that creep in from web forms and Word: removed, not turned into spaces.
_INVISIBLE_RE = "[\u200b\u200c\u200d\u2060\ufeff\u00ad]"
_WIDE_SPACES = "\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_SPACES_RE = f"[\\s{_WIDE_SPACES}]+"
# Anything _collapse would change: invisible characters, edge spaces, runs, tabs, wide spaces.
_UNTIDY_SPACE_RE = (
    f"{_INVISIBLE_RE}|^{_SPACES_RE}|{_SPACES_RE}$|[\\s{_WIDE_SPACES}]{{2}}|[^\\S ]|[{_WIDE_SPACES}]"
)
# Text made only of ASCII, Latin-1, Latin Extended-A/B, IPA/modifiers and Latin Extended
# Additional (where all precomposed Vietnamese letters live) is already NFC: skip the work.
_MAYBE_NOT_NFC_RE = "[^\\x{00}-\\x{2FF}\\x{1E00}-\\x{1EFF}]"
_LETTER_RE = r"\pL"
_APOSTROPHES = "'’ʼ"
# Not allowed in a name: anything but letters, spaces, and apostrophes/hyphens between letters.
_INVALID_RE = (
    rf"[^\pL\pM\s{_APOSTROPHES}\-]"
    rf"|(?:^|[^\pL])[{_APOSTROPHES}\-]|[{_APOSTROPHES}\-](?:$|[^\pL])"
)
# Title case capitalises after every apostrophe (h'hen -> H'Hen, right for Ê Đê names); after a
# prefix of two letters or more the apostrophe is inside a word (Bh'riu), so the letter goes back.
_INNER_APOSTROPHE_RE = rf"\pL\pL[{_APOSTROPHES}]\pL"
_INNER_APOSTROPHE_PY = re.compile(rf"(?<=[^\W\d_]{{2}}[{_APOSTROPHES}])([^\W\d_])")
# Title case also capitalises after a combining mark left over by NFC (a double tone): undo it.
_COMBINING = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_AFTER_MARK_RE = rf"[{_COMBINING}]\pL"
_AFTER_MARK_PY = re.compile(rf"(?<=[{_COMBINING}])([^\W\d_])")
# Junk at the edges of a word (what stripping removes when the fix is obvious); Python regex.
_EDGE_JUNK_PY = re.compile(r"(?:^|(?<=\s))(?:[^\w\s]|[\d_])+|(?:[^\w\s]|[\d_])+(?=\s|$)")
_BRACKETS_RE = r"[()\[\]{}<>]"
_TONE_THEN_REST_RE = "([\u0300\u0301\u0303\u0309\u0323])(\\S+)"
_COMBINING_RE = "[\u0300-\u036f]"


def _load_never_plain() -> frozenset[str]:
    text = resources.files("vaxutils.text").joinpath("never_plain_syllables.txt").read_text("utf-8")
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return frozenset(line for line in lines if line)


NEVER_PLAIN_SYLLABLES: frozenset[str] = _load_never_plain()
# Plain "Thi" is a real given name (thơ); as a middle word it can only be Thị.
_PLAIN_AS_GIVEN_NAME = frozenset({"thi"})
_NO_DIACRITICS_RE = (
    r"(?:^|[\s\-])(?:"
    + "|".join(sorted(NEVER_PLAIN_SYLLABLES - _PLAIN_AS_GIVEN_NAME))
    + r")(?:$|[\s\-])|(?:^|[\s\-])(?:"
    + "|".join(sorted(_PLAIN_AS_GIVEN_NAME))
    + r")[\s\-]"
)


# --- kernels: pyarrow array of unique, non-missing texts in, array of the same length out ---------


def _matches(texts: pa.Array, pattern: str) -> np.ndarray:
    return pc.match_substring_regex(texts, pattern).fill_null(False).to_numpy(zero_copy_only=False)


def _python_fix(texts: pa.Array, where: np.ndarray, fix) -> pa.Array:
    """Apply a Python ``fix`` to the few texts selected by ``where`` (rare cases only)."""
    if not where.any():
        return texts
    values = texts.to_numpy(zero_copy_only=False).copy()
    values[where] = [fix(v) for v in values[where]]
    return pa.array(values, type=pa.large_string())


def _on_subset(texts: pa.Array, where: np.ndarray, function) -> pa.Array:
    """Apply a pyarrow ``function`` only where needed: most names are already clean."""
    if not where.any():
        return texts
    mask = pa.array(where)
    return pc.replace_with_mask(texts, mask, function(texts.filter(mask)))


def _collapse(texts: pa.Array) -> pa.Array:
    def collapse(subset: pa.Array) -> pa.Array:
        subset = pc.replace_substring_regex(subset, _INVISIBLE_RE, "")
        return pc.utf8_trim(pc.replace_substring_regex(subset, _SPACES_RE, " "), " ")

    return _on_subset(texts, _matches(texts, _UNTIDY_SPACE_RE), collapse)


def _nfc(texts: pa.Array) -> pa.Array:
    return _on_subset(
        texts, _matches(texts, _MAYBE_NOT_NFC_RE), lambda subset: pc.utf8_normalize(subset, "NFC")
    )


def _fix_lookalikes(texts: pa.Array) -> pa.Array:
    for lookalike, letter in _D_LOOKALIKES.items():
        texts = pc.replace_substring(texts, lookalike, letter)
    return texts


def _normalize_array(texts: pa.Array, repairs: pa.Array | None = None) -> pa.Array:
    repairs = legacy.repair_array(texts) if repairs is None else repairs
    texts = _nfc(_fix_lookalikes(pc.coalesce(repairs, texts)))
    titled = pc.utf8_title(_collapse(texts))
    titled = _python_fix(
        titled,
        _matches(titled, _INNER_APOSTROPHE_RE),
        lambda v: _INNER_APOSTROPHE_PY.sub(lambda m: m.group(1).lower(), v),
    )
    titled = _python_fix(
        titled,
        _matches(titled, _AFTER_MARK_RE),
        lambda v: _AFTER_MARK_PY.sub(lambda m: m.group(1).lower(), v),
    )
    # No letter at all ("", "-", "0"): there is no name, as for an empty cell (name_missing).
    return pc.if_else(pa.array(_matches(titled, _LETTER_RE)), titled, None)


def _match_key_array(texts: pa.Array) -> pa.Array:
    return _match_key_of_normalized(_normalize_array(texts))


def _match_key_of_normalized(normalized: pa.Array) -> pa.Array:
    decomposed = pc.utf8_normalize(pc.utf8_lower(normalized), "NFD")
    # The tone mark moves to the end of its word, so hòa and hoà (and thủy/thuỷ) give one key.
    moved = pc.replace_substring_regex(decomposed, _TONE_THEN_REST_RE, r"\2\1")
    return pc.utf8_normalize(moved, "NFC")


def _ascii_key_array(texts: pa.Array) -> pa.Array:
    return _ascii_key_of_normalized(_normalize_array(texts))


def _ascii_key_of_normalized(normalized: pa.Array) -> pa.Array:
    lowered = pc.replace_substring(pc.utf8_lower(normalized), "đ", "d")
    return pc.replace_substring_regex(pc.utf8_normalize(lowered, "NFD"), _COMBINING_RE, "")


def _invalid_fixes(readable: pa.Array, invalid: np.ndarray) -> np.ndarray:
    """Suggestions for names with invalid characters, when stripping them is obviously right."""
    fixes = np.full(len(readable), None, dtype=object)
    fixable = invalid & ~_matches(readable, _BRACKETS_RE)
    if fixable.any():
        subset = readable.filter(pa.array(fixable))
        stripped = _collapse(
            pa.array([_EDGE_JUNK_PY.sub(" ", v) for v in subset.to_pylist()], pa.large_string())
        )
        clean = ~_matches(stripped, _INVALID_RE) & _matches(stripped, _LETTER_RE)
        normalized = _normalize_array(stripped).to_numpy(zero_copy_only=False)
        fixes[np.flatnonzero(fixable)[clean]] = normalized[clean]
    return fixes


def _issue_array(texts: pa.Array) -> pd.DataFrame:
    """Issues per unique text: DataFrame[pos, code, suggestion]."""
    repairs = legacy.repair_array(texts)
    is_legacy = repairs.is_valid().to_numpy(zero_copy_only=False)
    nfc = _nfc(texts)
    collapsed = _collapse(nfc)
    normalized = _normalize_array(texts, repairs)
    readable = _collapse(_fix_lookalikes(pc.coalesce(repairs, nfc)))

    missing = ~_matches(readable, _LETTER_RE)
    lookalike = ~is_legacy & ~missing & _matches(nfc, _D_LOOKALIKE_RE)
    invalid = ~missing & _matches(readable, _INVALID_RE)
    no_diacritics = ~is_legacy & ~missing & _matches(pc.utf8_lower(normalized), _NO_DIACRITICS_RE)
    has_error = missing | is_legacy | lookalike | invalid

    def differs(a: pa.Array, b: pa.Array) -> np.ndarray:
        return pc.not_equal(a, b).fill_null(False).to_numpy(zero_copy_only=False)

    suggestion = normalized.to_numpy(zero_copy_only=False)
    nothing = np.full(len(texts), None, dtype=object)
    checks = [
        ("name_missing", missing, nothing),
        ("name_legacy_encoding", is_legacy & ~missing, suggestion),
        ("name_d_lookalike", lookalike, suggestion),
        ("name_invalid_characters", invalid, _invalid_fixes(readable, invalid)),
        ("name_no_diacritics", no_diacritics, nothing),
        ("name_unicode_form", ~has_error & differs(texts, nfc), suggestion),
        ("name_whitespace", ~has_error & differs(nfc, collapsed), suggestion),
        ("name_case", ~has_error & differs(collapsed, normalized), suggestion),
    ]
    frames = [
        pd.DataFrame({"pos": np.flatnonzero(flag), "code": code, "suggestion": values[flag]})
        for code, flag, values in checks
    ]
    # Frames are in check order; a stable sort by position keeps that order within a value.
    return pd.concat(frames, ignore_index=True).sort_values("pos", kind="stable")


# --- vectorised public functions -------------------------------------------------------------------


def _per_unique(s: pd.Series, kernel) -> pd.Series:
    if s.empty:
        return pd.Series([], index=s.index, dtype="str")
    codes, texts = factorize_texts(s)
    return spread_texts(kernel(texts), codes, s.index)


def normalize_series(s: pd.Series) -> pd.Series:
    """Normalised names (see module docstring); NA and letterless cells give NA; index kept.

    >>> normalize_series(pd.Series(["  lê  thị HOA", None, "NguyÔn V¨n"], index=[5, 6, 7])).tolist()
    ['Lê Thị Hoa', nan, 'Nguyễn Văn']
    """
    return _per_unique(s, _normalize_array)


def match_key_series(s: pd.Series) -> pd.Series:
    """Keys for comparing names: normalised, lowercase, tone placement folded, diacritics kept.

    >>> keys = match_key_series(pd.Series(["Nguyễn Thị Thủy", "NGUYỄN THỊ THUỶ", "Nguyễn Thị Thuy"]))
    >>> keys[0] == keys[1], keys[0] == keys[2]
    (True, False)
    """
    return _per_unique(s, _match_key_array)


def ascii_key_series(s: pd.Series) -> pd.Series:
    """Diacritic-free lowercase keys (đ→d) for blocking and fuzzy matching — never for output.

    >>> ascii_key_series(pd.Series(["Đỗ Văn Đức", None])).tolist()
    ['do van duc', nan]
    """
    return _per_unique(s, _ascii_key_array)


def normalize_and_keys(s: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """``normalize_series(s)`` and the ``match_key_series`` and ``ascii_key_series`` of that, from
    one pass over the distinct raw names (the prepared persons frame needs all three).

    >>> full, key, plain = normalize_and_keys(pd.Series(["  NGUYỄN thị THUỶ", None, "Đỗ Văn Đức"]))
    >>> full.tolist(), key.tolist() == match_key_series(full).tolist(), plain.tolist()
    (['Nguyễn Thị Thuỷ', nan, 'Đỗ Văn Đức'], True, ['nguyen thi thuy', nan, 'do van duc'])
    """
    if s.empty:
        empty = pd.Series([], index=s.index, dtype="str")
        return empty, empty.copy(), empty.copy()
    codes, texts = factorize_texts(s)
    normalized = _normalize_array(texts)
    # The keys are those of the normalised names, as match_key_series(normalize_series(s)) gives:
    # each distinct normalised name is normalised again and keyed once.
    encoded = pc.dictionary_encode(normalized)
    again = _normalize_array(encoded.dictionary)
    keys = _match_key_of_normalized(again).take(encoded.indices)
    plain = _ascii_key_of_normalized(again).take(encoded.indices)
    return (
        spread_texts(normalized, codes, s.index),
        spread_texts(keys, codes, s.index),
        spread_texts(plain, codes, s.index),
    )


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
    codes, texts = factorize_texts(s)
    blank = pd.DataFrame({"pos": [-1], "code": ["name_missing"], "suggestion": [None]})
    per_unique = [blank, _issue_array(texts)] if len(texts) else [blank]
    return issues_from_uniques(pd.concat(per_unique, ignore_index=True), codes, s.index)


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
