"""Spreadsheet damage to identifiers: detected, and repaired only as a *suggestion*.

What Excel and hurried typing do to an ID cell, and the reason code reported for it:

====================  ==========================================  ===============================
code                  damage                                      suggestion
====================  ==========================================  ===============================
id_leading_zero_lost  stored as a number: 12 digits keep 11 (10    ``"0"`` (``"00"``) + value, only
                      for provinces 001–009); a CMND keeps 8       if that is a valid number
id_letter_for_digit   O/o typed for 0, I/l for 1                   the digits
id_float_suffix       read as a float: ``1090123456.0``            without ``.0``
id_fullwidth_digits   ``００１…`` from an East Asian input method    ASCII digits
id_separators         ``004 095 012 345``, ``004.095.012.345``     without separators
id_scientific_notation ``4.09501E+10``: digits are lost            none (unrecoverable)
====================  ==========================================  ===============================

A value with several kinds of damage gets one code, the most actionable (the order above), and
the combined repair as suggestion. A value whose repair is still not a valid number gets the code
of what is wrong with the repair (``id_invalid_length``, ``id_unknown_province`` …) and no
suggestion. Surrounding whitespace alone is ``id_whitespace``, a normalisation (info), not an error.
Cells meaning "no ID" ("0", "-", "x", "Không có", "000000000000") are ``id_placeholder``.

>>> diagnose(" 001090012345")
Diagnosis(kind='cccd', compact='001090012345', code='id_whitespace', suggestion=None)
>>> diagnose(1090012345.0)
Diagnosis(kind='invalid', compact=None, code='id_leading_zero_lost', suggestion='001090012345')
>>> diagnose("4.09501E+10").code, diagnose("OO1O9OO12345").suggestion, diagnose("Không có").kind
('id_scientific_notation', '001090012345', 'missing')
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils.ids import _arrow, _cells, cccd, cmnd, passport
from vaxutils.ids.exceptions import (
    InvalidFormat,
    InvalidLength,
    UnrecoverableDamage,
    ValidationError,
)

KINDS = ("cccd", "cmnd", "passport", "missing", "invalid")
# Repairable damage, most actionable first: the first one present is the reported code.
DAMAGE_CODES = (
    "id_leading_zero_lost",
    "id_letter_for_digit",
    "id_float_suffix",
    "id_fullwidth_digits",
    "id_separators",
)
ID_CODES = (
    "id_missing",
    "id_placeholder",
    "id_whitespace",
    *DAMAGE_CODES,
    "id_scientific_notation",
    "id_invalid_length",
    "id_invalid_characters",
    "id_unknown_province",
    "id_invalid_century",
    "id_future_birth_year",
)
# 8 digits are a CMND that lost its 0 only if the restored prefix is one that starts with 0.
CMND_SHRUNK = "(?:[12357]|95)[0-9]*"


class Diagnosis(NamedTuple):
    """What a personal-ID cell holds (the columns of ``series.classify_ids``)."""

    kind: str  # one of KINDS
    compact: str | None  # the valid value after stripping whitespace, else None
    code: str | None  # reason code, None when valid and unchanged
    suggestion: str | None  # repaired value when derivable


def structure(text: str) -> tuple[str, str | None]:
    """The kind of an exact text (no repair), and the reason code when it is not valid.

    >>> structure("001090012345"), structure("001490012345"), structure("B1234567")
    (('cccd', None), ('invalid', 'id_invalid_century'), ('passport', None))
    """
    if _cells.fullmatch(passport.PATTERN, text):
        return "passport", None
    if not _cells.fullmatch(_cells.DIGITS, text):
        return "invalid", InvalidFormat.code("id")
    if len(text) == cmnd.LENGTH:
        return "cmnd", None
    try:
        cccd.validate(text)
    except ValidationError as exc:
        return "invalid", exc.code("id")
    return "cccd", None


def lost_zero_repair(digits: str) -> str | None:
    """The number with its lost leading zeros restored, if that makes a valid CCCD or CMND.

    >>> lost_zero_repair("1090012345"), lost_zero_repair("79090012345"), lost_zero_repair("40123456")
    ('001090012345', '079090012345', None)
    """
    if len(digits) in (cccd.LENGTH - 1, cccd.LENGTH - 2):
        padded = digits.rjust(cccd.LENGTH, "0")
        return padded if cccd.is_valid(padded) else None
    if len(digits) == cmnd.LENGTH - 1 and _cells.fullmatch(CMND_SHRUNK, digits):
        return "0" + digits
    return None


def diagnose(value: object) -> Diagnosis:
    """Classify a personal-ID cell (CCCD, CMND, passport, missing, invalid) and explain damage."""
    text = _cells.to_text(value)
    stripped = _cells.strip(text) if text is not None else ""
    if not stripped:
        return Diagnosis("missing", None, "id_missing", None)
    if _cells.is_placeholder(stripped):
        return Diagnosis("missing", None, "id_placeholder", None)
    kind, failure = structure(stripped)
    if failure is None:
        return Diagnosis(kind, stripped, None if stripped == text else "id_whitespace", None)

    repaired = _cells.fullwidth_to_ascii(stripped)
    if _cells.fullmatch(_cells.SCIENTIFIC, repaired):
        return Diagnosis("invalid", None, UnrecoverableDamage.code("id"), None)
    damage = {"id_fullwidth_digits": repaired != stripped}
    damage["id_float_suffix"] = _cells.fullmatch(_cells.FLOAT_SUFFIX, repaired)
    if damage["id_float_suffix"]:
        repaired = repaired[: repaired.index(".")]
    without_separators = _cells.remove_separators(repaired)
    damage["id_separators"] = without_separators != repaired
    repaired = without_separators
    damage["id_letter_for_digit"] = not _cells.fullmatch(
        _cells.DIGITS, repaired
    ) and _cells.fullmatch(_cells.LETTER_DIGITS, repaired)
    if damage["id_letter_for_digit"]:
        repaired = _cells.letters_to_digits(repaired)

    kind, failure = structure(repaired)
    if failure == InvalidLength.code("id"):
        restored = lost_zero_repair(repaired)
        damage["id_leading_zero_lost"] = restored is not None
        repaired, failure = (restored, None) if restored else (repaired, failure)
    if failure is None:
        code = next(code for code in DAMAGE_CODES if damage.get(code))
        return Diagnosis("invalid", None, code, repaired)
    if damage["id_letter_for_digit"]:
        failure = InvalidFormat.code("id")
    return Diagnosis("invalid", None, failure, None)


# --- the same over a Series (the data path): Arrow kernels, the slow ones only where needed ------

CLASSIFY_COLUMNS = (
    "id_kind",
    "id_compact",
    "id_code",
    "id_suggestion",
    "province_code",
    "id_sex",
    "id_birth_year",
)
CCCD, CMND, PASSPORT, MISSING, INVALID = range(len(KINDS))
NO_CODE = -1
_ID_CODE = {code: i for i, code in enumerate(ID_CODES)}
# The id code of each reason cccd.decode gives for a 12-digit value that is not a CCCD.
_REASON_CODE = np.array([_ID_CODE[reason.code("id")] for reason in cccd.REASONS], dtype=np.int8)
_THREE_DIGITS = tuple(f"{i:03d}" for i in range(1000))


class _Parsed(NamedTuple):
    """``damage.structure`` over an array, with the digits that CCCD rows encode."""

    kind: np.ndarray  # int8 index into KINDS
    code: np.ndarray  # int8 index into ID_CODES, NO_CODE when valid
    province: np.ndarray  # int16 PPP (meaningful for CCCD rows only, as are the next two)
    century: np.ndarray  # uint8 G
    yy: np.ndarray  # uint8 YY

    def update(self, rows: np.ndarray, other: _Parsed) -> None:
        for mine, theirs in zip(self, other, strict=True):
            mine[rows] = theirs

    def birth_year(self) -> np.ndarray:
        return cccd.birth_year(self.century.astype(np.int16), self.yy)


def _structure(arr: pa.Array) -> _Parsed:
    n = len(arr)
    length = _arrow.as_numpy(pc.binary_length(arr), -1)
    parsed = _Parsed(
        kind=np.full(n, INVALID, dtype=np.int8),
        code=np.full(n, _ID_CODE[InvalidFormat.code("id")], dtype=np.int8),
        province=np.zeros(n, dtype=np.int16),
        century=np.zeros(n, dtype=np.uint8),
        yy=np.zeros(n, dtype=np.uint8),
    )
    # 12-byte values: the common, clean case, decoded by cccd straight from the Arrow buffer.
    twelve = np.flatnonzero(length == cccd.LENGTH)
    digits = cccd.decode(_arrow.take(arr, twelve))
    code = np.where(digits.failure < 0, NO_CODE, _REASON_CODE[digits.failure])
    parsed.code[twelve] = code
    parsed.kind[twelve] = np.where(code == NO_CODE, CCCD, INVALID)
    parsed.province[twelve], parsed.century[twelve] = digits.province, digits.century
    parsed.yy[twelve] = digits.yy

    others = np.flatnonzero((length != cccd.LENGTH) & (length >= 0))
    digits = _arrow.as_numpy(pc.ascii_is_decimal(_arrow.take(arr, others)))
    parsed.code[others[digits]] = _ID_CODE[InvalidLength.code("id")]
    parsed.kind[others[digits & (length[others] == 9)]] = CMND
    maybe_passport = others[~digits & (length[others] == 8)]
    is_passport = _arrow.match(_arrow.take(arr, maybe_passport), "[A-Z][0-9]{7}")
    parsed.kind[maybe_passport[is_passport]] = PASSPORT
    parsed.code[parsed.kind != INVALID] = NO_CODE
    return parsed


def _lost_zero_repair(digits: pa.Array, wrong_length: np.ndarray) -> pa.Array:
    """``damage.lost_zero_repair`` over an array: restored value, null when not repairable."""
    length = _arrow.as_numpy(pc.binary_length(digits), 0)
    cccd_rows = np.flatnonzero(wrong_length & np.isin(length, (10, 11)))
    padded = pc.utf8_lpad(_arrow.take(digits, cccd_rows), width=cccd.LENGTH, padding="0")
    valid = _structure(padded).kind == CCCD
    cmnd_ok = _arrow.match(digits, CMND_SHRUNK, wrong_length & (length == 8))
    cmnd_rows = np.flatnonzero(cmnd_ok)
    cmnd_padded = pc.utf8_lpad(_arrow.take(digits, cmnd_rows), width=9, padding="0")
    rows = np.concatenate([cccd_rows[valid], cmnd_rows])
    values = pa.concat_arrays([padded.filter(pa.array(valid)), cmnd_padded])
    order = np.argsort(rows, kind="stable")
    return _arrow.scatter(len(digits), rows[order], _arrow.take(values, order))


def _repair(stripped: pa.Array) -> tuple[np.ndarray, np.ndarray, pa.Array, _Parsed]:
    """``damage.diagnose`` from the repair on, for stripped values that are neither valid,
    missing nor placeholders: code index, whether a suggestion exists, the repaired text."""
    plain = _arrow.as_numpy(
        pc.ascii_is_decimal(stripped)
    )  # most damaged values: digits, zeros lost
    is_ascii = _arrow.as_numpy(pc.string_is_ascii(stripped))
    fullwidth = _arrow.contains_among(stripped, f"[{_cells.FULLWIDTH_DIGITS}]", ~is_ascii)
    flags = {"id_fullwidth_digits": fullwidth}
    fullwidth_table = dict(zip(_cells.FULLWIDTH_DIGITS, "0123456789", strict=True))
    repaired = _arrow.replace_where(
        stripped, flags["id_fullwidth_digits"], lambda a: _arrow.translate(a, fullwidth_table)
    )
    scientific = _arrow.match(repaired, _cells.SCIENTIFIC, ~plain)
    flags["id_float_suffix"] = _arrow.match(repaired, _cells.FLOAT_SUFFIX, ~plain & ~scientific)
    repaired = _arrow.replace_where(repaired, flags["id_float_suffix"], _arrow.remove_float_suffix)
    flags["id_separators"] = _arrow.contains_among(repaired, _cells.SEPARATOR_CLASS, ~plain)
    repaired = _arrow.replace_where(repaired, flags["id_separators"], _arrow.remove_separators)
    letters = _arrow.match(repaired, _cells.LETTER_DIGITS, ~plain)
    letters[letters] = ~_arrow.as_numpy(
        pc.ascii_is_decimal(_arrow.take(repaired, np.flatnonzero(letters)))
    )
    flags["id_letter_for_digit"] = letters
    repaired = _arrow.replace_where(
        repaired, letters, lambda a: _arrow.translate(a, _cells.LETTER_TO_DIGIT)
    )

    parsed = _structure(repaired)
    restored = _lost_zero_repair(repaired, parsed.code == _ID_CODE[InvalidLength.code("id")])
    flags["id_leading_zero_lost"] = _arrow.as_numpy(pc.is_valid(restored))
    repaired = pc.coalesce(restored, repaired)
    fixed = (parsed.kind != INVALID) | flags["id_leading_zero_lost"]

    damage_code = np.full(len(stripped), NO_CODE, dtype=np.int8)
    for name in reversed(DAMAGE_CODES):  # the most actionable one is written last
        damage_code[flags[name]] = _ID_CODE[name]
    failure = np.where(letters, _ID_CODE[InvalidFormat.code("id")], parsed.code)
    code = np.where(fixed, damage_code, failure).astype(np.int8)
    code[scientific] = _ID_CODE[UnrecoverableDamage.code("id")]
    return code, fixed & ~scientific, repaired


def _diagnose(arr: pa.Array) -> tuple[_Parsed, pa.Array, pa.Array]:
    """``damage.diagnose`` over values that are not valid as they stand: the parse (with codes),
    the compact value (valid after stripping whitespace) and the suggestion."""
    n = len(arr)
    stripped = _arrow.strip(arr)
    missing = _arrow.as_numpy(pc.equal(pc.binary_length(stripped), 0), True)
    parsed = _structure(stripped)
    placeholder = _arrow.is_placeholder(stripped, ~missing)
    whitespace = ~missing & ~placeholder & (parsed.kind != INVALID)
    parsed.code[whitespace] = _ID_CODE["id_whitespace"]
    parsed.kind[missing | placeholder] = MISSING
    parsed.code[missing] = _ID_CODE["id_missing"]
    parsed.code[placeholder] = _ID_CODE["id_placeholder"]
    compact = _arrow.scatter(n, np.flatnonzero(whitespace), stripped.filter(pa.array(whitespace)))

    damaged = np.flatnonzero(~missing & ~placeholder & ~whitespace)
    code, fixed, repaired = _repair(_arrow.take(stripped, damaged))
    parsed.code[damaged] = code
    suggestion = _arrow.scatter(n, damaged[fixed], repaired.filter(pa.array(fixed)))
    return parsed, compact, suggestion


def classify_ids(s: pd.Series) -> pd.DataFrame:
    """Kind, canonical value, reason code, suggestion and decoded fields of personal-ID cells.

    Columns (index = ``s.index``): ``id_kind`` (cccd | cmnd | passport | missing | invalid),
    ``id_compact`` (valid value after stripping whitespace), ``id_code`` (``ID_CODES``; NA
    when valid and unchanged), ``id_suggestion``, ``province_code``, ``id_sex`` ("Nam"/"Nữ"),
    ``id_birth_year`` (Int64). Row for row equal to ``damage.diagnose`` and the ``cccd`` extractors.
    """
    s = _arrow.series_of(s)
    if s.empty:
        return _empty_classification(s.index)
    arr = _arrow.text_array(s)
    n = len(arr)
    parsed = _structure(arr)
    # "000000000" has the shape of a CMND but is a placeholder: diagnose it with the rest.
    parsed.kind[_arrow.all_zeros(arr, parsed.kind == CMND)] = INVALID
    compact = pc.if_else(pa.array(parsed.kind != INVALID), arr, _arrow.NULL)
    suggestion = pa.nulls(n, _arrow.TEXT)
    rest = np.flatnonzero(parsed.kind == INVALID)
    if len(rest):
        rest_parsed, rest_compact, rest_suggestion = _diagnose(_arrow.take(arr, rest))
        parsed.update(rest, rest_parsed)
        stripped_rows = rest[_arrow.as_numpy(pc.is_valid(rest_compact))]
        if len(stripped_rows):
            compact = pc.coalesce(
                compact, _arrow.scatter(n, stripped_rows, rest_compact.drop_null())
            )
        suggested_rows = rest[_arrow.as_numpy(pc.is_valid(rest_suggestion))]
        suggestion = _arrow.scatter(n, suggested_rows, rest_suggestion.drop_null())
    not_cccd = parsed.kind != CCCD
    columns = {
        "id_kind": _arrow.labels(parsed.kind, np.zeros(n, dtype=bool), KINDS),
        "id_compact": compact,
        "id_code": _arrow.labels(parsed.code, parsed.code == NO_CODE, ID_CODES),
        "id_suggestion": suggestion,
        "province_code": _arrow.labels(parsed.province, not_cccd, _THREE_DIGITS),
        "id_sex": _arrow.labels(parsed.century % 2, not_cccd, cccd.SEXES),
    }
    frame = {name: pd.array(values, dtype=_arrow.STRING) for name, values in columns.items()}
    frame["id_birth_year"] = pd.arrays.IntegerArray(parsed.birth_year().astype(np.int64), not_cccd)
    return pd.DataFrame(frame, index=s.index)


def _empty_classification(index: pd.Index) -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.array([], dtype=_arrow.STRING) for name in CLASSIFY_COLUMNS})
    frame["id_birth_year"] = pd.array([], dtype="Int64")
    return frame.set_axis(index[:0])


def issues_series(s: pd.Series) -> pd.DataFrame:
    """Problems of a personal-ID column in long form: ``row`` (index label), ``code`` (one of
    :data:`ID_CODES`), ``suggestion``; valid values have none.

    >>> issues_series(pd.Series(["1090012345", "001090012345", None]))
      row                  code    suggestion
    0   0  id_leading_zero_lost  001090012345
    1   2            id_missing          <NA>
    """
    return issues_of_classified(classify_ids(s))


def issues_of_classified(classified: pd.DataFrame) -> pd.DataFrame:
    """:func:`issues_series` from the :func:`classify_ids` frame of the column, when the caller
    already has it (screening classifies the IDs once for the prepared persons and the findings).

    >>> s = pd.Series(["1090012345", "001090012345", None])
    >>> issues_of_classified(classify_ids(s)).equals(issues_series(s))
    True
    """
    found = classified[classified["id_code"].notna()]
    return _arrow.long_form(
        found.index, found["id_code"].to_numpy(str), found["id_suggestion"].array
    )
