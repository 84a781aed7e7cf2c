"""Person values of a returned row: as typed in the fill-in columns (in the form screening writes
them), as screening holds them, as the platform export holds them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from vaxutils import dates, ids, sex
from vaxutils.schema import CORRECTABLE_FIELDS
from vaxutils.text import names
from vaxutils.workflow.fields import column, dob_text
from vaxutils.workflow.returned.rows import Problems, cell_text


def person_values(typed: pd.DataFrame) -> pd.DataFrame:
    """Typed person fields (full_name, dob, sex, id_number) in the form screening writes them when
    they can be read (title-case name, dd/mm/yyyy, Nam/Nữ, an ID without separators); a value that
    cannot be read is kept as typed, and screening says why. Blank stays blank."""
    parsed = dates.parse_dates(typed["dob"])
    dob = dob_text(parsed["date"], parsed["precision"])
    id_info = ids.classify_ids(typed["id_number"])
    id_ok = id_info["id_kind"].isin(["cccd", "cmnd", "passport"]).to_numpy()
    return pd.DataFrame(
        {
            "full_name": names.normalize_series(typed["full_name"]).astype("string"),
            "dob": dob.fillna(typed["dob"]),
            "sex": sex.normalize_series(typed["sex"]).astype("string").fillna(typed["sex"]),
            "id_number": id_info["id_compact"].astype("string").where(id_ok, typed["id_number"]),
        },
        index=typed.index,
    ).where(typed.notna())


_DATE_CELL = r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00:00)?$"


def date_cells(typed: pd.Series, original: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Birth dates typed where text was asked, but stored by Excel as a date cell (read as ISO).

    Excel may have read "05/03/1990" month-first, so such a cell is taken only when it cannot be
    read both ways (day > 12) or when it is the date the list already held; otherwise the value is
    dropped and the returned mask says which rows must be confirmed. Nothing is swapped silently.

    >>> typed = pd.Series(["1990-03-15", "1990-03-05", "1990-03-05", "05/03/1990"], dtype="string")
    >>> original = pd.Series(["15/03/1990", "01/01/1990", "05/03/1990", None], dtype="string")
    >>> kept, unsure = date_cells(typed, original)
    >>> kept.tolist(), unsure.tolist()
    (['15/03/1990', <NA>, '05/03/1990', '05/03/1990'], [False, True, False, False])
    """
    parts = typed.astype("string").str.extract(_DATE_CELL)
    is_cell = parts[0].notna().to_numpy()
    as_text = (parts[2] + "/" + parts[1] + "/" + parts[0]).astype("string")
    day = pd.to_numeric(parts[2], errors="coerce")
    same = as_text.eq(original.astype("string")).fillna(False).to_numpy(dtype=bool)
    sure = is_cell & ((day > 12).fillna(False).to_numpy(dtype=bool) | same)
    unsure = is_cell & ~sure
    kept = typed.astype("string").copy()
    kept[sure] = as_text[sure]
    kept[unsure] = pd.NA
    return kept, unsure


def typed_person_values(
    rows: pd.DataFrame, before_dob: pd.Series, problems: Problems, dob_label: str
) -> tuple[pd.DataFrame, np.ndarray]:
    """The person values typed in a returned list's fill-in columns (``filled_<field>``), with a
    birth date typed as an Excel date cell kept only when it is sure (:func:`date_cells`); the
    others are reported on their row (column ``dob_label``) for the person to confirm."""
    typed = pd.DataFrame({f: cell_text(rows, f"filled_{f}") for f in CORRECTABLE_FIELDS})
    typed["dob"], unsure = date_cells(typed["dob"], before_dob)
    problems.add_rows(
        rows, unsure, "error", dob_label, cell_text(rows, "filled_dob"),
        lambda v: f"Ngày sinh '{v}' là ô ngày của Excel, có thể đã bị đảo ngày và tháng: ghi lại dạng "
        "văn bản ngày/tháng/năm (ví dụ 05/03/1990) để xác nhận.",
    )  # fmt: skip
    return typed, unsure


def platform_values(rows: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """The person fields of each row's record exactly as the export (the platform) holds them.

    Screening keeps these cells as ``*_raw``; an older screening without them gives its
    normalised values instead.
    """
    base = records.set_index("record_id").reindex(rows["record_id"].to_numpy())
    shown = screened_values(rows, records)
    raw = {"full_name": "full_name_raw", "dob": "dob_raw", "sex": "sex_raw", "id_number": "id_raw"}
    return pd.DataFrame(
        {
            f: (column(base, name).to_numpy() if name in base.columns else shown[f].to_numpy())
            for f, name in raw.items()
        },
        index=rows.index,
    ).astype("string")


def screened_values(rows: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """The person fields (and village) screening holds for each returned row's record."""
    base = records.set_index("record_id").reindex(rows["record_id"].to_numpy())
    return pd.DataFrame(
        {
            "full_name": column(base, "full_name").to_numpy(),
            "dob": dob_text(column(base, "dob"), column(base, "dob_precision", "day")).to_numpy(),
            "sex": column(base, "sex").to_numpy(),
            "id_number": column(base, "id_raw").fillna(column(base, "id_compact")).to_numpy(),
            "village": column(base, "village").to_numpy(),
        },
        index=rows.index,
    ).astype("string")
