"""Vectorised identifier checks over a pandas Series, giving the scalar modules' answers.

The data path of ``vaxutils.ids``: Series in, Series/DataFrame out, index kept, input never
mutated. The work runs on a pyarrow array with ``pyarrow.compute`` kernels and numpy; the common
case (an already clean 12- or 9-digit number) costs a handful of kernels over the column, and the
damage diagnosis runs only on the few values that are not clean. Property tests prove every answer
equal to the scalar functions (``damage.diagnose``, ``phone.diagnose``, ``bhyt.diagnose``,
``cccd.check_consistency``).

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
   row                code  suggestion
0    0    phone_normalized  0912345678
1    1  phone_invalid_length        <NA>
"""

from __future__ import annotations

import functools
import re

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

_KIND = {kind: i for i, kind in enumerate(damage.KINDS)}
CCCD, CMND, PASSPORT, MISSING, INVALID = (_KIND[k] for k in damage.KINDS)
NO_CODE = -1
_ID_CODE = {code: i for i, code in enumerate(damage.ID_CODES)}
_PROVINCE_OK = np.zeros(1000, dtype=bool)
_PROVINCE_OK[[int(code) for code in PROVINCES]] = True
_ZERO = ord("0")
_NULL = pa.scalar(None, TEXT)


# --- text -----------------------------------------------------------------------------------


def _text_array(s: pd.Series) -> pa.Array:
    """The column as a pyarrow large_string array, null where the cell is missing."""
    if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
        arr = pa.array(s.array)
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


def _np(arr: pa.Array | pa.ChunkedArray, fill: object = False) -> np.ndarray:
    return arr.fill_null(fill).to_numpy(zero_copy_only=False)


def _match(arr: pa.Array, pattern: str) -> np.ndarray:
    return _np(pc.match_substring_regex(arr, _cells.anchored(pattern)))


def _take(arr: pa.Array, positions: np.ndarray) -> pa.Array:
    return arr.take(pa.array(positions, type=pa.int64()))


def _scatter(n: int, positions: np.ndarray, values: pa.Array) -> pa.Array:
    """A length-n array, null except ``values`` at ``positions`` (sorted ascending)."""
    mask = np.zeros(n, dtype=bool)
    mask[positions] = True
    return pc.replace_with_mask(pa.nulls(n, TEXT), pa.array(mask), values.cast(TEXT))


def _digit_matrix(arr: pa.Array) -> np.ndarray:
    """The digits of equal-length ASCII digit strings as an (n, width) uint8 matrix."""
    if len(arr) == 0:
        return np.zeros((0, cccd.LENGTH), dtype=np.uint8)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    return data.reshape(len(arr), -1) - _ZERO


def _strip(arr: pa.Array) -> pa.Array:
    return pc.utf8_trim(arr, characters=_cells.WHITESPACE)


def _is_placeholder(stripped: pa.Array) -> np.ndarray:
    key = pc.utf8_lower(pc.utf8_normalize(stripped, form="NFC"))
    key = pc.replace_substring_regex(key, "[" + _cells.WHITESPACE + "]+", " ")
    words = pa.array(sorted(_cells.PLACEHOLDER_WORDS), type=TEXT)
    return _match(stripped, _cells.PLACEHOLDER_SYMBOLS) | _np(pc.is_in(key, value_set=words))


def _translate(arr: pa.Array, table: dict[str, str]) -> pa.Array:
    for old, new in table.items():
        arr = pc.replace_substring(arr, old, new)
    return arr


def _without_float_suffix(arr: pa.Array) -> pa.Array:
    is_float = pc.match_substring_regex(arr, _cells.anchored(_cells.FLOAT_SUFFIX))
    return pc.if_else(is_float.fill_null(False), pc.replace_substring_regex(arr, "\\.0+$", ""), arr)


# --- personal IDs ---------------------------------------------------------------------------


def _structure(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """``damage.structure`` over an array: kind index and code index (NO_CODE when valid)."""
    n = len(arr)
    kind = np.full(n, INVALID, dtype=np.int8)
    code = np.full(n, _ID_CODE[InvalidFormat.code("id")], dtype=np.int8)
    length = _np(pc.binary_length(arr), 0)
    digits = _np(pc.ascii_is_decimal(arr))
    code[digits] = _ID_CODE[InvalidLength.code("id")]

    cmnd = digits & (length == 9)
    kind[cmnd] = CMND
    maybe_passport = np.flatnonzero(~digits & (length == 8))
    if len(maybe_passport):
        is_passport = _match(_take(arr, maybe_passport), "[A-Z][0-9]{7}")
        kind[maybe_passport[is_passport]] = PASSPORT
    twelve = np.flatnonzero(digits & (length == 12))
    d = _digit_matrix(_take(arr, twelve)).astype(np.int16)
    province_ok = _PROVINCE_OK[d[:, 0] * 100 + d[:, 1] * 10 + d[:, 2]]
    century_ok = d[:, 3] <= 3
    year_ok = cccd.birth_year(d[:, 3], d[:, 4] * 10 + d[:, 5]) <= cccd.DATA_YEAR
    code[twelve] = np.select(
        [~province_ok, ~century_ok, ~year_ok],
        [_ID_CODE[c.code("id")] for c in (InvalidProvince, InvalidCentury, FutureBirthYear)],
        NO_CODE,
    )
    kind[twelve[province_ok & century_ok & year_ok]] = CCCD
    code[kind != INVALID] = NO_CODE
    return kind, code


def _repair(stripped: pa.Array) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """``damage.diagnose`` from the repair on, for stripped values that are neither valid,
    missing nor placeholders: code index, whether a suggestion exists, the repaired text."""
    fullwidth = _translate(stripped, dict(zip(_cells.FULLWIDTH_DIGITS, "0123456789", strict=True)))
    scientific = _match(fullwidth, _cells.SCIENTIFIC)
    flags = {"id_fullwidth_digits": _np(pc.not_equal(fullwidth, stripped))}
    flags["id_float_suffix"] = _match(fullwidth, _cells.FLOAT_SUFFIX)
    unfloated = _without_float_suffix(fullwidth)
    repaired = pc.replace_substring_regex(unfloated, _cells.SEPARATOR_CLASS, "")
    flags["id_separators"] = _np(pc.not_equal(repaired, unfloated))
    letters = ~_np(pc.ascii_is_decimal(repaired)) & _match(repaired, _cells.LETTER_DIGITS)
    flags["id_letter_for_digit"] = letters
    repaired = pc.if_else(pa.array(letters), _translate(repaired, _cells.LETTER_TO_DIGIT), repaired)

    kind, code = _structure(repaired)
    restored = _lost_zero_repair(repaired, code == _ID_CODE[InvalidLength.code("id")])
    flags["id_leading_zero_lost"] = _np(pc.is_valid(restored))
    repaired = pc.coalesce(restored, repaired)
    fixed = (kind != INVALID) | flags["id_leading_zero_lost"]

    damage_code = np.full(len(stripped), NO_CODE, dtype=np.int8)
    for name in reversed(damage.DAMAGE_CODES):  # the most actionable one is written last
        damage_code[flags[name]] = _ID_CODE[name]
    failure = np.where(letters, _ID_CODE[InvalidFormat.code("id")], code)
    code = np.where(fixed, damage_code, failure)
    code[scientific] = _ID_CODE[UnrecoverableDamage.code("id")]
    return code.astype(np.int8), fixed & ~scientific, repaired


def _lost_zero_repair(digits: pa.Array, wrong_length: np.ndarray) -> pa.Array:
    """``damage.lost_zero_repair`` over an array: restored value, null when not repairable."""
    length = _np(pc.binary_length(digits), 0)
    cccd_padded = pc.utf8_lpad(digits, width=cccd.LENGTH, padding="0")
    cccd_ok = wrong_length & np.isin(length, (10, 11))
    cccd_ok &= _structure(cccd_padded)[0] == CCCD
    cmnd_ok = wrong_length & (length == 8) & _match(digits, damage.CMND_SHRUNK)
    cmnd_padded = pc.utf8_lpad(digits, width=9, padding="0")
    restored = pc.if_else(pa.array(cmnd_ok), cmnd_padded, _NULL)
    return pc.if_else(pa.array(cccd_ok), cccd_padded, restored)


def _diagnose(arr: pa.Array) -> tuple[np.ndarray, np.ndarray, pa.Array, pa.Array]:
    """``damage.diagnose`` over values that are not valid as they stand."""
    n = len(arr)
    stripped = _strip(arr)
    missing = _np(pc.equal(pc.binary_length(stripped), 0), True)
    placeholder = ~missing & _is_placeholder(stripped)
    kind, code = _structure(stripped)
    whitespace = ~missing & ~placeholder & (kind != INVALID)
    code[whitespace] = _ID_CODE["id_whitespace"]
    kind[missing | placeholder] = MISSING
    code[missing] = _ID_CODE["id_missing"]
    code[placeholder] = _ID_CODE["id_placeholder"]
    compact = pc.if_else(pa.array(whitespace), stripped, _NULL)

    damaged = np.flatnonzero(~missing & ~placeholder & ~whitespace)
    repair_code, fixed, repaired = _repair(_take(stripped, damaged))
    code[damaged] = repair_code
    suggestion = _scatter(n, damaged[fixed], pc.filter(repaired, pa.array(fixed)))
    return kind, code, compact, suggestion


def _cccd_fields(numbers: pa.Array, kind: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows that are CCCD numbers, and their sex index (0 Nam, 1 Nữ) and birth year."""
    rows = np.flatnonzero(kind == CCCD)
    d = _digit_matrix(_take(numbers, rows)).astype(np.int16)
    return rows, d[:, 3] % 2, cccd.birth_year(d[:, 3], d[:, 4] * 10 + d[:, 5]).astype(np.int64)


def _decode(compact: pa.Array, kind: np.ndarray) -> dict[str, object]:
    """Province code, sex and birth year of the CCCD rows (NA elsewhere)."""
    n = len(compact)
    rows, sex, year = _cccd_fields(compact, kind)
    years = np.zeros(n, dtype=np.int64)
    years[rows] = year
    no_year = np.ones(n, dtype=bool)
    no_year[rows] = False
    provinces = pc.utf8_slice_codeunits(_take(compact, rows), 0, 3)
    return {
        "province_code": _scatter(n, rows, provinces),
        "id_sex": _scatter(n, rows, pa.array(cccd.SEXES, type=TEXT).take(pa.array(sex))),
        "id_birth_year": pd.arrays.IntegerArray(years, no_year),
    }


def classify_ids(s: pd.Series) -> pd.DataFrame:
    """Kind, canonical value, reason code, suggestion and decoded fields of personal-ID cells.

    Columns (index = ``s.index``): ``id_kind`` (cccd | cmnd | passport | missing | invalid),
    ``id_compact`` (valid value after stripping whitespace), ``id_code`` (``damage.ID_CODES``; NA
    when valid and unchanged), ``id_suggestion``, ``province_code``, ``id_sex``, ``id_birth_year``.
    Row for row equal to ``damage.diagnose`` and the ``cccd`` extractors.
    """
    s = s if isinstance(s, pd.Series) else pd.Series(s)
    if s.empty:
        return _empty_classification(s.index)
    arr = _text_array(s)
    n = len(arr)
    kind, code = _structure(arr)
    compact = pc.if_else(pa.array(kind != INVALID), arr, _NULL)
    suggestion = pa.nulls(n, TEXT)
    rest = np.flatnonzero(kind == INVALID)
    if len(rest):
        rest_kind, rest_code, rest_compact, rest_suggestion = _diagnose(_take(arr, rest))
        kind[rest], code[rest] = rest_kind, rest_code
        changed = np.zeros(n, dtype=bool)
        changed[rest] = True
        compact = pc.replace_with_mask(compact, pa.array(changed), rest_compact)
        suggestion = pc.replace_with_mask(suggestion, pa.array(changed), rest_suggestion)
    codes = pa.array(damage.ID_CODES, type=TEXT).take(pa.array(code, mask=code == NO_CODE))
    columns = {
        "id_kind": pa.array(damage.KINDS, type=TEXT).take(pa.array(kind)),
        "id_compact": compact,
        "id_code": codes,
        "id_suggestion": suggestion,
        **_decode(compact, kind),
    }
    return pd.DataFrame(
        {name: _to_pandas(values) for name, values in columns.items()}, index=s.index
    )


def _to_pandas(values: object) -> object:
    return pd.array(values, dtype=STRING) if isinstance(values, pa.Array) else values


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
    numbers = pc.replace_substring_regex(_text_array(id_compact), _cells.SEPARATOR_CLASS, "")
    rows, id_sex, id_year = _cccd_fields(numbers, _structure(numbers)[0])
    given_sex = pc.index_in(_text_array(_aligned(sex, index)), value_set=pa.array(cccd.SEXES))
    given_sex = _np(given_sex, -1)[rows]
    given_year = _years(_aligned(birth_year, index))[rows]
    sex_ok, year_ok = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    sex_unknown, year_unknown = np.ones(n, dtype=bool), np.ones(n, dtype=bool)
    sex_ok[rows], sex_unknown[rows] = id_sex == given_sex, given_sex < 0
    year_ok[rows], year_unknown[rows] = id_year == given_year, np.isnan(given_year)
    return pd.DataFrame(
        {
            "sex_ok": pd.arrays.BooleanArray(sex_ok, sex_unknown),
            "year_ok": pd.arrays.BooleanArray(year_ok, year_unknown),
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
        [InvalidLength.reason, InvalidFormat.reason, InvalidFormat.reason, InvalidBenefitLevel.reason],
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
    present = np.flatnonzero(~empty & ~_is_placeholder(stripped))
    text, stripped = _take(arr, present), _take(stripped, present)
    number = compact(_without_float_suffix(stripped))
    reason = failure(number)
    restored = lost_zero(number)
    has_restored = _np(pc.is_valid(restored)) & (reason != "")
    normalized = (reason == "") & ~_np(pc.equal(number, text))
    scientific = _match(stripped, _cells.SCIENTIFIC)
    code = np.where(reason != "", np.char.add(f"{prefix}_", reason.astype(str)), "")
    code = np.where(has_restored, f"{prefix}_leading_zero_lost", code)
    code = np.where(normalized, f"{prefix}_normalized", code)
    code = np.where(scientific, UnrecoverableDamage.code(prefix), code)
    suggestion = pc.if_else(pa.array(normalized), number, pc.if_else(pa.array(has_restored), restored, _NULL))
    suggestion = pc.if_else(pa.array(scientific), _NULL, suggestion)
    keep = code != ""
    return _long_form(s.index[present[keep]], code[keep], pc.filter(suggestion, pa.array(keep)))


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
