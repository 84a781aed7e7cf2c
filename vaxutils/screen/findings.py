"""Turn long-form issues from every checker into the findings table of DESIGN §3.2.

Issues carry a row (or record_id), a code, a field, the value as found and a suggestion; the
catalogue adds category, severity and the messages. A problem is reported once: the same code on
the same record and field is kept once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils import catalogue
from vaxutils.schema import FINDINGS_COLUMNS


class UncataloguedCode(KeyError):
    """A checker emitted a code that the catalogue does not define (a bug, not a data problem)."""


def empty_findings() -> pd.DataFrame:
    """A findings table with no rows and the contract's columns and dtypes."""
    frame = pd.DataFrame({col: pd.Series(dtype="string") for col in FINDINGS_COLUMNS})
    frame["source_row"] = frame["source_row"].astype("Int64")
    return frame


def build_findings(issues: pd.DataFrame) -> pd.DataFrame:
    """Findings from issues with columns record_id, source_row, code, field, value, suggestion[, related]."""
    if issues.empty:
        return empty_findings()
    cat = catalogue.load()
    unknown = sorted(set(issues["code"].unique()) - set(cat.index))
    if unknown:
        raise UncataloguedCode(f"codes missing from the catalogue: {unknown}")
    out = fold_id_suggestions(issues.copy())
    if "related" not in out.columns:
        out["related"] = pd.NA
    out = out.drop_duplicates(subset=["record_id", "code", "field", "source_row"], keep="first")
    # the issues' own columns (the catalogue gives the others)
    out = out[[col for col in FINDINGS_COLUMNS if col in out.columns]]
    for col in out.columns:
        out[col] = out[col].astype("Int64" if col == "source_row" else "string")
    # Catalogue columns taken per distinct code, as Arrow text (no Python string per finding), and
    # after the sort: only the issues' own columns are reordered.
    codes, distinct = pd.factorize(out["code"])
    info = cat.loc[np.asarray(distinct, dtype=object)]
    severity = pd.array(info["severity"].to_numpy(dtype=object), dtype="string").take(codes)
    order = findings_order(out["source_row"], out["record_id"], severity, out["code"])
    out = out.iloc[order].reset_index(drop=True)
    codes = codes[order]
    for column, source in (
        ("category", "category"),
        ("severity", "severity"),
        ("message", "message_vi"),
        ("message_en", "message_en"),
    ):
        out[column] = pd.array(info[source].to_numpy(dtype=object), dtype="string").take(codes)
    return out[list(FINDINGS_COLUMNS)]


def in_findings_order(findings: pd.DataFrame) -> pd.DataFrame:
    """``findings`` in the order every findings file has: source row, record id, severity (errors
    first), code. Stable: findings equal on those keep the order given (a partition's, a merge's)."""
    order = findings_order(
        findings["source_row"], findings["record_id"], findings["severity"], findings["code"]
    )
    return findings.take(order).reset_index(drop=True)


_SEVERITY_RANK = ["error", "warning", "info"]


def findings_order(source_row, record_id, severity, code) -> np.ndarray:
    """Positions that put findings in order: source row, record id, severity (errors first), code;
    missing values last; stable. Sorted by Arrow (several keys at once, text as it is).

    >>> findings_order(pd.array([3, 2, 2, None], dtype="Int64"), pd.array(["a", "b", "b", "a"]),
    ...                pd.array(["info", "info", "error", "error"]), pd.array(["x", "y", "z", "x"]))
    array([2, 1, 0, 3])
    """
    rank = pd.Categorical(severity, _SEVERITY_RANK, ordered=True).codes
    table = pa.table(
        {
            "source_row": pa.array(pd.array(source_row, dtype="Int64")),
            "record_id": _arrow_text(record_id),
            "severity": np.where(rank < 0, len(_SEVERITY_RANK), rank),
            "code": _arrow_text(code),
        }
    )
    keys = [(name, "ascending", "at_end") for name in table.column_names]
    return pc.sort_indices(table, sort_keys=keys).to_numpy().astype("int64")


def _arrow_text(values) -> pa.Array:
    return pa.array(pd.array(values, dtype="string")).cast(pa.large_string())


# Codes whose only job is to carry an ID number found elsewhere (the registry, a duplicate record)
# to the record's missing_id / id_format finding. Registry first: it is the authoritative source.
ID_SUGGESTION_CODES = ("registry_id_suggestion", "duplicate_id_suggestion")


def fold_id_suggestions(issues: pd.DataFrame) -> pd.DataFrame:
    """Move ID numbers found in the registry or a duplicate into the ID finding's empty suggestion.

    The carrier rows are dropped, and so are those that only repeat the ID finding's own repair;
    a different number (e.g. the 12-digit ID of a person recorded by CMND) stays as info.
    """
    carriers = issues[issues["code"].isin(ID_SUGGESTION_CODES)]
    if carriers.empty:
        return issues
    order = carriers["code"].map({c: i for i, c in enumerate(ID_SUGGESTION_CODES)})
    best = (
        carriers.assign(_order=order)
        .dropna(subset=["suggestion"])
        .sort_values("_order")
        .drop_duplicates("record_id")
        .set_index("record_id")["suggestion"]
    )
    is_id_finding = issues["field"].eq("id_number") & ~issues["code"].isin(ID_SUGGESTION_CODES)
    is_id_finding &= issues["code"].str.startswith("id_") & issues["suggestion"].isna()
    confirmed = issues.loc[
        issues["field"].eq("id_number") & ~issues["code"].isin(ID_SUGGESTION_CODES),
        ["record_id", "suggestion"],
    ].dropna()
    issues.loc[is_id_finding, "suggestion"] = issues.loc[is_id_finding, "record_id"].map(best)
    served = set(issues.loc[is_id_finding & issues["suggestion"].notna(), "record_id"].unique())
    # a carrier that only repeats the ID finding's own repair confirms it: nothing more to say
    same = set(
        confirmed.merge(carriers[["record_id", "suggestion"]], on=["record_id", "suggestion"])[
            "record_id"
        ]
    )
    drop = issues["code"].isin(ID_SUGGESTION_CODES) & issues["record_id"].isin(served | same)
    return issues.loc[~drop]


def record_status(record_ids: pd.Series, findings: pd.DataFrame) -> pd.DataFrame:
    """Per record: status (ok / needs_review / needs_fix), error and warning counts, categories."""
    problems = findings[findings["severity"].isin(["error", "warning"])]
    # the records with problems as integer codes: counts and category lists are integer work
    code, with_problems = pd.factorize(problems["record_id"])
    n = len(with_problems)
    known = code >= 0
    is_error = problems["severity"].eq("error").to_numpy(bool)
    n_errors = np.bincount(code[known & is_error], minlength=n)
    n_warnings = np.bincount(code[known & ~is_error], minlength=n)
    lists = _category_lists(code, problems["category"], n)
    table = pd.DataFrame({"record_id": record_ids.array})
    # One hash lookup of the record ids, reused for every column; records without problems get
    # position -1, which picks the "nothing" value appended at the end of each column.
    at = positions_in(table["record_id"], pd.Index(with_problems, dtype="string"))
    table["n_errors"] = np.append(n_errors, 0)[at]
    table["n_warnings"] = np.append(n_warnings, 0)[at]
    # Text columns by taking from a few distinct Arrow strings: no million Python strings built.
    table["categories"] = pd.array(np.append(lists, ""), dtype="string").take(at)
    level = np.where(table["n_errors"] > 0, 2, np.where(table["n_warnings"] > 0, 1, 0))
    table["status"] = pd.array(["ok", "needs_review", "needs_fix"], dtype="string").take(level)
    return table.set_index(record_ids.index)


def _category_lists(code: np.ndarray, category: pd.Series, n: int) -> np.ndarray:
    """Per record code 0..n-1, its lists as sorted comma-joined text — via a bit mask per record
    (one bit per list), since a string join per record would run Python code once per record."""
    names = sorted(category.dropna().unique().tolist())
    bit = pd.Categorical(category, categories=names).codes.astype("int64")
    has = (code >= 0) & (bit >= 0)
    masks = np.zeros(n, dtype="int64")
    np.bitwise_or.at(masks, code[has], np.left_shift(1, bit[has]))
    distinct, inverse = np.unique(masks, return_inverse=True)
    labels = [",".join(x for i, x in enumerate(names) if m >> i & 1) for m in distinct.tolist()]
    return np.asarray(labels, dtype=object)[inverse]


def positions_in(keys: pd.Series, index: pd.Index) -> np.ndarray:
    """Position of each key in the (unique) ``index``, -1 where absent.

    Text keys are hashed by Arrow: pandas would first turn a million Arrow strings into Python ones.

    >>> positions_in(pd.Series(["b", "x", None], dtype="string"), pd.Index(["a", "b"], dtype="string"))
    array([ 1, -1, -1])
    """
    if isinstance(keys.dtype, pd.StringDtype) and isinstance(index.dtype, pd.StringDtype):
        found = pc.index_in(_arrow_text(keys), value_set=_arrow_text(index), skip_nulls=True)
        return found.fill_null(-1).to_numpy().astype("int64")
    return index.get_indexer(keys)
