"""The findings of the dose checks: every code they emit and the collector of the long form."""

from __future__ import annotations

import numpy as np
import pandas as pd

ISSUE_COLUMNS: tuple[str, ...] = ("record_id", "source_row", "code", "field", "value", "suggestion")

# Every code this module emits (all in catalogue/doses.yaml; category dose except
# dob_after_first_dose, which is personal_info).
CODES: tuple[str, ...] = (
    "dose_date_missing",
    "dose_date_unparseable",
    "dose_date_impossible",
    "dose_date_incomplete",
    "dose_date_before_start",
    "dose_date_future",
    "dose_out_of_order",
    "dose_interval_too_short",
    "booster_too_early",
    "primary_mixing_not_allowed",
    "booster_product_not_recommended",
    "vaccine_missing",
    "vaccine_unknown",
    "vaccine_unapproved",
    "dose_number_missing",
    "dose_number_invalid",
    "dose_number_out_of_range",
    "dose_number_repeated",
    "dose_number_gap",
    "dose_before_eligible_age",
    "dose_product_not_for_age",
    "dob_after_first_dose",
)


class Issues:
    """Issues of one doses frame, kept as row positions until the end (cheap on large frames)."""

    def __init__(self, doses: pd.DataFrame) -> None:
        self.doses = doses
        self.parts: list[pd.DataFrame] = []

    def add(self, where, code: str, field: str, value, suggestion=None, source_row=None) -> None:
        """Record ``code`` on the rows where ``where`` (bool mask or positions) holds."""
        where = np.asarray(where)
        rows = np.flatnonzero(where) if where.dtype == bool else where.astype(np.int64)
        if len(rows) == 0:
            return
        self.parts.append(
            pd.DataFrame(
                {
                    "row": rows,
                    "code": code,
                    "field": field,
                    "value": _take(value, rows),
                    "suggestion": _take(suggestion, rows),
                    "source_row": _take(source_row, rows),
                }
            )
        )

    def frame(self, with_dose_row: bool = False) -> pd.DataFrame:
        columns = [*ISSUE_COLUMNS, "dose_row"] if with_dose_row else list(ISSUE_COLUMNS)
        if not self.parts:
            out = pd.DataFrame({c: [] for c in columns})
        else:
            out = pd.concat(self.parts, ignore_index=True)
            rows = out["row"].to_numpy()
            out["record_id"] = self.doses["record_id"].take(rows).to_numpy(dtype=object)
            own_row = self.doses["source_row"].take(rows).to_numpy(dtype=object)
            out["source_row"] = np.where(pd.isna(out["source_row"]), own_row, out["source_row"])
            out["dose_row"] = rows
        out = out[columns].copy()
        for col in columns:
            out[col] = out[col].astype("Int64" if col in ("source_row", "dose_row") else "string")
        out = out.sort_values(["record_id", "source_row", "code"], kind="stable")
        return out.reset_index(drop=True)


def _take(values, rows: np.ndarray) -> np.ndarray:
    if values is None:
        return np.full(len(rows), None, dtype=object)
    if isinstance(values, pd.Series):
        return values.take(rows).to_numpy(dtype=object, na_value=None)
    return np.asarray(values, dtype=object)[rows]
