"""Differences between each record and its registry person (DESIGN §3.2, ``personal_info``).

Compared by matching keys, so that a difference is a real one: tone placement and letter case are not
differences (Hòa = Hoà = HOÀ), a name typed without diacritics is (the registry's spelling is the
suggestion); a year-only birth date that agrees with the registry's year is not a mismatch (info, with
the full date as suggestion). Codes (catalogue ``vaxutils/screen/catalogue/registry.yaml``):

- ``registry_not_found`` (warning) — nobody in the extract matches the record (passports excepted);
- ``registry_id_other_person`` (error) — the record's number is somebody else's in the registry;
- ``registry_id_mismatch`` (error) — a well-formed number that is not the matched person's;
- ``registry_id_suggestion`` (info, ``normalized``) — the matched person's number for a record whose
  number is missing or malformed: the ``missing_id``/``id_format`` finding of the same record already
  lists the problem; this row only carries the registry number for its suggestion, so the three S1
  lists do not count it twice. It is never applied automatically;
- ``registry_name_mismatch`` / ``registry_name_diacritics`` / ``registry_dob_mismatch`` /
  ``registry_sex_mismatch`` (error) and ``registry_dob_more_precise`` (info).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vaxutils.kernel.cells import as_dates, as_text, column_or_na
from vaxutils.linkage.compare import COMPATIBLE, DIFFERENT, compare_pairs
from vaxutils.reconcile.registry import PLAUSIBLE_SCORE

ISSUE_COLUMNS = ["record_id", "source_row", "code", "field", "value", "suggestion"]


def _empty() -> pd.DataFrame:
    frame = pd.DataFrame({col: pd.Series(dtype="string") for col in ISSUE_COLUMNS})
    frame["source_row"] = frame["source_row"].astype("Int64")
    return frame


def format_dob(dates: pd.Series, precision: pd.Series) -> pd.Series:
    """Birth dates as people write them: dd/mm/yyyy, mm/yyyy or yyyy by precision.

    >>> format_dob(pd.to_datetime(pd.Series(["1950-07-08", "1950-01-01"])), pd.Series(["day", "year"])).tolist()
    ['08/07/1950', '1950']
    """
    dates = as_dates(dates)
    precision = as_text(precision).fillna("day")
    day = dates.dt.strftime("%d/%m/%Y").astype("string")
    text = day.where(precision.eq("day"), dates.dt.strftime("%m/%Y").astype("string"))
    return text.where(~precision.eq("year"), dates.dt.year.astype("Int64").astype("string"))


def registry_issues(
    persons: pd.DataFrame, registry: pd.DataFrame, matches: pd.DataFrame
) -> pd.DataFrame:
    """Registry findings in long form: record_id, source_row, code, field, value, suggestion.

    ``persons`` is the prepared persons frame, ``registry`` the prepared registry
    (:func:`vaxutils.reconcile.prepare_registry`), ``matches`` the output of
    :func:`vaxutils.reconcile.match_registry`. Inputs are not modified.
    """
    if persons is None or len(persons) == 0 or "record_id" not in persons.columns:
        return _empty()
    persons = persons.reset_index(drop=True)
    record_id = as_text(persons["record_id"])
    base = pd.DataFrame(
        {
            "record_id": record_id,
            "source_row": pd.to_numeric(column_or_na(persons, "source_row"), errors="coerce"),
        }
    )
    base["source_row"] = base["source_row"].where(base["source_row"] % 1 == 0).astype("Int64")
    columns = ["record_id", "person_id", "match_method", "match_score"]
    if matches is None or not set(columns) <= set(matches.columns):
        matches = pd.DataFrame({c: pd.Series(dtype="string") for c in columns})
    lookup = matches[columns].astype({"record_id": "string"}).drop_duplicates("record_id")
    joined = base[["record_id"]].merge(lookup, on="record_id", how="left")
    person_id = as_text(joined["person_id"])
    method = as_text(joined["match_method"])
    score = pd.to_numeric(joined["match_score"], errors="coerce")
    id_kind = as_text(column_or_na(persons, "id_kind"))
    id_raw = as_text(column_or_na(persons, "id_raw")).fillna(
        as_text(column_or_na(persons, "id_compact"))
    )

    parts = []
    not_found = person_id.isna() & ~id_kind.eq("passport").fillna(False)
    parts.append(_issue(base, not_found, "registry_not_found", "id_number", id_raw, pd.NA))

    registry = registry.reset_index(drop=True) if registry is not None else pd.DataFrame()
    if len(registry) and "person_id" in registry.columns and person_id.notna().any():
        position = pd.Series(np.arange(len(registry)), index=as_text(registry["person_id"]))
        position = position[~position.index.duplicated()]
        reg_pos = person_id.map(position)
        matched = reg_pos.notna().to_numpy()
        rows = np.flatnonzero(matched)
        left = persons.iloc[rows].reset_index(drop=True)
        right = registry.iloc[reg_pos[matched].astype("int64").to_numpy()].reset_index(drop=True)
        parts.extend(
            _differences(
                base.iloc[rows].reset_index(drop=True),
                left,
                right,
                method[matched].reset_index(drop=True),
                score[matched].reset_index(drop=True),
                id_raw[matched].reset_index(drop=True),
            )
        )
    parts = [p for p in parts if not p.empty]
    if not parts:
        return _empty()
    out = pd.concat(parts, ignore_index=True)
    out = out.astype({c: "string" for c in ISSUE_COLUMNS if c != "source_row"})
    out["source_row"] = out["source_row"].astype("Int64")
    return (
        out[ISSUE_COLUMNS].sort_values(["source_row", "code"], kind="stable").reset_index(drop=True)
    )


def _issue(base, mask, code, field, value, suggestion) -> pd.DataFrame:
    mask = np.asarray(mask, dtype=bool)
    rows = base[mask]

    def pick(values):
        if isinstance(values, pd.Series):
            return values.reset_index(drop=True)[mask].to_numpy()
        return values

    return pd.DataFrame(
        {
            "record_id": rows["record_id"].to_numpy(),
            "source_row": rows["source_row"].to_numpy(),
            "code": code,
            "field": field,
            "value": pick(value),
            "suggestion": pick(suggestion),
        }
    )


def _differences(base, record, person, method, score, id_raw) -> list[pd.DataFrame]:
    """Findings for matched pairs (all frames aligned row by row)."""
    comparison = compare_pairs(record, person)
    number_match = method.isin(["id", "cmnd", "suggested_id"]).fillna(False).to_numpy(bool)
    other_person = number_match & (score < PLAUSIBLE_SCORE).fillna(False).to_numpy(bool)
    # A number that belongs to somebody else: its holder's name and birth date are no suggestion.
    compared = ~other_person

    record_id_valid = as_text(column_or_na(record, "id_compact"))
    own_number = np.zeros(len(record), dtype=bool)
    for ids in (as_text(column_or_na(person, "id_number")), as_text(column_or_na(person, "cmnd"))):
        own_number |= record_id_valid.eq(ids).fillna(False).to_numpy(bool)
    has_valid = record_id_valid.notna().to_numpy(bool)
    passport = as_text(column_or_na(record, "id_kind")).eq("passport").fillna(False).to_numpy(bool)
    registry_id = as_text(column_or_na(person, "id_number"))

    name = as_text(column_or_na(record, "full_name"))
    registry_name = as_text(column_or_na(person, "full_name"))
    names_known = (name.notna() & registry_name.notna()).to_numpy(bool)
    key_differs = ~comparison["name_key_same"].to_numpy(bool)
    same_letters = (
        as_text(column_or_na(record, "ascii_key"))
        .eq(as_text(column_or_na(person, "ascii_key")))
        .fillna(False)
    ).to_numpy(bool)

    dob = comparison["dob"].to_numpy()
    # "compatible" also when the registry is the less precise side; only a coarser record gains.
    record_coarser = (
        as_text(column_or_na(record, "dob_precision"))
        .isin(["month", "year"])
        .fillna(False)
        .to_numpy(bool)
    )
    record_dob = format_dob(column_or_na(record, "dob"), column_or_na(record, "dob_precision"))
    registry_dob = format_dob(column_or_na(person, "dob"), column_or_na(person, "dob_precision"))
    sex = as_text(column_or_na(record, "sex"))
    registry_sex = as_text(column_or_na(person, "sex"))

    return [
        _issue(base, other_person, "registry_id_other_person", "id_number", id_raw, pd.NA),
        _issue(
            base,
            compared & has_valid & ~own_number & ~passport,
            "registry_id_mismatch",
            "id_number",
            id_raw,
            registry_id,
        ),
        _issue(
            base,
            compared & ~has_valid & ~passport & registry_id.notna().to_numpy(bool),
            "registry_id_suggestion",
            "id_number",
            id_raw,
            registry_id,
        ),
        _issue(
            base,
            compared & names_known & key_differs & ~same_letters,
            "registry_name_mismatch",
            "full_name",
            name,
            registry_name,
        ),
        _issue(
            base,
            compared & names_known & key_differs & same_letters,
            "registry_name_diacritics",
            "full_name",
            name,
            registry_name,
        ),
        _issue(
            base,
            compared & (dob == DIFFERENT),
            "registry_dob_mismatch",
            "dob",
            record_dob,
            registry_dob,
        ),
        _issue(
            base,
            compared & (dob == COMPATIBLE) & record_coarser,
            "registry_dob_more_precise",
            "dob",
            record_dob,
            registry_dob,
        ),
        _issue(
            base,
            compared & (comparison["sex"].to_numpy() == DIFFERENT),
            "registry_sex_mismatch",
            "sex",
            sex,
            registry_sex,
        ),
    ]
