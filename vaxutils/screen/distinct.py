"""Per-distinct-value work for large columns: a column of millions of cells holds far fewer
distinct texts, so each is handled once and the results are taken back to the rows.

>>> parsed = parse_dates_once(pd.Series(["5/3/90", None, "5/3/90", "1990"], dtype="string"))
>>> [str(d.date()) if pd.notna(d) else None for d in parsed["date"]]
['1990-03-05', None, '1990-03-05', '1990-01-01']
>>> parsed["precision"].tolist()
['day', <NA>, 'day', 'year']
"""

from __future__ import annotations

import pandas as pd

from vaxutils.dates import parse_dates


def parse_dates_once(text: pd.Series) -> pd.DataFrame:
    """:func:`vaxutils.dates.parse_dates` (``date`` datetime64[ns], ``precision`` string) run on the
    distinct texts only; a missing cell gets NaT and NA, as parse_dates gives it. Index of ``text``.

    Why: parse_dates builds its text columns from Python objects row by row (seconds on millions
    of doses); taking from a few thousand parsed values is Arrow work.
    """
    codes, distinct = pd.factorize(text)
    parsed = parse_dates(pd.Series(distinct, dtype="string"))
    date = parsed["date"].astype("datetime64[ns]").array.take(codes, allow_fill=True)
    precision = parsed["precision"].astype("string").array.take(codes, allow_fill=True)
    return pd.DataFrame({"date": date, "precision": precision}, index=text.index)
