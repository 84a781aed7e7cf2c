"""The streamed CSV reader (vaxutils.io.text_grid) gives the grid the naive reader gave.

The naive reader decoded the whole file, split it with ``csv.reader`` and made a frame of Python
strings; the streamed one hands rows to Arrow a block at a time, column by column for ordinary
widths and row after row for wide sheets. Blocks are made tiny here so that every table crosses
several of them, in both modes.
"""

from __future__ import annotations

import csv
import io
import unicodedata

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vaxutils.io import IngestError, ReadLimits, text_grid
from vaxutils.io.cells import frame_to_text
from vaxutils.io.readers import iter_grids

_CELL = st.one_of(
    st.sampled_from(["", " ", "Lê Thị Hoa", "001190012345", "=1+1", '"', "a,b", "x\ny", "ạ", "\r"]),
    st.text(alphabet='aăâ ,;"\n\r\t0123456789', max_size=6),
)


def _naive(text: str, delimiter: str) -> pd.DataFrame:
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return frame_to_text(pd.DataFrame(rows, dtype=object))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.lists(_CELL, min_size=0, max_size=7), min_size=1, max_size=12),
    block=st.integers(1, 9),
    narrow=st.sampled_from([2, 512]),
    wide_rows=st.integers(1, 4),
    ending=st.sampled_from(["\n", "\r\n", "\r"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_streamed_grid_equals_the_naive_one(
    tmp_path, monkeypatch, rows, block, narrow, wide_rows, ending, encoding
):
    monkeypatch.setattr(text_grid, "BLOCK_CELLS", block)
    monkeypatch.setattr(text_grid, "NARROW", narrow)
    monkeypatch.setattr(text_grid, "WIDE_ROWS", wide_rows)
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=",", lineterminator=ending).writerows(rows)
    text = "sep=,\n" + buffer.getvalue()  # declared: the sniffer is not what is tested here
    path = tmp_path / "ds.csv"
    path.write_bytes(text.encode(encoding))
    grid = next(iter_grids(path))
    expected = _naive(text.split("\n", 1)[1], ",")
    assert grid.cells.shape == expected.shape
    pd.testing.assert_frame_equal(
        grid.cells.reset_index(drop=True), expected, check_dtype=False, check_column_type=False
    )


def test_windows_1258_is_composed_and_a_long_line_is_not_held(tmp_path):
    path = tmp_path / "cp.csv"
    # cp1258 writes tone marks apart ("a" + combining grave): read as one character
    path.write_bytes(unicodedata.normalize("NFD", "Ho ten,Thon\nHoà,Bạc\n").encode("cp1258"))
    grid = next(iter_grids(path))
    assert grid.encoding == "cp1258" and grid.cells.iloc[1].tolist() == ["Hoà", "Bạc"]
    wide = tmp_path / "dai.csv"
    wide.write_bytes(b"a," * 20_000 + b"\n")  # past the cell cap: counted a megabyte at a time
    with pytest.raises(IngestError) as caught:
        next(iter_grids(wide, limits=ReadLimits(cell_chars=1_000)))
    assert caught.value.code == "limit_columns"
    assert "20,001" in str(caught.value)  # counted to the end of the line, not held
