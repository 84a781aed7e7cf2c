"""Data-quality indicators in the spirit of the WHO Data Quality Review (DQR).

Three DQR dimensions fit one commune's export: *completeness* of each field, *internal
consistency* of related counts (dose 1 vs dose 2, drop-out), and *outliers* (months with unusually
many or few doses, dates outside the campaign). Pure functions, like :mod:`vaxutils.report.tables`.

>>> r = pd.DataFrame({"full_name": ["An", None], "dob": ["2000-01-01", ""]})
>>> completeness_table(r, pd.DataFrame(), fields=("full_name", "dob"))["completeness"].tolist()
[50.0, 50.0]
"""

from __future__ import annotations

import pandas as pd

from vaxutils.schema import FIELD_LABELS_VI

FIRST_VACCINATION_DAY = pd.Timestamp("2021-03-08")
RECORD_FIELDS: tuple[str, ...] = ("full_name", "dob", "sex", "id_raw", "phone", "village")
DOSE_FIELDS: tuple[str, ...] = ("vaccine", "dose_date", "lot", "facility")
#: What a cell holds when the person typing meant "nothing" (DQR: zero/missing values).
PLACEHOLDERS: tuple[str, ...] = ("0", "-", "x", "không có", "chưa có", "không", "na", "n/a")
#: DQR calls a monthly value at least this many standard deviations from the mean an outlier.
OUTLIER_SD = 2.0

_LABELS = {**FIELD_LABELS_VI, "id_raw": FIELD_LABELS_VI["id_number"]}


def _empty_or_placeholder(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = s.astype("string").str.strip()
    missing = text.isna() | (text == "")
    placeholder = text.str.lower().isin(PLACEHOLDERS).fillna(False).astype(bool) & ~missing
    return missing.astype(bool), placeholder


def completeness_table(
    records: pd.DataFrame,
    doses: pd.DataFrame,
    fields: tuple[str, ...] = RECORD_FIELDS,
    dose_fields: tuple[str, ...] = DOSE_FIELDS,
) -> pd.DataFrame:
    """Per field: rows, empty cells, placeholder cells ("0", "-", "Không có"), completeness %.

    Fields absent from the frame are skipped.
    """
    rows = []
    for frame, names, level in ((records, fields, "record"), (doses, dose_fields, "dose")):
        for name in names:
            if name not in frame.columns:
                continue
            missing, placeholder = _empty_or_placeholder(frame[name])
            n = len(frame)
            filled = n - int(missing.sum()) - int(placeholder.sum())
            rows.append(
                {
                    "level": level,
                    "field": name,
                    "label": _LABELS.get(name, name),
                    "n_rows": n,
                    "n_missing": int(missing.sum()),
                    "n_placeholder": int(placeholder.sum()),
                    "completeness": round(filled / n * 100, 1) if n else 100.0,
                }
            )
    columns = ["level", "field", "label", "n_rows", "n_missing", "n_placeholder", "completeness"]
    return pd.DataFrame(rows, columns=columns)


def dose_sequence_table(doses: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """Persons per dose number (1…4) and the drop-out from each dose to the next.

    ``dropout`` is (persons with dose n − persons with dose n+1) / persons with dose n, in %;
    a negative value (more second than first doses) is an internal inconsistency.

    >>> d = pd.DataFrame({"record_id": ["A", "A", "B"], "dose_number": [1, 2, 1]})
    >>> dose_sequence_table(d, pd.DataFrame({"record_id": ["A", "B", "C"]}))["n_persons"].tolist()
    [1, 2, 1, 0, 0]
    """
    numbers = pd.to_numeric(doses.get("dose_number", pd.Series(dtype=float)), errors="coerce")
    per_number = (
        pd.DataFrame({"record_id": doses.get("record_id"), "n": numbers})
        .dropna()
        .drop_duplicates()
        .groupby("n")["record_id"]
        .nunique()
    )
    with_dose = set(doses["record_id"]) if "record_id" in doses else set()
    n_without = int((~records["record_id"].isin(with_dose)).sum())
    rows = [{"dose": 0, "label": "Chưa có mũi nào", "n_persons": n_without}]
    for n in range(1, 5):
        rows.append({"dose": n, "label": f"Mũi {n}", "n_persons": int(per_number.get(n, 0))})
    table = pd.DataFrame(rows)
    counts = table["n_persons"].astype(float)
    following = counts.shift(-1)
    dropout = ((counts - following) / counts * 100).where(counts > 0).round(1)
    table["dropout"] = dropout.where(table["dose"].between(1, 3))
    return table


def monthly_doses_table(doses: pd.DataFrame, export_date: object = None) -> pd.DataFrame:
    """Doses per month with a DQR outlier flag (|value − mean| ≥ 2 SD over the months shown).

    Doses dated before 8 March 2021 or after ``export_date`` are counted in their own rows
    (``before_campaign`` / ``future``), undated ones in ``undated``.
    """
    dates = pd.to_datetime(
        doses.get("dose_date", pd.Series(dtype="datetime64[ns]")), errors="coerce"
    )
    end = pd.Timestamp(export_date) if export_date is not None else None
    in_window = dates.notna() & (dates >= FIRST_VACCINATION_DAY)
    if end is not None:
        in_window &= dates <= end
    months = dates[in_window].dt.to_period("M").astype(str).value_counts().sort_index()
    table = pd.DataFrame({"month": months.index, "n_doses": months.to_numpy().astype("int64")})
    mean, sd = table["n_doses"].mean(), table["n_doses"].std(ddof=0)
    z = (table["n_doses"] - mean) / sd if sd and sd > 0 else table["n_doses"] * 0.0
    table["outlier"] = z.abs() >= OUTLIER_SD
    extra = [
        ("before_campaign", int((dates < FIRST_VACCINATION_DAY).sum())),
        ("future", int((dates > end).sum()) if end is not None else 0),
        ("undated", int(dates.isna().sum())),
    ]
    extra_rows = pd.DataFrame(
        [{"month": m, "n_doses": n, "outlier": n > 0} for m, n in extra if n > 0],
        columns=table.columns,
    )
    return pd.concat([table, extra_rows], ignore_index=True) if len(extra_rows) else table
