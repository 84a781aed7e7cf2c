"""What a report reads: the files one screening run wrote (``vaxutils screen`` / :func:`vaxutils.stages.run_screen`).

A report never screens: it loads ``findings.parquet``, ``records.parquet``, ``doses.parquet`` and
``summary.json`` from a screen folder, keeps only the requested commune's people (a shared report
must never show another commune's people, DESIGN §7) and masks identifiers by default.

>>> import pandas as pd
>>> out = ScreenOutput(
...     findings=pd.DataFrame({"record_id": ["A", "B"], "field": ["id_number"] * 2,
...                            "value": ["004095012345", "001090012345"]}),
...     records=pd.DataFrame({"record_id": ["A", "B"], "commune_code": ["01420", "01423"],
...                           "id_raw": ["004095012345", "001090012345"]}),
...     doses=pd.DataFrame({"record_id": ["A", "B"]}), summary={})
>>> mine = prepare_output(out, "01420")
>>> mine.records["id_raw"].tolist(), mine.findings["value"].tolist(), len(mine.doses)
(['004*******45'], ['004*******45'], 1)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from vaxutils.io.files import read_parquet
from vaxutils.masking import mask_frame, mask_text_series
from vaxutils.stage_files import SCREEN, StageFolderMissing, missing_files

SCREEN_FILES: tuple[str, ...] = SCREEN.tables


class ScreenOutputMissing(StageFolderMissing):
    """The screen folder lacks a file the report needs."""


@dataclass
class ScreenOutput:
    """The four outputs of one screening run."""

    findings: pd.DataFrame
    records: pd.DataFrame
    doses: pd.DataFrame
    summary: dict = field(default_factory=dict)


def load_screen_output(screen_dir: str | Path) -> ScreenOutput:
    """Load a screen folder; a missing file is a :class:`ScreenOutputMissing` in Vietnamese."""
    folder = Path(screen_dir)
    missing = missing_files(folder, SCREEN_FILES)
    if missing:
        raise ScreenOutputMissing(
            f"Thư mục kết quả sàng lọc {folder} thiếu tệp {', '.join(missing)}. "
            "Hãy chạy `vaxutils screen` trước. / Screen output folder is missing files."
        )
    summary_path = folder / SCREEN.summary
    summary = json.loads(summary_path.read_text("utf-8")) if summary_path.is_file() else {}
    return ScreenOutput(
        findings=read_parquet(folder / SCREEN.findings),
        records=read_parquet(folder / SCREEN.records),
        doses=read_parquet(folder / SCREEN.doses),
        summary=summary,
    )


def restrict_to_commune(output: ScreenOutput, commune_code: str) -> ScreenOutput:
    """Keep the records of one commune (and their findings and doses).

    Records whose ``commune_code`` is empty stay: a per-commune export often leaves it blank.
    """
    records = output.records
    if "commune_code" in records.columns:
        code = records["commune_code"].astype("string").str.strip()
        records = records[code.isna() | (code == "") | (code == str(commune_code))]
    keep = output.records["record_id"].isin(records["record_id"])
    if keep.all():
        return output
    ids = records["record_id"]
    return replace(
        output,
        records=records,
        findings=output.findings[output.findings["record_id"].isin(ids)],
        doses=output.doses[output.doses["record_id"].isin(ids)],
    )


#: Columns that hold keys (masking them would join the wrong records) or our own catalogue's
#: words (its messages quote examples such as "000000000000"), not free text from the data.
KEY_COLUMNS: frozenset[str] = frozenset(
    {
        "record_id",
        "related",
        "commune_code",
        "source_row",
        "category",
        "code",
        "severity",
        "field",
        "message",
        "message_en",
        "status",
        "categories",
    }
)


def mask_free_text(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with every ID- or phone-shaped number inside free text masked (names, villages,
    notes, values: a number typed into the wrong cell is still a person's number).

    >>> f = pd.DataFrame({"record_id": ["R1234567"], "full_name": ["An 0912345678"]})
    >>> mask_free_text(f).iloc[0].tolist()
    ['R1234567', 'An 091*****78']
    """
    out = df.copy()
    for column in out.columns:
        if column in KEY_COLUMNS:
            continue
        values = out[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            out[column] = mask_text_series(values)
    return out


def prepare_output(output: ScreenOutput, commune_code: str, mask: bool = True) -> ScreenOutput:
    """Restrict to the commune, then mask ID and phone numbers (in their columns and inside free
    text) unless ``mask`` is false."""
    mine = restrict_to_commune(output, commune_code)
    if not mask:
        return mine
    return replace(
        mine,
        findings=mask_free_text(mask_frame(mine.findings)),
        records=mask_free_text(mask_frame(mine.records)),
        doses=mask_free_text(mask_frame(mine.doses)),
    )
