"""Typed doses from an export's text cells: the ``doses.parquet`` columns (S1)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from vaxutils.dates import parse_dates
from vaxutils.io.cells import cells_to_text
from vaxutils.io.headers import normalize_header
from vaxutils.kernel.cells import column_or_na, stripped_text
from vaxutils.refdata.facilities import exempt_levels, facility_level_lookup
from vaxutils.refdata.vaccines import vaccine_lookup

# Columns of doses.parquet (docs/ARCHITECTURE.md), then the raw cells and the date precision that
# the checks need (kept so a person sees the cell as typed next to each finding).
PREPARED_COLUMNS: tuple[str, ...] = (
    "record_id",
    "source_row",
    "dose_number",
    "vaccine",
    "product",
    "lot",
    "dose_date",
    "facility",
    "facility_level",
    "level",
    "exempt_from_cleaning",
    "additional",
    "dose_number_raw",
    "dose_date_raw",
    "dose_date_precision",
)

MAX_DOSE_NUMBER = 9  # EU DCC `dn` is 1–9


def cell_text(frame: pd.DataFrame, name: str) -> pd.Series:
    """The column as stripped text (NA when blank or absent), whatever the cells hold."""
    cells = column_or_na(frame, name)
    if not isinstance(cells.dtype, pd.StringDtype):  # text from vaxutils.io needs no rendering
        cells = cells_to_text(cells)
    return stripped_text(cells)


def row_numbers(frame: pd.DataFrame) -> pd.Series:
    """source_row as Int64; anything that is not a whole number becomes NA."""
    if "source_row" not in frame.columns:
        return pd.Series(pd.NA, index=frame.index, dtype="Int64")
    rows = frame["source_row"]
    if not pd.api.types.is_integer_dtype(rows.dtype):
        numbers = pd.to_numeric(cell_text(frame, "source_row"), errors="coerce").astype(float)
        whole = np.isfinite(numbers) & (numbers.abs() < 2**53) & (numbers == np.floor(numbers))
        rows = numbers.where(whole)
    return rows.astype("Int64")


def column_text(frame: pd.DataFrame, column: str, fallback: str | None = None) -> pd.Series:
    """A prepared text column as ``string`` (:func:`prepare_doses` already stripped it); for a
    frame prepared elsewhere without it, the typed column ``fallback`` (dates shown ISO)."""
    if column in frame.columns:
        text = frame[column]
    elif fallback in frame.columns:
        text = frame[fallback]
        if pd.api.types.is_datetime64_any_dtype(text):
            text = text.dt.strftime("%Y-%m-%d")
    else:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    if isinstance(text.dtype, pd.StringDtype):  # "string" or pandas 3 "str": no copy needed
        return text
    return cells_to_text(text)


def dose_numbers(raw: pd.Series) -> pd.Series:
    """The dose number in a dose-number cell; huge numbers become 999.

    The first integer of the cell ("Mũi 2", "2", "3 (nhắc lại)"), except when the cell names a
    booster by its own count ("Mũi nhắc lại 1", "Nhắc lại lần 2"): that is the booster after a
    two-dose primary series, dose 3 or 4 (every primary product used in Vietnam but Janssen has two
    doses). Parsed once per distinct cell: a column of millions holds a few dozen spellings.

    >>> dose_numbers(pd.Series(["Mũi 2", "3 (nhắc lại)", "Mũi nhắc lại 1", "Nhắc lại lần 2", "x"])).tolist()
    [2, 3, 3, 4, <NA>]
    """
    codes, uniques = pd.factorize(raw)
    text = pd.Series(uniques, dtype="string")
    digits = text.str.extract(r"(-?\d+)", expand=False)
    digits = digits.mask(digits.str.len().fillna(0) > 4, "999")
    numbers = pd.to_numeric(digits, errors="coerce").astype("Int64")
    folded = (
        pd.Series(uniques, dtype=object).map(normalize_header, na_action="ignore").astype("string")
    )
    booster_count = folded.str.fullmatch(r"(?:mui )?nhac lai (?:lan )?[12]").fillna(False)
    numbers = numbers.mask(booster_count.to_numpy(dtype=bool), numbers + 2)
    return pd.Series(numbers.array.take(codes, allow_fill=True), index=raw.index, dtype="Int64")


def additional_named(raw: pd.Series) -> np.ndarray:
    """Whether a dose-number cell names an additional primary dose ("Mũi bổ sung", "3 (bổ xung)").

    Looked at once per distinct cell.
    """
    codes, uniques = pd.factorize(raw)
    folded = pd.Series(uniques, dtype=object).map(normalize_header, na_action="ignore")
    named = folded.str.contains(r"\bbo ?(?:sung|xung)\b", regex=True).fillna(False)
    named = named.to_numpy(dtype=bool)
    return np.append(named, False)[np.where(codes < 0, len(named), codes)]


def _facility_levels(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Canonical level ("district", NA when unknown) and whether its doses are exempt (S8)."""
    level = facility_level_lookup(raw)
    return level, level.isin(exempt_levels()).fillna(False).astype(bool)


def prepare_doses(doses: pd.DataFrame) -> pd.DataFrame:
    """Typed doses (the ``doses.parquet`` columns) from ``Export.doses`` (all text); input untouched.

    >>> raw = pd.DataFrame({"record_id": ["A"], "source_row": [2], "dose_number": ["Mũi 1"],
    ...                     "vaccine": ["VERO CELL (Sinopharm)"], "dose_date": ["2021-09-01"]})
    >>> row = prepare_doses(raw).iloc[0]
    >>> int(row["dose_number"]), row["product"], str(row["dose_date"].date())
    (1, 'Vero Cell', '2021-09-01')
    """
    date_raw = cell_text(doses, "dose_date")
    number_raw = cell_text(doses, "dose_number")
    vaccine = cell_text(doses, "vaccine")
    facility_level = cell_text(doses, "facility_level")
    if len(doses):
        parsed = parse_dates(date_raw)
        dose_date = parsed["date"]
        precision = parsed["precision"]
    else:
        dose_date = pd.Series(pd.NaT, index=doses.index, dtype="datetime64[ns]")
        precision = pd.Series(pd.NA, index=doses.index, dtype="string")
    level, exempt = _facility_levels(facility_level)
    source_row = row_numbers(doses)
    out = pd.DataFrame(
        {
            "record_id": cell_text(doses, "record_id"),
            "source_row": source_row,
            "dose_number": dose_numbers(number_raw),
            "vaccine": vaccine,
            "product": vaccine_lookup(vaccine),
            "lot": cell_text(doses, "lot"),
            "dose_date": dose_date,
            "facility": cell_text(doses, "facility"),
            "facility_level": facility_level,
            "level": level,
            "exempt_from_cleaning": exempt,
            "additional": additional_named(number_raw),
            "dose_number_raw": number_raw,
            "dose_date_raw": date_raw,
            "dose_date_precision": precision,
        },
        index=doses.index,
    )
    return out
