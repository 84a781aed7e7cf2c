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
    # Catalogue columns taken per distinct code, as Arrow text (no Python string per finding).
    codes, distinct = pd.factorize(out["code"])
    info = cat.loc[np.asarray(distinct, dtype=object)]
    for column, source in (
        ("category", "category"),
        ("severity", "severity"),
        ("message", "message_vi"),
        ("message_en", "message_en"),
    ):
        out[column] = pd.array(info[source].to_numpy(dtype=object), dtype="string").take(codes)
    out = out[list(FINDINGS_COLUMNS)]
    for col in FINDINGS_COLUMNS:
        out[col] = out[col].astype("Int64" if col == "source_row" else "string")
    return in_findings_order(out)


def in_findings_order(findings: pd.DataFrame) -> pd.DataFrame:
    """``findings`` in the order every findings file has: source row, record id, severity (errors
    first), code. Stable: findings equal on those keep the order given (a partition's, a merge's)."""
    severity = pd.Categorical(findings["severity"], ["error", "warning", "info"], ordered=True)
    return (
        findings.assign(_sev=severity)
        .sort_values(["source_row", "record_id", "_sev", "code"], kind="stable")
        .drop(columns="_sev")
        .reset_index(drop=True)
    )


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
    counts = problems.groupby(["record_id", "severity"], observed=True).size().unstack(fill_value=0)
    counts = counts.reindex(columns=["error", "warning"], fill_value=0)
    categories = _category_lists(problems)
    table = pd.DataFrame({"record_id": record_ids.array})
    # One hash lookup of the record ids, reused for every column; records without problems get
    # position -1, which picks the "nothing" value appended at the end of each column.
    at = positions_in(table["record_id"], counts.index)
    for severity, column in (("error", "n_errors"), ("warning", "n_warnings")):
        table[column] = np.append(counts[severity].to_numpy(dtype="int64"), 0)[at]
    # Text columns by taking from a few distinct Arrow strings: no million Python strings built.
    lists = categories.reindex(counts.index).fillna("").to_numpy(dtype=object)
    table["categories"] = pd.array(np.append(lists, ""), dtype="string").take(at)
    level = np.where(table["n_errors"] > 0, 2, np.where(table["n_warnings"] > 0, 1, 0))
    table["status"] = pd.array(["ok", "needs_review", "needs_fix"], dtype="string").take(level)
    return table.set_index(record_ids.index)


def _category_lists(problems: pd.DataFrame) -> pd.Series:
    """Per record, its lists as sorted comma-joined text — via a bit mask per record, since a
    string join per group would run Python code once per record."""
    names = sorted(set(problems["category"].dropna()))
    bits = {name: 1 << i for i, name in enumerate(names)}
    distinct = problems.drop_duplicates(["record_id", "category"])
    masks = distinct["category"].map(bits).groupby(distinct["record_id"]).sum()
    labels = {
        mask: ",".join(n for n in names if mask & bits[n]) for mask in masks.unique().tolist()
    }
    return masks.map(labels)


def positions_in(keys: pd.Series, index: pd.Index) -> np.ndarray:
    """Position of each key in the (unique) ``index``, -1 where absent.

    Text keys are hashed by Arrow: pandas would first turn a million Arrow strings into Python ones.

    >>> positions_in(pd.Series(["b", "x", None], dtype="string"), pd.Index(["a", "b"], dtype="string"))
    array([ 1, -1, -1])
    """
    if isinstance(keys.dtype, pd.StringDtype) and isinstance(index.dtype, pd.StringDtype):
        found = pc.index_in(
            pa.array(keys.array).cast(pa.large_string()),
            value_set=pa.array(index.array).cast(pa.large_string()),
            skip_nulls=True,
        )
        return found.fill_null(-1).to_numpy().astype("int64")
    return index.get_indexer(keys)
