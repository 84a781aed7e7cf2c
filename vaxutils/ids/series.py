"""Vectorised identifier checks over a pandas Series, giving the scalar modules' answers.

The data path of ``vaxutils.ids``: Series in, Series/DataFrame out, index kept, input never
mutated. The work runs on a pyarrow array with ``pyarrow.compute`` kernels and numpy. The common
case (an already clean 12- or 9-digit number) costs a handful of kernels over the column: the
12-byte values are read as a digit matrix straight from the Arrow buffer. The damage diagnosis
(regular expressions, the slow kernels) runs only on the few values that are not clean, and each
repair only on the values that need it. Property tests prove every answer equal to the scalar
functions (``damage.diagnose``, ``phone.diagnose``, ``bhyt.diagnose``, ``cccd.check_consistency``).

>>> import pandas as pd
>>> s = pd.Series(["001090012345", " 079305000123", "1090012345", "Không có", None], index=list("abcde"))
>>> classify_ids(s)[["id_kind", "id_code", "id_suggestion", "id_sex", "id_birth_year"]]
   id_kind               id_code id_suggestion id_sex  id_birth_year
a     cccd                  <NA>          <NA>    Nam           1990
b     cccd         id_whitespace          <NA>     Nữ           2005
c  invalid  id_leading_zero_lost  001090012345   <NA>           <NA>
d  missing        id_placeholder          <NA>   <NA>           <NA>
e  missing            id_missing          <NA>   <NA>           <NA>
>>> issues_series(pd.Series(["0912 345 678", "12345"]), kind="phone")
   row                  code  suggestion
0    0      phone_normalized  0912345678
1    1  phone_invalid_length        <NA>
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils.ids import _cells, bhyt, cccd, damage, phone
from vaxutils.ids._provinces import PROVINCES
from vaxutils.ids.exceptions import (
    FutureBirthYear,
    InvalidBenefitLevel,
    InvalidCentury,
    InvalidFormat,
    InvalidLength,
    InvalidPrefix,
    InvalidProvince,
    UnrecoverableDamage,
)

STRING = pd.StringDtype("pyarrow")
TEXT = pa.large_string()
CLASSIFY_COLUMNS = (
    "id_kind",
    "id_compact",
    "id_code",
    "id_suggestion",
    "province_code",
    "id_sex",
    "id_birth_year",
)
ISSUE_COLUMNS = ("row", "code", "suggestion")

CCCD, CMND, PASSPORT, MISSING, INVALID = range(len(damage.KINDS))
NO_CODE = -1
_ID_CODE = {code: i for i, code in enumerate(damage.ID_CODES)}
# Indexed by the three leading bytes read as digits; junk bytes (≤ 255 each) index past 999.
_PROVINCE_OK = np.zeros(255 * 111 + 1, dtype=bool)
_PROVINCE_OK[[int(code) for code in PROVINCES]] = True
_THREE_DIGITS = tuple(f"{i:03d}" for i in range(1000))
_NULL = pa.scalar(None, TEXT)
# First characters whose NFC lower case starts a placeholder word (U+212A KELVIN SIGN is a K).
_PLACEHOLDER_FIRST = pa.array(
    sorted({c for w in _cells.PLACEHOLDER_WORDS for c in (w[0], w[0].upper())} | {"\u212a"}),
    type=TEXT,
)


# --- arrow helpers --------------------------------------------------------------------------


def _text_array(s: pd.Series) -> pa.Array:
    """The column as a pyarrow large_string array, null where the cell is missing."""
    if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
        arr = pa.array(s.array)  # zero-copy
    else:
        values = s.to_numpy(dtype=object)
        if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
            # Only for columns holding non-text objects (io always delivers text): each cell
            # is converted exactly as the scalar functions convert it.
            values = np.frompyfunc(_cells.to_text, 1, 1)(values)
        try:
            arr = pa.array(values, type=TEXT, from_pandas=True)
        except (UnicodeEncodeError, pa.ArrowException):
            arr = pa.array(np.frompyfunc(_without_surrogates, 1, 1)(values), type=TEXT)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.cast(TEXT)


def _without_surrogates(text: object) -> object:
    # Lone surrogates cannot be UTF-8; U+FFFD keeps them "invalid characters" as in the scalar path.
    return re.sub("[\ud800-\udfff]", "\ufffd", text) if isinstance(text, str) else None


def _np(arr: pa.Array, fill: object = False) -> np.ndarray:
    return arr.fill_null(fill).to_numpy(zero_copy_only=False)


def _take(arr: pa.Array, positions: np.ndarray) -> pa.Array:
    return arr.take(pa.array(positions, type=pa.int64()))


def _match(arr: pa.Array, pattern: str, among: np.ndarray | None = None) -> np.ndarray:
    """Full match of a shared pattern, evaluated only on the ``among`` rows (False elsewhere)."""
    if among is None:
        return _np(pc.match_substring_regex(arr, _cells.anchored(pattern)))
    found = np.zeros(len(arr), dtype=bool)
    rows = np.flatnonzero(among)
    if len(rows):
        found[rows] = _match(_take(arr, rows), pattern)
    return found


def _contains(arr: pa.Array, pattern: str) -> np.ndarray:
    return _np(pc.match_substring_regex(arr, pattern))


def _contains_among(arr: pa.Array, pattern: str, among: np.ndarray) -> np.ndarray:
    found = np.zeros(len(arr), dtype=bool)
    rows = np.flatnonzero(among)
    if len(rows):
        found[rows] = _contains(_take(arr, rows), pattern)
    return found


def _replace_where(arr: pa.Array, mask: np.ndarray, repair: Callable[[pa.Array], pa.Array]):
    """``repair`` applied to the masked values only (regex replacement is the slow kernel)."""
    if not mask.any():
        return arr
    return pc.replace_with_mask(arr, pa.array(mask), repair(_take(arr, np.flatnonzero(mask))))


def _offsets(arr: pa.Array) -> np.ndarray:
    return np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]


def _from_parts(n: int, rows: np.ndarray, lengths: np.ndarray, data: np.ndarray) -> pa.Array:
    """A length-n string array holding ``data`` (the concatenated values) at ``rows``, null elsewhere."""
    sizes = np.zeros(n + 1, dtype=np.int64)
    sizes[rows + 1] = lengths
    valid = np.zeros(n, dtype=bool)
    valid[rows] = True
    return pa.LargeStringArray.from_buffers(
        n,
        pa.py_buffer(np.cumsum(sizes)),
        pa.py_buffer(np.ascontiguousarray(data, dtype=np.uint8)),
        pa.py_buffer(np.packbits(valid, bitorder="little")),
    )


def _scatter(n: int, rows: np.ndarray, values: pa.Array) -> pa.Array:
    """A length-n array, null except the (non-null) ``values`` at ``rows`` (ascending)."""
    values = values.cast(TEXT)
    if len(values) == 0:
        return pa.nulls(n, TEXT)
    offsets = _offsets(values)
    data = np.frombuffer(values.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    return _from_parts(n, rows, np.diff(offsets), data)


def _labels(which: np.ndarray, missing: np.ndarray, labels: tuple[str, ...]) -> pa.Array:
    """Strings ``labels[which]``, null where ``missing``."""
    return pa.array(labels, type=TEXT).take(pa.array(which, mask=missing))


def _digit_matrix(arr: pa.Array) -> np.ndarray:
    """Equal-length ASCII digit strings as an (n, width) matrix of digits, read from the buffer."""
    if len(arr) == 0:
        return np.zeros((0, cccd.LENGTH), dtype=np.uint8)
    offsets = _offsets(arr)
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    return data.reshape(len(arr), -1) - np.uint8(ord("0"))


def _strip(arr: pa.Array) -> pa.Array:
    return pc.utf8_trim(arr, characters=_cells.WHITESPACE)


def _is_placeholder(stripped: pa.Array, among: np.ndarray) -> np.ndarray:
    """``_cells.is_placeholder`` on the ``among`` rows."""
    found = np.zeros(len(stripped), dtype=bool)
    for filler in _cells.PLACEHOLDER_FILLERS:  # a trim is much cheaper than a regex
        found |= _np(pc.equal(pc.binary_length(pc.utf8_trim(stripped, characters=filler)), 0))
    found &= among
    # The NFC/lower-case key is worth computing only for values that can start a placeholder word.
    first = pc.utf8_slice_codeunits(stripped, 0, 1)
    words_possible = among & ~found & _np(pc.is_in(first, value_set=_PLACEHOLDER_FIRST))
    rows = np.flatnonzero(words_possible)
    if len(rows):
        key = pc.utf8_lower(pc.utf8_normalize(_take(stripped, rows), form="NFC"))
        runs = _contains(key, "[" + _cells.WHITESPACE.replace(" ", "") + "]|  ")
        key = _replace_where(
            key, runs, lambda a: pc.replace_substring_regex(a, f"[{_cells.WHITESPACE}]+", " ")
        )
        words = pa.array(sorted(_cells.PLACEHOLDER_WORDS), type=TEXT)
        found[rows] = _np(pc.is_in(key, value_set=words))
    return found


def _all_zeros(arr: pa.Array, among: np.ndarray) -> np.ndarray:
    found = np.zeros(len(arr), dtype=bool)
    rows = np.flatnonzero(among)
    trimmed = pc.utf8_trim(_take(arr, rows), characters="0")  # a trim is cheaper than a regex
    found[rows] = _np(pc.equal(pc.binary_length(trimmed), 0))
    return found


def _translate(arr: pa.Array, table: dict[str, str]) -> pa.Array:
    for old, new in table.items():
        arr = pc.replace_substring(arr, old, new)
    return arr


def _remove_float_suffix(arr: pa.Array) -> pa.Array:
    return pc.replace_substring_regex(arr, "\\.0+$", "")


def _remove_separators(arr: pa.Array) -> pa.Array:
    # Literal replacement of the usual three is ~10× cheaper than the regex, kept for the rest.
    for separator in " .-":
        arr = pc.replace_substring(arr, separator, "")
    rare = _contains(arr, _cells.SEPARATOR_CLASS)
    return _replace_where(
        arr, rare, lambda a: pc.replace_substring_regex(a, _cells.SEPARATOR_CLASS, "")
    )


# --- personal IDs ---------------------------------------------------------------------------


class _Parsed(NamedTuple):
    """``damage.structure`` over an array, with the digits that CCCD rows encode."""

    kind: np.ndarray  # int8 index into damage.KINDS
    code: np.ndarray  # int8 index into damage.ID_CODES, NO_CODE when valid
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
    length = _np(pc.binary_length(arr), -1)
    parsed = _Parsed(
        kind=np.full(n, INVALID, dtype=np.int8),
        code=np.full(n, _ID_CODE[InvalidFormat.code("id")], dtype=np.int8),
        province=np.zeros(n, dtype=np.int16),
        century=np.zeros(n, dtype=np.uint8),
        yy=np.zeros(n, dtype=np.uint8),
    )
    # 12-byte values: read the digits straight from the Arrow buffer (the common, clean case).
    # Rows that are not all digits hold junk here (uint8 arithmetic wraps) and fail first.
    twelve = np.flatnonzero(length == cccd.LENGTH)
    twelve_values = _take(arr, twelve)
    all_digits = _np(pc.ascii_is_decimal(twelve_values))
    d = _digit_matrix(twelve_values)
    province = d[:, 0].astype(np.int16) * 100 + d[:, 1] * 10 + d[:, 2]
    century, yy = d[:, 3], d[:, 4] * 10 + d[:, 5]
    year = cccd.birth_year(century.astype(np.int16), yy)
    failures = [~all_digits, ~_PROVINCE_OK[province], century > 3, year > cccd.DATA_YEAR]
    reasons = (InvalidFormat, InvalidProvince, InvalidCentury, FutureBirthYear)
    code = np.select(failures, [_ID_CODE[r.code("id")] for r in reasons], NO_CODE)
    parsed.code[twelve] = code
    parsed.kind[twelve] = np.where(code == NO_CODE, CCCD, INVALID)
    parsed.province[twelve], parsed.century[twelve], parsed.yy[twelve] = province, century, yy

    others = np.flatnonzero((length != cccd.LENGTH) & (length >= 0))
    digits = _np(pc.ascii_is_decimal(_take(arr, others)))
    parsed.code[others[digits]] = _ID_CODE[InvalidLength.code("id")]
    parsed.kind[others[digits & (length[others] == 9)]] = CMND
    maybe_passport = others[~digits & (length[others] == 8)]
    is_passport = _match(_take(arr, maybe_passport), "[A-Z][0-9]{7}")
    parsed.kind[maybe_passport[is_passport]] = PASSPORT
    parsed.code[parsed.kind != INVALID] = NO_CODE
    return parsed


def _lost_zero_repair(digits: pa.Array, wrong_length: np.ndarray) -> pa.Array:
    """``damage.lost_zero_repair`` over an array: restored value, null when not repairable."""
    length = _np(pc.binary_length(digits), 0)
    cccd_rows = np.flatnonzero(wrong_length & np.isin(length, (10, 11)))
    padded = pc.utf8_lpad(_take(digits, cccd_rows), width=cccd.LENGTH, padding="0")
    valid = _structure(padded).kind == CCCD
    cmnd_ok = _match(digits, damage.CMND_SHRUNK, wrong_length & (length == 8))
    cmnd_rows = np.flatnonzero(cmnd_ok)
    cmnd_padded = pc.utf8_lpad(_take(digits, cmnd_rows), width=9, padding="0")
    rows = np.concatenate([cccd_rows[valid], cmnd_rows])
    values = pa.concat_arrays([padded.filter(pa.array(valid)), cmnd_padded])
    order = np.argsort(rows, kind="stable")
    return _scatter(len(digits), rows[order], _take(values, order))


def _repair(stripped: pa.Array) -> tuple[np.ndarray, np.ndarray, pa.Array, _Parsed]:
    """``damage.diagnose`` from the repair on, for stripped values that are neither valid,
    missing nor placeholders: code index, whether a suggestion exists, the repaired text."""
    plain = _np(pc.ascii_is_decimal(stripped))  # most damaged values: digits, zeros lost
    is_ascii = _np(pc.string_is_ascii(stripped))
    fullwidth = _contains_among(stripped, f"[{_cells.FULLWIDTH_DIGITS}]", ~is_ascii)
    flags = {"id_fullwidth_digits": fullwidth}
    fullwidth_table = dict(zip(_cells.FULLWIDTH_DIGITS, "0123456789", strict=True))
    repaired = _replace_where(
        stripped, flags["id_fullwidth_digits"], lambda a: _translate(a, fullwidth_table)
    )
    scientific = _match(repaired, _cells.SCIENTIFIC, ~plain)
    flags["id_float_suffix"] = _match(repaired, _cells.FLOAT_SUFFIX, ~plain & ~scientific)
    repaired = _replace_where(repaired, flags["id_float_suffix"], _remove_float_suffix)
    flags["id_separators"] = _contains_among(repaired, _cells.SEPARATOR_CLASS, ~plain)
    repaired = _replace_where(repaired, flags["id_separators"], _remove_separators)
    letters = _match(repaired, _cells.LETTER_DIGITS, ~plain)
    letters[letters] = ~_np(pc.ascii_is_decimal(_take(repaired, np.flatnonzero(letters))))
    flags["id_letter_for_digit"] = letters
    repaired = _replace_where(repaired, letters, lambda a: _translate(a, _cells.LETTER_TO_DIGIT))

    parsed = _structure(repaired)
    restored = _lost_zero_repair(repaired, parsed.code == _ID_CODE[InvalidLength.code("id")])
    flags["id_leading_zero_lost"] = _np(pc.is_valid(restored))
    repaired = pc.coalesce(restored, repaired)
    fixed = (parsed.kind != INVALID) | flags["id_leading_zero_lost"]

    damage_code = np.full(len(stripped), NO_CODE, dtype=np.int8)
    for name in reversed(damage.DAMAGE_CODES):  # the most actionable one is written last
        damage_code[flags[name]] = _ID_CODE[name]
    failure = np.where(letters, _ID_CODE[InvalidFormat.code("id")], parsed.code)
    code = np.where(fixed, damage_code, failure).astype(np.int8)
    code[scientific] = _ID_CODE[UnrecoverableDamage.code("id")]
    return code, fixed & ~scientific, repaired


def _diagnose(arr: pa.Array) -> tuple[_Parsed, pa.Array, pa.Array]:
    """``damage.diagnose`` over values that are not valid as they stand: the parse (with codes),
    the compact value (valid after stripping whitespace) and the suggestion."""
    n = len(arr)
    stripped = _strip(arr)
    missing = _np(pc.equal(pc.binary_length(stripped), 0), True)
    parsed = _structure(stripped)
    placeholder = _is_placeholder(stripped, ~missing)
    whitespace = ~missing & ~placeholder & (parsed.kind != INVALID)
    parsed.code[whitespace] = _ID_CODE["id_whitespace"]
    parsed.kind[missing | placeholder] = MISSING
    parsed.code[missing] = _ID_CODE["id_missing"]
    parsed.code[placeholder] = _ID_CODE["id_placeholder"]
    compact = _scatter(n, np.flatnonzero(whitespace), stripped.filter(pa.array(whitespace)))

    damaged = np.flatnonzero(~missing & ~placeholder & ~whitespace)
    code, fixed, repaired = _repair(_take(stripped, damaged))
    parsed.code[damaged] = code
    suggestion = _scatter(n, damaged[fixed], repaired.filter(pa.array(fixed)))
    return parsed, compact, suggestion


def classify_ids(s: pd.Series) -> pd.DataFrame:
    """Kind, canonical value, reason code, suggestion and decoded fields of personal-ID cells.

    Columns (index = ``s.index``): ``id_kind`` (cccd | cmnd | passport | missing | invalid),
    ``id_compact`` (valid value after stripping whitespace), ``id_code`` (``damage.ID_CODES``; NA
    when valid and unchanged), ``id_suggestion``, ``province_code``, ``id_sex`` ("Nam"/"Nữ"),
    ``id_birth_year`` (Int64). Row for row equal to ``damage.diagnose`` and the ``cccd`` extractors.
    """
    s = s if isinstance(s, pd.Series) else pd.Series(s)
    if s.empty:
        return _empty_classification(s.index)
    arr = _text_array(s)
    n = len(arr)
    parsed = _structure(arr)
    # "000000000" has the shape of a CMND but is a placeholder: diagnose it with the rest.
    parsed.kind[_all_zeros(arr, parsed.kind == CMND)] = INVALID
    compact = pc.if_else(pa.array(parsed.kind != INVALID), arr, _NULL)
    suggestion = pa.nulls(n, TEXT)
    rest = np.flatnonzero(parsed.kind == INVALID)
    if len(rest):
        rest_parsed, rest_compact, rest_suggestion = _diagnose(_take(arr, rest))
        parsed.update(rest, rest_parsed)
        stripped_rows = rest[_np(pc.is_valid(rest_compact))]
        if len(stripped_rows):
            compact = pc.coalesce(compact, _scatter(n, stripped_rows, rest_compact.drop_null()))
        suggested_rows = rest[_np(pc.is_valid(rest_suggestion))]
        suggestion = _scatter(n, suggested_rows, rest_suggestion.drop_null())
    not_cccd = parsed.kind != CCCD
    columns = {
        "id_kind": _labels(parsed.kind, np.zeros(n, dtype=bool), damage.KINDS),
        "id_compact": compact,
        "id_code": _labels(parsed.code, parsed.code == NO_CODE, damage.ID_CODES),
        "id_suggestion": suggestion,
        "province_code": _labels(parsed.province, not_cccd, _THREE_DIGITS),
        "id_sex": _labels(parsed.century % 2, not_cccd, cccd.SEXES),
    }
    frame = {name: pd.array(values, dtype=STRING) for name, values in columns.items()}
    frame["id_birth_year"] = pd.arrays.IntegerArray(parsed.birth_year().astype(np.int64), not_cccd)
    return pd.DataFrame(frame, index=s.index)


def _empty_classification(index: pd.Index) -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.array([], dtype=STRING) for name in CLASSIFY_COLUMNS})
    frame["id_birth_year"] = pd.array([], dtype="Int64")
    return frame.set_axis(index[:0])


def cccd_consistency(id_compact: pd.Series, sex: pd.Series, birth_year: pd.Series) -> pd.DataFrame:
    """Whether sex ("Nam"/"Nữ") and birth year agree with the CCCD digits, as nullable booleans.

    NA where the ID is not a valid CCCD, the sex is not exactly "Nam"/"Nữ" (normalise with
    ``vaxutils.sex`` first) or the year is not a whole number; equal to ``cccd.check_consistency``
    (the ID is compacted the same way). ``sex`` and ``birth_year`` are aligned by index.

    >>> ids = pd.Series(["001090012345", "001090012345", "012345678"])
    >>> cccd_consistency(ids, pd.Series(["Nữ", "Nam", "Nam"]), pd.Series([1990, 1991, 1990]))
       sex_ok  year_ok
    0   False     True
    1    True    False
    2    <NA>     <NA>
    """
    id_compact = id_compact if isinstance(id_compact, pd.Series) else pd.Series(id_compact)
    index, n = id_compact.index, len(id_compact)
    if n == 0:
        empty = pd.array([], dtype="boolean")
        return pd.DataFrame({"sex_ok": empty, "year_ok": empty}, index=index)
    numbers = _text_array(id_compact)
    parsed = _structure(numbers)
    # Values that are not valid as they stand may be valid once compacted, as cccd.compact does.
    rest = np.flatnonzero((parsed.kind == INVALID) & _np(pc.is_valid(numbers)))
    if len(rest):
        parsed.update(rest, _structure(_remove_separators(_take(numbers, rest))))
    given_sex = _np(
        pc.index_in(_text_array(_aligned(sex, index)), value_set=pa.array(cccd.SEXES)), -1
    )
    given_year = _years(_aligned(birth_year, index))
    not_cccd = parsed.kind != CCCD
    return pd.DataFrame(
        {
            "sex_ok": pd.arrays.BooleanArray(
                parsed.century % 2 == given_sex, not_cccd | (given_sex < 0)
            ),
            "year_ok": pd.arrays.BooleanArray(
                parsed.birth_year() == given_year, not_cccd | np.isnan(given_year)
            ),
        },
        index=index,
    )


def _aligned(values: object, index: pd.Index) -> pd.Series:
    if isinstance(values, pd.Series):
        return values if values.index.equals(index) else values.reindex(index)
    return pd.Series(values, index=index)


def _years(values: pd.Series) -> np.ndarray:
    """Whole-number birth years as floats, NaN where unknown (``cccd.as_year`` over a Series)."""
    if pd.api.types.is_bool_dtype(values.dtype) or not pd.api.types.is_numeric_dtype(values.dtype):
        # Non-numeric columns only occur as junk; convert each value like the scalar path does.
        years = np.frompyfunc(cccd.as_year, 1, 1)(values.to_numpy(dtype=object))
        return np.array([np.nan if y is None else y for y in years], dtype=np.float64)
    years = values.to_numpy(dtype=np.float64, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(years) & (years == np.floor(years)), years, np.nan)


# --- phone and insurance numbers ------------------------------------------------------------


def _phone_compact(arr: pa.Array) -> pa.Array:
    number = pc.replace_substring_regex(arr, phone.SEPARATOR_CLASS, "")
    number = pc.replace_substring_regex(number, phone.INTERNATIONAL, "0")
    return pc.replace_substring_regex(number, phone.INTERNATIONAL_NO_PLUS, "0\\1")


def phone_numbers(s: pd.Series) -> pd.Series:
    """The valid mobile numbers of ``s`` in compact form (``0xxxxxxxxx``), NA where not valid.

    >>> phone_numbers(pd.Series(["+84 912 345 678", "0912.345.678", "12345", None])).tolist()
    ['0912345678', '0912345678', <NA>, <NA>]
    """
    s = s if isinstance(s, pd.Series) else pd.Series(s)
    if s.empty:
        return pd.Series(pd.array([], dtype=STRING), index=s.index, name=s.name)
    number = _phone_compact(_strip(_text_array(s)))
    compact = pc.if_else(pa.array(_phone_failure(number) == ""), number, _NULL)
    return pd.Series(pd.array(compact, dtype=STRING), index=s.index, name=s.name)


def _phone_failure(number: pa.Array) -> np.ndarray:
    length = _np(pc.utf8_length(number), 0)
    digits = _np(pc.ascii_is_decimal(number))
    prefix_ok = _match(number, phone.PREFIX + "[0-9]*")
    return np.select(
        [~digits, length != phone.LENGTH, ~prefix_ok],
        [InvalidFormat.reason, InvalidLength.reason, InvalidPrefix.reason],
        "",
    )


def _phone_lost_zero(number: pa.Array) -> pa.Array:
    ok = _match(number, "[35789][0-9]{8}")
    return pc.if_else(pa.array(ok), pc.utf8_lpad(number, width=10, padding="0"), _NULL)


def _bhyt_compact(arr: pa.Array) -> pa.Array:
    return pc.ascii_upper(pc.replace_substring_regex(arr, _cells.SEPARATOR_CLASS, ""))


def _bhyt_failure(number: pa.Array) -> np.ndarray:
    length = _np(pc.utf8_length(number), 0)
    card = length == bhyt.CARD_LENGTH
    level_ok = _np(pc.is_in(pc.utf8_slice_codeunits(number, 2, 3), pa.array(list("12345"))))
    return np.select(
        [
            ~card & (length != bhyt.NUMBER_LENGTH),
            ~card & ~_np(pc.ascii_is_decimal(number)),
            card & ~_match(number, bhyt.CARD_PATTERN),
            card & ~level_ok,
        ],
        [
            InvalidLength.reason,
            InvalidFormat.reason,
            InvalidFormat.reason,
            InvalidBenefitLevel.reason,
        ],
        "",
    )


def _bhyt_lost_zero(number: pa.Array) -> pa.Array:
    ok = _match(number, "[0-9]{9}")
    return pc.if_else(pa.array(ok), pc.utf8_lpad(number, width=10, padding="0"), _NULL)


def _number_issues(s: pd.Series, prefix: str, compact, failure, lost_zero) -> pd.DataFrame:
    """``damage.diagnose_number`` over a Series, in long form."""
    arr = _text_array(s)
    stripped = _strip(arr)
    empty = _np(pc.equal(pc.binary_length(stripped), 0), True)
    present = np.flatnonzero(~empty & ~_is_placeholder(stripped, ~empty))
    text, stripped = _take(arr, present), _take(stripped, present)
    floats = _match(stripped, _cells.FLOAT_SUFFIX)
    number = compact(_replace_where(stripped, floats, _remove_float_suffix))
    reason = failure(number)
    restored = lost_zero(number)
    has_restored = _np(pc.is_valid(restored)) & (reason != "")
    normalized = (reason == "") & ~_np(pc.equal(number, text))
    scientific = _match(stripped, _cells.SCIENTIFIC)
    code = np.where(reason != "", np.char.add(f"{prefix}_", reason.astype(str)), "")
    code = np.where(has_restored, f"{prefix}_leading_zero_lost", code)
    code = np.where(normalized, f"{prefix}_normalized", code)
    code = np.where(scientific, UnrecoverableDamage.code(prefix), code)
    suggestion = pc.if_else(pa.array(normalized), number, _NULL)
    suggestion = pc.if_else(pa.array(has_restored & ~scientific), restored, suggestion)
    keep = code != ""
    return _long_form(s.index[present[keep]], code[keep], suggestion.filter(pa.array(keep)))


def _id_issues(s: pd.Series) -> pd.DataFrame:
    classified = classify_ids(s)
    found = classified[classified["id_code"].notna()]
    return _long_form(found.index, found["id_code"].to_numpy(str), found["id_suggestion"].array)


def _long_form(rows: pd.Index, codes: np.ndarray, suggestions: object) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": rows.to_numpy(dtype=object),
            "code": pd.array(codes, dtype=STRING),
            "suggestion": pd.array(suggestions, dtype=STRING),
        }
    )


_ISSUES = {
    "id": _id_issues,
    "phone": functools.partial(
        _number_issues,
        prefix="phone",
        compact=_phone_compact,
        failure=_phone_failure,
        lost_zero=_phone_lost_zero,
    ),
    "bhyt": functools.partial(
        _number_issues,
        prefix="bhyt",
        compact=_bhyt_compact,
        failure=_bhyt_failure,
        lost_zero=_bhyt_lost_zero,
    ),
}
KINDS_OF_ISSUES = tuple(_ISSUES)


def issues_series(s: pd.Series, kind: str = "id") -> pd.DataFrame:
    """Problems of a column in long form: ``row`` (index label), ``code``, ``suggestion``.

    ``kind`` is ``"id"`` (CMND/CCCD/passport: ``damage.ID_CODES``), ``"phone"`` or ``"bhyt"``
    (``<kind>_normalized``, ``<kind>_leading_zero_lost``, ``<kind>_invalid_length`` …; empty
    cells are not problems for these optional fields). One row per problem; valid values have none.
    """
    if kind not in _ISSUES:
        raise ValueError(f"kind phải là một trong {KINDS_OF_ISSUES} / kind must be one of them")
    s = s if isinstance(s, pd.Series) else pd.Series(s)
    if s.empty:
        return _long_form(s.index[:0], np.array([], dtype=str), [])
    return _ISSUES[kind](s)


phone_issues_series = functools.partial(issues_series, kind="phone")
bhyt_issues_series = functools.partial(issues_series, kind="bhyt")
