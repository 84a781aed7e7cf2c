"""Levels of vaccination facilities and which of them are exempt from the commune cleaning steps.

DESIGN §1 step S8: facilities under the Ministry of Health, other ministries (army, police), and the
province and district levels sign vaccine passports without the verification/cleaning steps S1–S6;
commune health stations and private clinics do not. The "Tuyến" column of an export names the level
in many ways ("Tuyến huyện", "TW", "Trạm y tế"); :func:`facility_level_lookup` maps them.

>>> row = facility_levels().set_index("level").loc["district"]
>>> row["label_vi"], bool(row["exempt_from_cleaning"])
('Huyện', True)
>>> facility_level_lookup(pd.Series(["Tuyến huyện", "Xã", "BYT", "tư nhân", "??", None])).tolist()
['district', 'commune', 'moh', 'private', <NA>, <NA>]
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from vaxutils.refdata._files import fold_key, read_table
from vaxutils.text import factorize_cells


def facility_levels() -> pd.DataFrame:
    """The six levels: level (code), label_vi, label_en, exempt_from_cleaning (bool), synonyms (list)."""
    df = read_table("facility_levels.csv").copy()
    df["exempt_from_cleaning"] = df["exempt_from_cleaning"].eq("true").astype(bool)
    df["synonyms"] = [s.split("|") if s else [] for s in df["synonyms"]]
    return df


@functools.cache
def _level_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for row in facility_levels().itertuples(index=False):
        for text in (row.level, row.label_vi, row.label_en, *row.synonyms):
            keys.setdefault(fold_key(text), row.level)
    return keys


def _level_of_text(text: object) -> str | None:
    key = fold_key(text)
    if not key:
        return None
    keys = _level_keys()
    if key in keys:
        return keys[key]
    if key.startswith("tuyen") and key[5:] in keys:
        return keys[key[5:]]
    return None


def facility_level_lookup(s: pd.Series) -> pd.Series:
    """Canonical level code for each "Tuyến" cell (NA when unknown); index preserved.

    One lookup per *unique* value: a commune's dose rows hold a handful of distinct levels.
    """
    if len(s) == 0:
        return pd.Series([], index=s.index, dtype="string", name=s.name)
    codes, uniques = factorize_cells(s)
    mapped = np.array([_level_of_text(u) for u in uniques] + [None], dtype=object)
    return pd.Series(mapped[codes], index=s.index, dtype="string", name=s.name)


def exempt_levels() -> frozenset[str]:
    """Level codes whose doses are exempt from the cleaning steps.

    >>> sorted(exempt_levels())
    ['district', 'ministry', 'moh', 'province']
    """
    df = facility_levels()
    return frozenset(df.loc[df["exempt_from_cleaning"], "level"])


__all__ = ["exempt_levels", "facility_level_lookup", "facility_levels"]
