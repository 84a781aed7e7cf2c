"""Record-level checks: every person field on its own, then the ID digits against sex and birth year.

:func:`prepare_persons` turns the records as read into the *prepared persons frame* of
docs/ARCHITECTURE.md (normalised values and matching keys), and :func:`record_issues` lists the
problems of each field in long form. Both only call the vectorised layer-1 functions.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils import dates, sex
from vaxutils.ids import series as ids
from vaxutils.kernel.cells import text_column
from vaxutils.text import names

ISSUE_COLUMNS = ["row", "code", "suggestion", "field", "value"]


def classify_record_ids(records: pd.DataFrame) -> pd.DataFrame:
    """The records' ID numbers classified (``ids.classify_ids``): what :func:`prepare_persons` and
    :func:`record_issues` both read, so a caller running both can classify once and pass it."""
    return ids.classify_ids(text_column(records, "id_number"))


def prepare_persons(
    records: pd.DataFrame,
    first_dose_date: pd.Series | None = None,
    id_info: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Normalised values and matching keys, one row per record (index kept).

    ``id_info`` is :func:`classify_record_ids` of ``records`` when the caller has it already.
    """
    raw_name = text_column(records, "full_name")
    # normalize_series also repairs legacy-encoded text and Ð look-alikes
    full_name, name_key, ascii_key = names.normalize_and_keys(raw_name)
    parsed_dob = dates.parse_dates(text_column(records, "dob"))
    if id_info is None:
        id_info = classify_record_ids(records)
    persons = pd.DataFrame(
        {
            "record_id": text_column(records, "record_id"),
            "source_row": records["source_row"].astype("Int64"),
            "full_name": full_name,
            "name_key": name_key,
            "ascii_key": ascii_key,
            "dob": parsed_dob["date"],
            "dob_precision": parsed_dob["precision"].astype("string"),
            "birth_year": parsed_dob["date"].dt.year.astype("Int64"),
            "sex": sex.normalize_series(text_column(records, "sex")).astype("string"),
            "id_raw": text_column(records, "id_number"),
            # the cells as the export holds them: what the platform shows, the "old value" of an edit
            "full_name_raw": raw_name,
            "dob_raw": text_column(records, "dob"),
            "sex_raw": text_column(records, "sex"),
            "id_kind": id_info["id_kind"].astype("string"),
            "id_compact": id_info["id_compact"].astype("string"),
            "id_suggestion": id_info["id_suggestion"].astype("string"),
            "id_sex": id_info["id_sex"].astype("string"),
            "id_birth_year": id_info["id_birth_year"].astype("Int64"),
            "province_code": id_info["province_code"].astype("string"),
            "phone": ids.phone_numbers(text_column(records, "phone")),
            "village": text_column(records, "village").str.strip(),
            "commune_code": text_column(records, "commune_code").str.strip(),
        },
        index=records.index,
    )
    # carried for the platform's import template (S5), not checked here
    persons["insurance_no"] = text_column(records, "insurance_no").str.strip()
    persons["priority_group"] = text_column(records, "priority_group").str.strip()
    if first_dose_date is None:
        persons["first_dose_date"] = pd.Series(pd.NaT, index=records.index, dtype="datetime64[ns]")
    else:
        first = pd.to_datetime(first_dose_date, errors="coerce").astype("datetime64[ns]")
        persons["first_dose_date"] = first.reindex(persons["record_id"].to_numpy()).to_numpy()
    return persons


def _attach(issues: pd.DataFrame, field: str, raw: pd.Series) -> pd.DataFrame:
    """Add the field name and the value as found to long-form issues of one field."""
    out = issues.loc[:, ["row", "code", "suggestion"]].copy()
    out["field"] = field
    rows = out["row"].to_numpy()
    # the cells stay Arrow text (no Python string per issue); rows numbered 0..n-1 are positions
    if raw.index.equals(pd.RangeIndex(len(raw))):
        out["value"] = raw.array.take(rows.astype("int64"))
    else:
        out["value"] = raw.reindex(rows).array
    return out


def record_issues(
    records: pd.DataFrame,
    persons: pd.DataFrame,
    today: date | None = None,
    id_info: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Problems of every person field, and of the ID digits against sex and birth year (long form).

    ``today`` is the date the data describes (the export date): a birth date after it is in the future.
    ``id_info`` is :func:`classify_record_ids` of ``records`` when the caller has it already.
    """
    if id_info is None:
        id_info = classify_record_ids(records)
    parts = [
        _attach(
            ids.issues_of_classified(id_info),
            "id_number",
            text_column(records, "id_number"),
        ),
        _attach(
            names.issues_series(text_column(records, "full_name")),
            "full_name",
            text_column(records, "full_name"),
        ),
        _attach(
            dates.issues_series(text_column(records, "dob"), field="dob", today=today),
            "dob",
            text_column(records, "dob"),
        ),
        _attach(sex.issues_series(text_column(records, "sex")), "sex", text_column(records, "sex")),
    ]
    if "phone" in records.columns:
        parts.append(
            _attach(
                ids.phone_issues_series(text_column(records, "phone")),
                "phone",
                text_column(records, "phone"),
            )
        )
    if "insurance_no" in records.columns:
        insurance = text_column(records, "insurance_no")
        parts.append(_attach(ids.bhyt_issues_series(insurance), "insurance_no", insurance))
    parts.append(_consistency_issues(records, persons))
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=ISSUE_COLUMNS)
    return pd.concat(parts, ignore_index=True)[ISSUE_COLUMNS]


def _consistency_issues(records: pd.DataFrame, persons: pd.DataFrame) -> pd.DataFrame:
    """The sex digit and birth year of a valid personal ID against the record's sex and birth date."""
    check = ids.cccd_consistency(persons["id_compact"], persons["sex"], persons["birth_year"])
    is_cccd = persons["id_kind"].eq("cccd").fillna(False)
    sex_bad = is_cccd & check["sex_ok"].eq(False).fillna(False)
    year_bad = is_cccd & check["year_ok"].eq(False).fillna(False)
    sex_rows = persons.index[sex_bad.to_numpy()]
    year_rows = persons.index[year_bad.to_numpy()]
    sex_part = pd.DataFrame(
        {
            "row": sex_rows,
            "code": "id_sex_mismatch",
            "suggestion": persons.loc[sex_rows, "id_sex"].to_numpy(),
            "field": "sex",
            "value": text_column(records, "sex").loc[sex_rows].to_numpy(),
        }
    )
    year_part = pd.DataFrame(
        {
            "row": year_rows,
            "code": "id_birth_year_mismatch",
            "suggestion": pd.NA,
            "field": "dob",
            "value": text_column(records, "dob").loc[year_rows].to_numpy(),
        }
    )
    return pd.concat([sex_part, year_part], ignore_index=True)


def conflict_issues(conflicts: pd.DataFrame, record_ids: pd.Series) -> pd.DataFrame:
    """A finding per row whose person field differs from the value its record uses (one-row-per-dose
    exports; see :mod:`vaxutils.io.layout`), for the records in ``record_ids``. The suggestion is
    the value used."""
    if len(conflicts):
        # Arrow's set lookup: pandas' isin on Arrow strings builds a Python object per record id
        ids = pa.array(conflicts["record_id"].astype("string").array).cast(pa.large_string())
        known = pa.array(record_ids.astype("string").array).cast(pa.large_string())
        conflicts = conflicts[pc.is_in(ids, value_set=known).fill_null(False).to_numpy(False)]
    return pd.DataFrame(
        {
            "record_id": conflicts["record_id"].astype("string"),
            "source_row": conflicts["source_row"].astype("Int64"),
            "code": "person_fields_disagree",
            "field": conflicts["field"].astype("string"),
            "value": conflicts["value"].astype("string"),
            "suggestion": conflicts["used"].astype("string"),
        }
    )


def merged_issues(filled: pd.DataFrame, record_ids: pd.Series) -> pd.DataFrame:
    """An ``info`` finding per cell given the value of the merged range it lies in (see
    :mod:`vaxutils.io.notes`), for the records in ``record_ids``."""
    filled = filled[filled["record_id"].isin(record_ids)]
    return pd.DataFrame(
        {
            "record_id": filled["record_id"].astype("string"),
            "source_row": filled["source_row"].astype("Int64"),
            "code": "merged_cell_filled",
            "field": filled["field"].astype("string"),
            "value": filled["value"].astype("string"),
            "suggestion": pd.Series(pd.NA, index=filled.index, dtype="string"),
        }
    )
