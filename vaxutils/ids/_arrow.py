"""The Arrow side of identifier cells: what every vectorised identifier function is built from.

A column becomes a pyarrow ``large_string`` array (:func:`text_array`, cells converted exactly as the
scalar functions convert them); the shared patterns of :mod:`vaxutils.ids._cells` run on it as RE2
(:func:`match`, :func:`contains`), slow kernels only on the rows that need them (:func:`replace_where`,
:func:`contains_among`), and answers computed on a few rows go back in place (:func:`scatter`).
Problems come out in the long form ``row, code, suggestion`` (:func:`long_form`).

>>> arr = text_array(pd.Series([" 0912 345 678", None, "Không có"]))
>>> strip(arr).to_pylist(), is_placeholder(strip(arr), np.array([True, False, True])).tolist()
(['0912 345 678', None, 'Không có'], [False, False, True])
>>> remove_separators(arr).to_pylist()
['0912345678', None, 'Khôngcó']
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils.ids import _cells

STRING = pd.StringDtype("pyarrow")
TEXT = pa.large_string()
NULL = pa.scalar(None, TEXT)
ISSUE_COLUMNS = ("row", "code", "suggestion")
# First characters whose NFC lower case starts a placeholder word (U+212A KELVIN SIGN is a K).
_PLACEHOLDER_FIRST = pa.array(
    sorted({c for w in _cells.PLACEHOLDER_WORDS for c in (w[0], w[0].upper())} | {"\u212a"}),
    type=TEXT,
)


def series_of(values: object) -> pd.Series:
    """``values`` as a Series (a list or an array is accepted where a column is expected)."""
    return values if isinstance(values, pd.Series) else pd.Series(values)


def text_array(s: pd.Series) -> pa.Array:
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


def as_numpy(arr: pa.Array, fill: object = False) -> np.ndarray:
    return arr.fill_null(fill).to_numpy(zero_copy_only=False)


def first_reason(conditions: list[np.ndarray], reasons: list[str]) -> np.ndarray:
    """Per element, the reason of the first condition that holds, ``""`` when none does — chosen
    as small integers and looked up once (a select over text would copy strings per condition).

    >>> first_reason([np.array([True, False, False]), np.array([True, True, False])], ["a", "b"])
    array(['a', 'b', ''], dtype='<U1')
    """
    which = np.select(conditions, np.arange(1, len(reasons) + 1), 0)
    return np.asarray(["", *reasons])[which]


def take(arr: pa.Array, positions: np.ndarray) -> pa.Array:
    return arr.take(pa.array(positions, type=pa.int64()))


def match(arr: pa.Array, pattern: str, among: np.ndarray | None = None) -> np.ndarray:
    """Full match of a shared pattern, evaluated only on the ``among`` rows (False elsewhere)."""
    if among is None:
        return as_numpy(pc.match_substring_regex(arr, _cells.anchored(pattern)))
    found = np.zeros(len(arr), dtype=bool)
    rows = np.flatnonzero(among)
    if len(rows):
        found[rows] = match(take(arr, rows), pattern)
    return found


def contains(arr: pa.Array, pattern: str) -> np.ndarray:
    return as_numpy(pc.match_substring_regex(arr, pattern))


def contains_among(arr: pa.Array, pattern: str, among: np.ndarray) -> np.ndarray:
    found = np.zeros(len(arr), dtype=bool)
    rows = np.flatnonzero(among)
    if len(rows):
        found[rows] = contains(take(arr, rows), pattern)
    return found


def replace_where(arr: pa.Array, mask: np.ndarray, repair: Callable[[pa.Array], pa.Array]):
    """``repair`` applied to the masked values only (regex replacement is the slow kernel)."""
    if not mask.any():
        return arr
    return pc.replace_with_mask(arr, pa.array(mask), repair(take(arr, np.flatnonzero(mask))))


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


def scatter(n: int, rows: np.ndarray, values: pa.Array) -> pa.Array:
    """A length-n array, null except the (non-null) ``values`` at ``rows`` (ascending)."""
    values = values.cast(TEXT)
    if len(values) == 0:
        return pa.nulls(n, TEXT)
    offsets = _offsets(values)
    data = np.frombuffer(values.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    return _from_parts(n, rows, np.diff(offsets), data)


def labels(which: np.ndarray, missing: np.ndarray, labels: tuple[str, ...]) -> pa.Array:
    """Strings ``labels[which]``, null where ``missing``."""
    return pa.array(labels, type=TEXT).take(pa.array(which, mask=missing))


def digit_matrix(arr: pa.Array, width: int) -> np.ndarray:
    """Equal-length (``width``) ASCII digit strings as an (n, width) matrix of digits, read from the buffer."""
    if len(arr) == 0:
        return np.zeros((0, width), dtype=np.uint8)
    offsets = _offsets(arr)
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    return data.reshape(len(arr), -1) - np.uint8(ord("0"))


def strip(arr: pa.Array) -> pa.Array:
    return pc.utf8_trim(arr, characters=_cells.WHITESPACE)


def is_placeholder(stripped: pa.Array, among: np.ndarray) -> np.ndarray:
    """``_cells.is_placeholder`` on the ``among`` rows."""
    found = np.zeros(len(stripped), dtype=bool)
    for filler in _cells.PLACEHOLDER_FILLERS:  # a trim is much cheaper than a regex
        found |= as_numpy(pc.equal(pc.binary_length(pc.utf8_trim(stripped, characters=filler)), 0))
    found &= among
    # The NFC/lower-case key is worth computing only for values that can start a placeholder word.
    first = pc.utf8_slice_codeunits(stripped, 0, 1)
    words_possible = among & ~found & as_numpy(pc.is_in(first, value_set=_PLACEHOLDER_FIRST))
    rows = np.flatnonzero(words_possible)
    if len(rows):
        key = pc.utf8_lower(pc.utf8_normalize(take(stripped, rows), form="NFC"))
        runs = contains(key, "[" + _cells.WHITESPACE.replace(" ", "") + "]|  ")
        key = replace_where(
            key, runs, lambda a: pc.replace_substring_regex(a, f"[{_cells.WHITESPACE}]+", " ")
        )
        words = pa.array(sorted(_cells.PLACEHOLDER_WORDS), type=TEXT)
        found[rows] = as_numpy(pc.is_in(key, value_set=words))
    return found


def all_zeros(arr: pa.Array, among: np.ndarray) -> np.ndarray:
    found = np.zeros(len(arr), dtype=bool)
    rows = np.flatnonzero(among)
    trimmed = pc.utf8_trim(take(arr, rows), characters="0")  # a trim is cheaper than a regex
    found[rows] = as_numpy(pc.equal(pc.binary_length(trimmed), 0))
    return found


def translate(arr: pa.Array, table: dict[str, str]) -> pa.Array:
    for old, new in table.items():
        arr = pc.replace_substring(arr, old, new)
    return arr


def remove_float_suffix(arr: pa.Array) -> pa.Array:
    return pc.replace_substring_regex(arr, "\\.0+$", "")


def remove_separators(arr: pa.Array) -> pa.Array:
    # Literal replacement of the usual three is ~10× cheaper than the regex, kept for the rest.
    for separator in " .-":
        arr = pc.replace_substring(arr, separator, "")
    rare = contains(arr, _cells.SEPARATOR_CLASS)
    return replace_where(
        arr, rare, lambda a: pc.replace_substring_regex(a, _cells.SEPARATOR_CLASS, "")
    )


def long_form(rows: pd.Index, codes: np.ndarray, suggestions: object) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": rows.to_numpy(dtype=object),
            "code": pd.array(codes, dtype=STRING),
            "suggestion": pd.array(suggestions, dtype=STRING),
        }
    )


def no_issues(index: pd.Index) -> pd.DataFrame:
    """The long form with no rows (for an empty column)."""
    return long_form(index[:0], np.array([], dtype=str), [])
