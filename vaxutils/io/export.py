"""Read a commune's vaccination export into records and doses, recording where they came from.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "export.csv"
>>> _ = path.write_text(
...     "STT,Họ và tên,Ngày sinh,Số CCCD,Mũi 1 - Tên vắc xin,Mũi 1 - Ngày tiêm\\n"
...     "1,Trần Văn Bình,1985,001085012345,AstraZeneca,2021-08-02\\n", encoding="utf-8-sig")
>>> export = read_export(path)
>>> export.records[["record_id", "full_name", "id_number", "source_row"]].to_dict("records")
[{'record_id': 'dong-2', 'full_name': 'Trần Văn Bình', 'id_number': '001085012345', 'source_row': 2}]
>>> export.doses[["dose_number", "vaccine", "dose_date"]].to_dict("records")
[{'dose_number': '1', 'vaccine': 'AstraZeneca', 'dose_date': '2021-08-02'}]
>>> export.source["layout"], export.source["header_row"], export.source["encoding"]
('wide', 1, 'utf-8-sig')
"""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from vaxutils.io.files import file_sha256
from vaxutils.io.headers import IGNORED, key_name, normalize_header
from vaxutils.io.layout import Split, empty_conflicts, split_records
from vaxutils.io.limits import ReadLimits
from vaxutils.io.mapping import overrides_from, resolve_columns
from vaxutils.io.notes import empty_filled, fill_merged, filled_by_record, formula_problems
from vaxutils.io.readers import body_rows, locate_header


@dataclass
class Export:
    """A read export: ``records`` (one row per person record), ``doses`` (one row per dose),
    ``source`` (provenance: path, sha256, size, sheet, header_row, mapping, layout, read_at,
    warnings, and how the file was read) and ``conflicts`` (rows of a one-row-per-dose export whose
    person fields differ from the value used for the record; see :mod:`vaxutils.io.layout`) and
    ``unplaced`` (records left out because their commune could not be told for sure; see
    :mod:`vaxutils.io.communes`) and ``filled`` (cells that were blank under a merged range and got
    its value: record_id, source_row, field, value; see :mod:`vaxutils.io.notes`)."""

    records: pd.DataFrame
    doses: pd.DataFrame
    source: dict = field(default_factory=dict)
    conflicts: pd.DataFrame = field(default_factory=empty_conflicts)
    unplaced: pd.DataFrame | None = None
    filled: pd.DataFrame = field(default_factory=empty_filled)


def _zero_one_sex(records: pd.DataFrame, label: str | None) -> pd.DataFrame:
    """The platform template codes sex as 0 (nam) / 1 (nữ), its header says so: read it that way
    (other exports use 1/0 the other way round, so only a header that says it decides)."""
    if label is None or "0 nam 1 nu" not in normalize_header(label):
        return records
    text = records["sex"].str.strip()
    coded = text.map({"0": "Nam", "1": "Nữ"}).astype("string")
    return records.assign(sex=coded.fillna(records["sex"]))


def _keyed_by_row(split: Split, path: Path) -> tuple[Split, dict]:
    """A list kept in the platform template has no record id: key each record by file and row."""
    stem = re.sub(r"[^0-9A-Za-z]+", "_", normalize_header(path.stem)).strip("_") or "tep"
    old = split.records["record_id"]
    new = (stem + "-dong-" + split.records["source_row"].astype(str)).astype(old.dtype)
    renamed = dict(zip(old, new, strict=True))
    split.records = split.records.assign(record_id=new)
    split.doses = split.doses.assign(record_id=split.doses["record_id"].map(renamed))
    split.conflicts = split.conflicts.assign(
        record_id=split.conflicts["record_id"]
        .map(renamed)
        .astype(split.conflicts["record_id"].dtype)
    )
    key = {
        "by": "source_row",
        "example": str(new.iloc[0]) if len(new) else None,
        "message_vi": (
            "Tệp theo mẫu nhập của nền tảng không có mã đối tượng: mỗi hồ sơ được gọi theo tên tệp và "
            f"số dòng ({stem}-dong-<số dòng>); cột source_row giữ số dòng trong tệp gốc."
        ),
        "message_en": (
            "A file in the platform's import template has no record id: records are keyed by file "
            f"and row ({stem}-dong-<row>); source_row keeps the row."
        ),
    }
    return split, key


def read_export(
    path: str | os.PathLike,
    columns: dict[str, str] | str | os.PathLike | None = None,
    sheet: str | int | None = None,
    *,
    engine: str | None = None,
    limits: ReadLimits | None = None,
) -> Export:
    """Read an export (xlsx, xls, ods, csv, Parquet) as text, find its header and layout.

    ``columns`` overrides the header matching: a ``{canonical_name: header}`` dict or the path of
    a YAML file holding one. ``sheet`` is a sheet name or 0-based index; by default the first
    visible sheet with a recognisable header. Raises :class:`~vaxutils.io.IngestError` with one
    Vietnamese-then-English message when the file cannot be used; never modifies the file.
    ``limits`` caps what the file may inflate to (default: :meth:`ReadLimits.from_env`).
    Merged ranges under the header are filled down (listed in ``Export.filled``).
    """
    p = Path(path)
    overrides = overrides_from(columns)
    read_at = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    grid, header = locate_header(p, sheet, overrides, engine, limits)
    resolved = resolve_columns(header, overrides, path=p, sheet=grid.sheet)
    body, footer_warnings = body_rows(grid.cells, header)
    body, filled = fill_merged(body, grid.cells, grid.merges, header.last_row + 1)
    fields = {i: key_name(k) for k, i in resolved.items()}
    formula_warnings = formula_problems(
        p, grid.sheet, grid.uncached_formulas, {i: header.labels[i] for i in fields}, len(body)
    )
    split = split_records(body, resolved)
    labels = {key_name(k): header.labels[i] for k, i in resolved.items()}
    split.records = _zero_one_sex(split.records, labels.get("sex"))
    template = any(
        normalize_header(lab).startswith("ket qua import") for lab in header.labels if lab
    )
    record_key = None
    if template and ("record_id", None) not in resolved:
        split, record_key = _keyed_by_row(split, p)
    unmapped = [
        label
        for i, (label, key) in enumerate(zip(header.labels, header.keys, strict=True))
        if label is not None and i not in resolved.values() and (key is None or key[0] != IGNORED)
    ]
    source = {
        "path": str(p.resolve()),
        "sha256": file_sha256(p),
        "size": p.stat().st_size,
        "format": grid.format,
        "reader": grid.reader,
        "encoding": grid.encoding,
        "delimiter": grid.delimiter,
        "sheet": grid.sheet,
        "header_row": header.first_row + 1,
        "header_rows": header.last_row - header.first_row + 1,
        "mapping": {key_name(k): header.labels[i] for k, i in resolved.items()},
        "unmapped_columns": unmapped,
        "layout": split.layout,
        "n_records": len(split.records),
        "n_doses": len(split.doses),
        "read_at": read_at,
        "warnings": [*grid.warnings, *footer_warnings, *formula_warnings, *split.warnings],
        "platform_template": template,
    }
    if record_key is not None:
        source["record_key"] = record_key
    filled = filled_by_record(filled, fields, split.records, split.doses)
    if len(filled):
        source["merged_cells_filled"] = len(filled)
    return Export(split.records, split.doses, source, split.conflicts, filled=filled)
