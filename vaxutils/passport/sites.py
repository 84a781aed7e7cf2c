"""Which vaccination sites sign without the cleaning steps (S8), and by which rule.

A site is exempt by the first rule that knows it, and the worklist says which (``exempt_rule``):
the user's mapping file (facility name or site code → level), the export's ``Tuyến`` column, the
site code of the platform's PL4 list (its listed name then tells the level), the facility's name
(DESIGN §3.5: "Trung tâm Y tế huyện …", "Bệnh viện Đa khoa tỉnh …", "Bệnh viện Quân y …").

Each distinct (facility, level column, exempt flag) is judged once and the answer spread back to
its doses: a province's 2 million doses come from a few hundred sites.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from vaxutils.io.cells import text_column
from vaxutils.passport.arrow_text import arrow_text, as_series, take
from vaxutils.refdata import (
    exempt_levels,
    facility_level_from_code,
    facility_level_from_name,
    facility_level_lookup,
)

RULE_MAPPING, RULE_LEVEL, RULE_CODE, RULE_NAME = (
    "tệp ánh xạ cơ sở",
    "cột Tuyến",
    "mã cơ sở (PL4)",
    "tên cơ sở",
)


def _site_rows(d: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``d`` that are the first of each distinct site description, and each row's one."""
    keys = []
    for column in ("facility", "level", "facility_level"):
        if column in d.columns:
            coded = pc.dictionary_encode(arrow_text(text_column(d, column)))
            keys.append(pc.fill_null(coded.indices, -1).to_numpy(zero_copy_only=False) + 1)
    if "exempt_from_cleaning" in d.columns:
        keys.append(d["exempt_from_cleaning"].fillna(False).to_numpy(dtype=bool).astype(np.int64))
    if not keys:
        return np.zeros(min(len(d), 1), dtype=np.int64), np.zeros(len(d), dtype=np.int64)
    # one integer per row, numbered in order of first appearance (renumbered after each column,
    # so the key stays below rows × codes whatever the columns hold)
    group = np.zeros(len(d), dtype=np.int64)
    for k in keys:
        group = pd.factorize(group * (int(k.max(initial=0)) + 1) + k, sort=False)[0]
    first = np.flatnonzero(~pd.Series(group).duplicated().to_numpy())
    at = np.empty(group.max() + 1 if len(group) else 0, dtype=np.int64)
    at[group[first]] = np.arange(len(first))
    return first, at[group]


def _exempt_rows(d: pd.DataFrame, sites: pd.DataFrame | None) -> tuple[np.ndarray, pd.Series]:
    n = len(d)
    exempt = exempt_levels()
    facility = text_column(d, "facility").str.strip()
    level = pd.Series(pd.NA, index=d.index, dtype="string")
    rule = pd.Series(pd.NA, index=d.index, dtype="string")
    if sites is not None and len(sites):
        mapped = dict(
            zip(
                sites["facility"].astype("string").str.strip().str.casefold(),
                facility_level_lookup(sites["level"].astype("string")),
                strict=True,
            )
        )
        from_user = facility.str.casefold().map(mapped).astype("string")
        level, rule = from_user, rule.mask(from_user.notna(), RULE_MAPPING)
    if "level" in d.columns:
        given = text_column(d, "level")
    else:
        given = facility_level_lookup(text_column(d, "facility_level"))
    if "exempt_from_cleaning" in d.columns:  # screening's answer from the Tuyến column
        flagged = d["exempt_from_cleaning"].fillna(False).to_numpy(dtype=bool)
        given = given.mask(flagged & given.isna().to_numpy(), "district")
    use = level.isna() & given.notna()
    level, rule = level.mask(use, given), rule.mask(use, RULE_LEVEL)
    by_code = facility_level_from_code(facility)
    use = level.isna() & by_code.notna()
    level, rule = level.mask(use, by_code), rule.mask(use, RULE_CODE)
    by_name = facility_level_from_name(facility)
    use = level.isna() & by_name.notna()
    level, rule = level.mask(use, by_name), rule.mask(use, RULE_NAME)
    is_exempt = (
        level.isin(list(exempt)).fillna(False).to_numpy(dtype=bool) if n else np.zeros(0, bool)
    )
    return is_exempt, rule.where(is_exempt)


def exempt_sites(
    d: pd.DataFrame, sites: pd.DataFrame | None = None
) -> tuple[np.ndarray, pd.Series]:
    """Per dose: is its site exempt from the cleaning steps (S8), and by which rule (NA if not).

    ``sites`` is a user's mapping (``facility``: a site name or code as the export writes it,
    ``level``: "Tuyến huyện", "Bộ Y tế", "Xã"...); it wins over the export's ``Tuyến`` column,
    which wins over the facility's PL4 code, then the facility's name.
    """
    if len(d) == 0:
        return _exempt_rows(d, sites)
    first, at = _site_rows(d)
    is_exempt, rule = _exempt_rows(d.iloc[first].reset_index(drop=True), sites)
    return is_exempt[at], as_series(take(arrow_text(rule), at), d.index)
