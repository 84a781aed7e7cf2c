"""Text cells: how a raw spreadsheet cell becomes text, once, for every field checker.

Submodules: :mod:`vaxutils.text.names` (full names), :mod:`vaxutils.text.legacy`
(TCVN3/ABC and VNI mojibake; its code charts in :mod:`vaxutils.text.legacy_charts`) and
:mod:`vaxutils.text.syllables` (is a word a Vietnamese syllable?). :mod:`vaxutils.dates` and :mod:`vaxutils.sex` use the helpers
below too, so that a cell means the same thing to every checker.

A cell is rendered the way a person sees it in the sheet (docs/ARCHITECTURE.md, ingestion):
numbers without a trailing ``.0``, dates as ISO ``YYYY-MM-DD``; missing values (None, NaN, NA,
NaT) stay missing.

>>> cell_text(44562.0), cell_text(b"Nam"), cell_text(float("nan")), cell_text("  Lan ")
('44562', 'Nam', None, '  Lan ')

Vectorised checkers work on the *unique* cells of a column (names and dates repeat a lot) and
spread the answers back:

>>> import pandas as pd
>>> codes, texts = factorize_cells(pd.Series(["Nam", None, "Nam", 1]))
>>> codes.tolist(), texts.tolist()
([0, -1, 0, 1], ['Nam', '1'])
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

# rendering one cell is the kernel's (every layer reads cells); this module's public face keeps it
from vaxutils.kernel.cells import cell_text, without_surrogates

__all__ = [
    "cell_text",
    "empty_issues",
    "factorize_cells",
    "factorize_texts",
    "issues_from_uniques",
    "spread",
    "spread_texts",
    "without_surrogates",
]


def factorize_cells(s: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Return ``(codes, texts)``: the code of each cell (-1 when missing) and the unique texts.

    ``texts`` is an object Series of str (never missing: empty cells keep code -1). Cells that
    render to the same text share one entry only once per distinct raw value, which is harmless.
    """
    try:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
    except (TypeError, ArithmeticError):
        # unhashable junk (lists, dicts) or a signalling NaN (decimal.InvalidOperation is an
        # ArithmeticError) in the column: render every cell first
        s = pd.Series([cell_text(v) for v in s], index=s.index, dtype=object)
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
    values = np.asarray(uniques, dtype=object)
    if pd.api.types.infer_dtype(values, skipna=False) != "string":
        # A Python loop over *unique* cells only, and only when the column is not pure text.
        values = np.array([cell_text(v) for v in values], dtype=object)
        missing = np.array([v is None for v in values], dtype=bool)
        if missing.any():
            # Objects that render as missing (e.g. NaT inside an object column) become -1 too.
            remap = np.where(missing, -1, np.cumsum(~missing) - 1)
            codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
            values = values[~missing]
    return np.asarray(codes, dtype=np.intp), pd.Series(values, dtype=object)


def factorize_texts(s: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """Like :func:`factorize_cells`, with the unique texts as a pyarrow array.

    Text columns (``str``/``string`` dtypes) are dictionary-encoded by pyarrow directly, without a
    round trip through Python objects.

    >>> codes, texts = factorize_texts(pd.Series(["Nam", None, "Nam", "Nữ"], dtype="str"))
    >>> codes.tolist(), texts.to_pylist()
    ([0, -1, 0, 1], ['Nam', 'Nữ'])
    """
    if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
        encoded = pa.chunked_array(pa.array(s.array)).cast(pa.large_string()).dictionary_encode()
        encoded = encoded.combine_chunks()
        codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        return np.asarray(codes, dtype=np.intp), encoded.dictionary
    codes, texts = factorize_cells(s)
    try:
        return codes, pa.array(texts.to_numpy(), type=pa.large_string())
    except (UnicodeEncodeError, pa.ArrowException):  # lone surrogates: rare, so only on failure
        clean = [without_surrogates(t) for t in texts]  # unique texts only
        return codes, pa.array(clean, type=pa.large_string())


def spread(values: np.ndarray | pd.Series, codes: np.ndarray, index: pd.Index, fill=None):
    """Spread per-unique ``values`` back over rows (``codes`` from :func:`factorize_cells`).

    Rows with code -1 get ``fill``. Returns an object ndarray aligned with ``index``.

    >>> spread(np.array(["a", "b"], dtype=object), np.array([1, -1, 0]), pd.RangeIndex(3)).tolist()
    ['b', None, 'a']
    """
    values = np.asarray(values, dtype=object)
    out = np.empty(len(index), dtype=object)
    out[:] = fill
    present = codes >= 0
    if len(values):
        out[present] = values[codes[present]]
    return out


def issues_from_uniques(
    per_unique: pd.DataFrame, codes: np.ndarray, index: pd.Index
) -> pd.DataFrame:
    """Turn issues found per unique cell into the long form ``row, code, suggestion`` per row.

    ``per_unique`` has a ``pos`` column (position in the unique texts) plus ``code``,
    ``suggestion`` and any extra columns; row order follows ``index``, then the issue order.

    >>> per = pd.DataFrame({"pos": [0], "code": ["x_case"], "suggestion": ["Nam"]})
    >>> issues_from_uniques(per, np.array([0, -1, 0]), pd.Index(["a", "b", "c"]))
      row    code suggestion
    0   a  x_case        Nam
    1   c  x_case        Nam
    """
    extra = [c for c in per_unique.columns if c not in ("pos", "code", "suggestion")]
    rows = pd.DataFrame({"pos": np.asarray(codes), "row": np.arange(len(index))})
    long = rows.merge(per_unique, on="pos", how="inner", sort=False)
    long = long.sort_values("row", kind="stable")
    out = pd.DataFrame(
        {
            "row": index.take(long["row"].to_numpy()),
            "code": pd.array(long["code"].to_numpy(dtype=object), dtype="str"),
            "suggestion": pd.array(long["suggestion"].to_numpy(dtype=object), dtype="str"),
        }
    )
    for column in extra:
        out[column] = long[column].to_numpy(dtype=object)
    return out.reset_index(drop=True)


def empty_issues(extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """The long-form issues frame with no rows (columns ``row, code, suggestion`` + ``extra``)."""
    return pd.DataFrame(
        {c: pd.Series([], dtype=object) for c in ("row", "code", "suggestion", *extra)}
    )


def spread_texts(values: pa.Array, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """Spread per-unique texts (a pyarrow array) back over rows as a ``str`` Series (NA for -1).

    >>> spread_texts(pa.array(["a", "b"]), np.array([1, -1, 0]), pd.Index([7, 8, 9])).tolist()
    ['b', nan, 'a']
    """
    positions = pa.array(np.asarray(codes, dtype=np.int64), mask=np.asarray(codes) < 0)
    return pd.Series(values.take(positions), index=index, dtype="str")
