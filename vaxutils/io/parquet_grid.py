"""A Parquet file as a grid: its column names as the first row, then its cells as text."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from vaxutils.io.cells import frame_to_text
from vaxutils.io.checks import corrupt_error
from vaxutils.io.grid import Grid, ReadContext
from vaxutils.io.limits import limit_error


def read_parquet_grid(path: Path, ctx: ReadContext) -> Grid:
    try:
        meta = pq.ParquetFile(path).metadata
        size = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    except Exception as exc:  # pyarrow raises many types for a broken file
        raise corrupt_error(path, None, exc, "parquet") from None
    if size > ctx.limits.text_bytes:  # from the footer, before any data page is read
        raise limit_error(path, None, "text_bytes", size, ctx.limits)
    if meta.num_columns > ctx.limits.columns:
        raise limit_error(path, None, "columns", meta.num_columns, ctx.limits)
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:
        raise corrupt_error(path, None, exc, "parquet") from None
    header = pd.DataFrame([[str(c) for c in frame.columns]], dtype=object)
    body = frame_to_text(frame.reset_index(drop=True).set_axis(range(frame.shape[1]), axis=1))
    cells = pd.concat([frame_to_text(header), body], ignore_index=True)
    return Grid(cells, None, "parquet", "pyarrow")
