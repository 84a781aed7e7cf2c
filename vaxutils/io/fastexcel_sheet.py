"""Read an xlsx sheet as text with fastexcel: calamine's parser, straight to Arrow strings.

fastexcel renders every cell as text in Rust, skipping the Python objects that make up most of
python-calamine's time; a sheet is read in one pass (parallelism comes from reading many files at
once, :mod:`vaxutils.io.many`). Its text equals :mod:`vaxutils.io.cells`' (integers in full,
fractions to 9 decimals as Excel shows them, dates as ``YYYY-MM-DD``) except for the shapes in
:data:`AMBIGUOUS`, where the text alone cannot tell a typed cell from a number, boolean or date
cell: integers past 2**53 (fastexcel's digits are not the exact value), ``-0``, booleans
(``true`` versus ``True``), time-only cells (``1899-12-31 …``), sub-second datetimes and an
ods's date-time cells (``2021-09-01T08:30:00``). A sheet
holding any of them raises :class:`NeedsCalamine`, and the caller reads it with python-calamine:
the grid is the same either way (property-tested).
"""

from __future__ import annotations

import fastexcel
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils.io.cells import blanks_to_null

AMBIGUOUS = (
    r"^-?\d{16,}$|^-0$|^(?:true|false)$|^1899-12-3[01] |^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d*$"
    r"|^\d{4}-\d\d-\d\dT\d\d:\d\d"  # an ods date-time cell (or text typed that way)
)
# Every ambiguous text is one of these words or at least 16 bytes long: only those cells are
# matched against the pattern (a length is far cheaper than a regular expression).
_SHORT_AMBIGUOUS = pa.array(["-0", "true", "false"])
_MIDNIGHT = r"^\d{4}-\d\d-\d\d 00:00:00$"  # a date cell: cells.py shows only the date


class NeedsCalamine(Exception):
    """The fastexcel text of a sheet is ambiguous (see :data:`AMBIGUOUS`)."""


def _column_text(values: pa.Array) -> pa.Array:
    values = values.cast(pa.string())
    maybe = pc.or_(
        pc.greater_equal(pc.binary_length(values), 16), pc.is_in(values, _SHORT_AMBIGUOUS)
    )
    if pc.any(maybe).as_py():
        if pc.any(pc.match_substring_regex(values.filter(maybe), AMBIGUOUS)).as_py():
            raise NeedsCalamine
    if pc.any(pc.ends_with(values, " 00:00:00")).as_py():  # most columns hold no dates
        midnight = pc.match_substring_regex(values, _MIDNIGHT)
        values = pc.if_else(midnight, pc.utf8_slice_codeunits(values, 0, 10), values)
    return blanks_to_null(values)  # whitespace-only cells become NA, as for every reader


def _columns_text(columns: list, rows: int) -> list[pa.Array]:
    """:func:`_column_text` of every column; a wide sheet's columns in one go, then cut apart
    (a dozen Arrow calls per column take seconds over 10,000 columns)."""
    if len(columns) <= 64:
        return [_column_text(c) for c in columns]
    joined = pa.concat_arrays([c.cast(pa.string()) for c in columns])
    # large_string, as pandas keeps it: one cast here rather than one per column there
    text = _column_text(joined).cast(pa.large_string())
    return [text.slice(i * rows, rows) for i in range(len(columns))]


def sheet_cells(source: str | bytes | fastexcel.ExcelReader, name: str) -> pd.DataFrame:
    """Sheet ``name`` of a workbook (path, bytes or an open reader) as text, in one pass.

    Columns are sheet columns from A (0); the index is the sheet row (0-based). Raises
    :class:`NeedsCalamine` (or fastexcel's own errors) when python-calamine should read it.
    """
    reader = source if isinstance(source, fastexcel.ExcelReader) else fastexcel.read_excel(source)
    # skip_rows=0: by default fastexcel skips leading blank rows; the grid starts at row 1.
    loaded = reader.load_sheet(name, header_row=None, dtypes="string", skip_rows=0)
    columns = loaded.available_columns()
    table = loaded.to_arrow()
    # fastexcel starts at the first used column; the grid, like Excel, starts at column A.
    lead = columns[0].absolute_index if columns else 0
    blank = pa.nulls(table.num_rows, pa.string())
    arrays = [blank] * lead + _columns_text(table.columns, table.num_rows)
    return pd.DataFrame(
        {i: pd.arrays.ArrowStringArray(a) for i, a in enumerate(arrays)},
        index=pd.RangeIndex(table.num_rows),
    )
