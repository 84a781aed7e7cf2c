"""Product facts (approval, primary doses, intervals, mixing) as arrays indexed by product code.

Built once from ``refdata/data/vaccines.yaml`` so that the checks look a fact up for millions of
doses with one array index instead of a dictionary per row.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from vaxutils.refdata.vaccines import rules, vaccines


@dataclass(frozen=True)
class ProductFacts:
    """Per product (position in ``names``; code -1 = unknown, mapped to the extra last slot)."""

    names: pd.Index
    approved: np.ndarray  # bool
    primary_doses: np.ndarray  # float, NaN when unknown
    min_interval_days: np.ndarray  # float, NaN when no rule (Janssen, unapproved, unknown)
    booster_allowed: np.ndarray  # bool (True for unknown: nothing to say)
    paediatric: np.ndarray  # bool (True for unknown)
    mixing_allowed: np.ndarray  # bool matrix [earlier, later]; the unknown row/column is True

    def code(self, product: pd.Series) -> np.ndarray:
        """Product code per row (one hash lookup per unique name); -1 for NA/unknown."""
        codes, uniques = pd.factorize(product)
        known = np.append(self.names.get_indexer(uniques), -1)
        return known[codes]


@functools.cache
def product_facts() -> ProductFacts:
    table, r = vaccines(), rules()
    names = pd.Index(table["product"].astype(str))

    def column(name: str, unknown, dtype) -> np.ndarray:
        values = table[name].astype("Float64" if dtype is float else bool)
        return np.append(
            values.to_numpy(dtype=dtype, na_value=np.nan if dtype is float else False), unknown
        )

    n = len(names)
    mixing = np.ones((n + 1, n + 1), dtype=bool)
    for i, earlier in enumerate(names):
        for j, later in enumerate(names):
            mixing[i, j] = r.mixing_allowed(earlier, later)
    return ProductFacts(
        names=names,
        approved=column("approved", True, bool),
        primary_doses=column("primary_doses", np.nan, float),
        min_interval_days=column("min_interval_days", np.nan, float),
        booster_allowed=column("booster_allowed", True, bool),
        paediatric=np.append(names.isin(list(r.paediatric_products)), True),
        mixing_allowed=mixing,
    )
