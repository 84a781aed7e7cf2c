"""Arrow text columns for the passport's province-sized paths: lookups, joins, JSON escaping.

On a 1,000,000-person input a pandas ``Series.map``/``reindex`` by record id, or a text column
turned into Python objects, costs seconds each; these helpers keep text in Arrow and look keys up
with Arrow's hash kernels (``index_in``), so no Python string is made per row.

>>> positions(pd.Series(["b", "x", None]), pd.Series(["a", "b"])).tolist()
[1, -1, -1]
>>> join('{"a":"', json_escape(arrow_text(pd.Series(['x"y']))), '"}').to_pylist()
['{"a":"x\\\\"y"}']
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_EMPTY = pa.scalar("", pa.large_string())


def arrow_text(s) -> pa.Array:
    """A text column as one Arrow ``large_string`` array (zero-copy for Arrow-backed text)."""
    if isinstance(s, pd.Series) and isinstance(s.array, pd.arrays.ArrowStringArray):
        s = s.array._pa_array
    elif isinstance(s, pd.Series | pd.Index | np.ndarray | list) or not isinstance(
        s, pa.Array | pa.ChunkedArray
    ):
        series = pd.Series(s)
        if not isinstance(series.dtype, pd.StringDtype) and series.dtype != "str":
            series = series.astype("string")
        s = pa.array(series.array) if len(series) else pa.array([], pa.large_string())
    if isinstance(s, pa.ChunkedArray):
        s = s.combine_chunks() if s.num_chunks != 1 else s.chunk(0)
    return s if s.type == pa.large_string() else s.cast(pa.large_string())


def as_series(text: pa.Array, index=None) -> pd.Series:
    """An Arrow text array as a pandas ``string`` Series, without Python objects."""
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    return pd.Series(pd.arrays.ArrowStringArray(text.cast(pa.large_string())), index=index)


def positions(keys, values) -> np.ndarray:
    """For each key, the position of its first occurrence in ``values`` (-1: absent or missing)."""
    found = pc.index_in(arrow_text(keys), value_set=arrow_text(values))
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def encode(keys) -> tuple[pa.Array, np.ndarray]:
    """The distinct values of a text column and each row's code into them (-1: missing).

    A column of repeated keys (a record id per dose) looked up several times hashes each
    distinct key once per lookup instead of each row (:func:`positions_of`).

    >>> distinct, code = encode(pd.Series(["b", None, "b", "a"]))
    >>> distinct.to_pylist(), code.tolist()
    (['b', 'a'], [0, -1, 0, 1])
    >>> positions_of((distinct, code), pd.Series(["a", "b"])).tolist()
    [1, -1, 1, 0]
    """
    coded = pc.dictionary_encode(arrow_text(keys))
    code = pc.fill_null(coded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return coded.dictionary, code


def positions_of(encoded: tuple[pa.Array, np.ndarray], values) -> np.ndarray:
    """:func:`positions` of keys given as :func:`encode` made them."""
    distinct, code = encoded
    return np.append(positions(distinct, values), -1)[code]


def take(text: pa.Array, at: np.ndarray) -> pa.Array:
    """``text[at]`` with null where ``at`` is -1."""
    index = pa.array(at, mask=at < 0) if len(at) else pa.array([], pa.int64())
    return text.take(index)


def join(*parts) -> pa.Array:
    """Element-wise concatenation of Arrow text arrays and literal strings (null if any is)."""
    parts = [pa.scalar(p, pa.large_string()) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*parts, _EMPTY)


def _needs_escape(text: pa.Array) -> bool:
    return (
        len(text) > 0 and pc.any(pc.match_substring_regex(text, r'["\\\x00-\x1f]')).as_py() is True
    )


def json_escape(text: pa.Array) -> pa.Array:
    """Text as the inside of a JSON string literal: backslash, quote and control characters escaped
    (\\uXXXX for the rare controls a cleaned name may still hold)."""
    if not _needs_escape(text):
        return text  # nothing to escape: the usual case, one scan
    text = pc.replace_substring(text, "\\", "\\\\")
    text = pc.replace_substring(text, '"', '\\"')
    if pc.any(pc.match_substring_regex(text, "[\\x00-\\x1f]")).as_py():
        for code in range(32):
            text = pc.replace_substring(text, chr(code), f"\\u{code:04x}")
    return text


def escaped(text: pa.Array) -> pa.Array:
    """:func:`json_escape` done once per distinct value, spread back (names and codes repeat)."""
    if not _needs_escape(text):
        return text
    coded = pc.dictionary_encode(text)
    return pc.take(json_escape(coded.dictionary), coded.indices)


def fixed_width_chars(text: pa.Array) -> np.ndarray | None:
    """The bytes of a text array whose values all have one length, as an (n, w) uint8 matrix
    (a view, no copy); None when a value is missing or the lengths differ.

    >>> fixed_width_chars(pa.array(["ab", "cd"], pa.large_string())).tobytes()
    b'abcd'
    >>> fixed_width_chars(pa.array(["ab", "c"], pa.large_string())) is None
    True
    """
    text = arrow_text(text)
    n = len(text)
    if n == 0 or text.null_count:
        return None
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64)[text.offset : text.offset + n + 1]
    width = int(offsets[1] - offsets[0])
    if not np.array_equal(offsets, offsets[0] + width * np.arange(n + 1, dtype=np.int64)):
        return None
    data = np.frombuffer(text.buffers()[2], dtype=np.uint8)
    return data[offsets[0] : offsets[-1]].reshape(n, width)


def fixed_width_text(chars: np.ndarray) -> pa.Array:
    """Rows of an (n, w) uint8 ASCII matrix as an Arrow text array of n strings of w characters."""
    n, width = chars.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int64)
    data = np.ascontiguousarray(chars)
    return pa.Array.from_buffers(
        pa.large_string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )
