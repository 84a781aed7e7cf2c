"""Person fields as the workflow lists show them: a column of screening's records, a birth date.

Screening keeps a birth date as a date and how much of it is known; a list for people shows it as
it is written in Vietnam.
"""

from __future__ import annotations

import pandas as pd

from vaxutils.kernel.cells import text_column


def column(records: pd.DataFrame, name: str, default: object = pd.NA) -> pd.Series:
    """A column of screening's records as text (``dob`` as it is), ``default`` when it is absent."""
    if name == "dob" and name in records.columns:
        return records[name]
    values = text_column(records, name)
    return values if name in records.columns else values.fillna(default)


def dob_text(dob: pd.Series, precision: pd.Series) -> pd.Series:
    """Birth dates as written in Vietnam: dd/mm/yyyy, mm/yyyy or yyyy by what is known.

    >>> dob_text(pd.Series(pd.to_datetime(["1990-03-05", "1990-03-01", None])),
    ...          pd.Series(["day", "month", None])).tolist()
    ['05/03/1990', '03/1990', <NA>]
    """
    dob = pd.to_datetime(dob, errors="coerce")
    formats = {"day": "%d/%m/%Y", "month": "%m/%Y", "year": "%Y"}
    text = pd.Series(pd.NA, index=dob.index, dtype="string")
    for kind, fmt in formats.items():
        these = precision.eq(kind).fillna(False).to_numpy(dtype=bool) & dob.notna().to_numpy()
        text[these] = dob[these].dt.strftime(fmt)
    return text
