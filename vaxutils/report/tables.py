"""Tables of a commune report: pure functions from the screen outputs to small DataFrames.

Compute, then present (splink style): every function here takes the frames that
:func:`vaxutils.stages.run_screen` wrote (``findings``, ``records``, ``doses``) and returns a
DataFrame with snake_case columns; :mod:`vaxutils.report.display` puts the Vietnamese labels on
and :mod:`vaxutils.report.charts` draws them. Nothing here reads files or mutates its inputs.
Only ``error`` and ``warning`` findings count as problems; ``normalized``/``info`` ones never do.

>>> findings = pd.DataFrame({"record_id": ["A"], "category": ["missing_id"], "severity": ["error"]})
>>> print(findings_by_category_table(findings).loc[0, ["category", "n_records"]].to_string())
category     missing_id
n_records             1
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils.schema import CATEGORIES, CATEGORY_LABELS_VI, FIELD_LABELS_VI

PROBLEM_SEVERITIES: tuple[str, ...] = ("error", "warning")
S1_LISTS: tuple[str, ...] = ("missing_id", "id_format", "personal_info")
PROBLEM_CATEGORIES: tuple[str, ...] = tuple(c for c in CATEGORIES if c != "normalized")
UNKNOWN_VILLAGE = "(không rõ thôn)"
#: Joins a record's messages and suggestions; catalogue messages may hold "; " but never "•".
ITEM_SEP = " • "


def problems(findings: pd.DataFrame) -> pd.DataFrame:
    """The findings that need a person: severity ``error`` or ``warning``."""
    return findings[findings["severity"].isin(PROBLEM_SEVERITIES)]


def join_per_key(df: pd.DataFrame, key: str, column: str, sep: str = "; ") -> pd.Series:
    """Distinct values of ``column`` joined per ``key`` (order of first appearance), vectorised.

    >>> d = pd.DataFrame({"k": ["a", "a", "b", "a"], "v": ["x", "y", "z", "x"]})
    >>> join_per_key(d, "k", "v").to_dict()
    {'a': 'x; y', 'b': 'z'}
    """
    if df.empty:
        return pd.Series(dtype="string", name=column)
    pairs = df[[key, column]].dropna().astype(str).drop_duplicates()
    table = pa.Table.from_pandas(pairs, preserve_index=False).cast(
        pa.schema([(key, pa.string()), (column, pa.string())])
    )
    grouped = table.group_by(key, use_threads=False).aggregate([(column, "list")])
    joined = pc.binary_join(grouped[f"{column}_list"], sep)
    return pd.Series(
        joined.to_pylist(), index=grouped[key].to_pylist(), name=column, dtype="string"
    )


def _village(records: pd.DataFrame) -> pd.Series:
    village = records["village"].astype("string").str.strip()
    return village.mask(village.isna() | (village == ""), UNKNOWN_VILLAGE)


def _records_per_category(findings: pd.DataFrame) -> pd.Series:
    return problems(findings).drop_duplicates(["record_id", "category"])["category"].value_counts()


def estimated_persons(records: pd.DataFrame, findings: pd.DataFrame) -> int:
    """Number of people: records, less the extra records of each duplicate group.

    A duplicate group is a record plus the records named in its ``related`` column.

    >>> r = pd.DataFrame({"record_id": ["A", "B", "C"]})
    >>> f = pd.DataFrame({"record_id": ["A", "B"], "category": ["duplicate"] * 2,
    ...                   "severity": ["error"] * 2, "related": ["B", "A"]})
    >>> estimated_persons(r, f)
    2
    """
    dup = problems(findings)
    dup = dup[dup["category"] == "duplicate"][["record_id", "related"]]
    if dup.empty:
        return int(records["record_id"].nunique())
    members = dup.assign(member=dup["related"].astype("string").str.split(r"\s*[,;]\s*"))
    members = members.explode("member")
    members["member"] = members["member"].astype("string").fillna(members["record_id"])
    group_of = (
        pd.concat([members["record_id"], members["member"]], axis=1)
        .min(axis=1)
        .groupby(members["record_id"].to_numpy())
        .min()
    )
    n_in_groups = group_of.size
    return int(records["record_id"].nunique() - n_in_groups + group_of.nunique())


def headline_table(
    records: pd.DataFrame, findings: pd.DataFrame, doses: pd.DataFrame
) -> pd.DataFrame:
    """Headline numbers: records, persons, doses, and how many records are on each problem list.

    Columns: ``indicator`` (machine key), ``label`` (Vietnamese), ``value``, ``share`` (% of records).

    >>> r = pd.DataFrame({"record_id": ["A", "B"], "status": ["needs_fix", "ok"]})
    >>> f = pd.DataFrame({"record_id": ["A"], "category": ["missing_id"], "severity": ["error"],
    ...                   "related": [None]})
    >>> t = headline_table(r, f, pd.DataFrame({"record_id": ["A", "B", "B"]}))
    >>> t.set_index("indicator").loc[["records", "doses", "missing_id"], "value"].tolist()
    [2, 3, 1]
    """
    n_records = int(len(records))
    per_category = _records_per_category(findings)
    status = records["status"].value_counts() if "status" in records else pd.Series(dtype=int)
    rows = [
        ("records", "Số bản ghi", n_records),
        (
            "persons",
            "Số người (ước tính, đã gộp bản ghi trùng)",
            estimated_persons(records, findings),
        ),
        ("doses", "Số mũi tiêm", int(len(doses))),
        ("needs_fix", "Bản ghi có lỗi (chặn ký hộ chiếu)", int(status.get("needs_fix", 0))),
        ("needs_review", "Bản ghi cần kiểm tra", int(status.get("needs_review", 0))),
        ("ok", "Bản ghi không có vấn đề", int(status.get("ok", 0))),
    ]
    rows += [(c, CATEGORY_LABELS_VI[c], int(per_category.get(c, 0))) for c in PROBLEM_CATEGORIES]
    table = pd.DataFrame(rows, columns=["indicator", "label", "value"])
    share = table["value"] / n_records * 100 if n_records else table["value"] * 0.0
    table["share"] = share.round(1).where(~table["indicator"].isin(["records", "doses"]))
    return table


def findings_by_category_table(findings: pd.DataFrame) -> pd.DataFrame:
    """Per findings category (the S1 lists first): records, findings, errors, warnings, infos."""
    counts = (
        findings.groupby(["category", "severity"]).size().unstack(fill_value=0)
        if not findings.empty
        else pd.DataFrame()
    )
    counts = counts.reindex(
        index=list(CATEGORIES), columns=["error", "warning", "info"], fill_value=0
    )
    per_category = _records_per_category(findings)
    table = pd.DataFrame(
        {
            "category": list(CATEGORIES),
            "label": [CATEGORY_LABELS_VI[c] for c in CATEGORIES],
            "n_records": [int(per_category.get(c, 0)) for c in CATEGORIES],
            "n_errors": counts["error"].astype("int64").to_numpy(),
            "n_warnings": counts["warning"].astype("int64").to_numpy(),
            "n_info": counts["info"].astype("int64").to_numpy(),
        }
    )
    return table


def findings_by_code_table(
    findings: pd.DataFrame, top: int | None = None, include_info: bool = True
) -> pd.DataFrame:
    """Per reason code, most frequent first: category, severity, message, findings, records.

    ``include_info=False`` leaves out the automatic normalisations (they are not problems).
    """
    columns = ["code", "category", "severity", "message", "n_findings", "n_records"]
    if not include_info:
        findings = problems(findings)
    if findings.empty:
        return pd.DataFrame(columns=columns)
    table = (
        findings.groupby("code")
        .agg(
            category=("category", "first"),
            severity=("severity", "first"),
            message=("message", "first"),
            n_findings=("record_id", "size"),
            n_records=("record_id", "nunique"),
        )
        .reset_index()
        .sort_values(["n_findings", "code"], ascending=[False, True], kind="stable")
        .reset_index(drop=True)
    )
    return table[columns].head(top) if top else table[columns]


def findings_by_village_table(records: pd.DataFrame, findings: pd.DataFrame) -> pd.DataFrame:
    """Per village: records, records with errors / to review, problem rate, records per list.

    Sorted by problem rate, worst first, so village teams know where to start.
    """
    village = _village(records)
    base = pd.DataFrame(
        {"record_id": records["record_id"].to_numpy(), "village": village.to_numpy()}
    )
    status = records["status"].to_numpy() if "status" in records else "ok"
    base["needs_fix"] = status == "needs_fix"
    base["needs_review"] = status == "needs_review"
    table = base.groupby("village").agg(
        n_records=("record_id", "size"),
        n_needs_fix=("needs_fix", "sum"),
        n_needs_review=("needs_review", "sum"),
    )
    flagged = problems(findings)[["record_id", "category"]].drop_duplicates()
    flagged = flagged.merge(base[["record_id", "village"]], on="record_id", how="inner")
    per_list = pd.crosstab(flagged["village"], flagged["category"]) if len(flagged) else None
    for category in PROBLEM_CATEGORIES:
        column = per_list[category] if per_list is not None and category in per_list else 0
        table[category] = (
            column.reindex(table.index, fill_value=0) if not isinstance(column, int) else 0
        )
    table["problem_rate"] = (
        (table["n_needs_fix"] + table["n_needs_review"]) / table["n_records"] * 100
    ).round(1)
    table = table.reset_index().sort_values(
        ["problem_rate", "village"], ascending=[False, True], kind="stable"
    )
    return table.reset_index(drop=True)


_PERSON_COLUMNS = (
    "record_id",
    "source_row",
    "village",
    "full_name",
    "dob",
    "sex",
    "id_raw",
    "phone",
)


def _person_columns(records: pd.DataFrame) -> list[str]:
    return [c for c in _PERSON_COLUMNS if c in records.columns]


def worklist_table(
    records: pd.DataFrame, findings: pd.DataFrame, village: str | None = None
) -> pd.DataFrame:
    """One row per record with a problem: who, where in the file, what is wrong, what to write.

    ``problems`` joins the Vietnamese messages, ``suggestions`` the proposed values
    (``field: value``), both with :data:`ITEM_SEP`. Sorted by village then source row; ``village`` keeps one village only.
    """
    found = problems(findings)
    people = records[_person_columns(records)].copy()
    people["village"] = _village(records).to_numpy()
    people = people[people["record_id"].isin(found["record_id"])]
    if village is not None:
        people = people[people["village"] == village]
    found = found[found["record_id"].isin(people["record_id"])]
    people["severity"] = (
        people["record_id"]
        .map(found.assign(_e=found["severity"] == "error").groupby("record_id")["_e"].any())
        .map({True: "error", False: "warning"})
    )
    people["problems"] = people["record_id"].map(
        join_per_key(found, "record_id", "message", sep=ITEM_SEP)
    )
    with_suggestion = found[found["suggestion"].notna() & (found["suggestion"] != "")]
    with_suggestion = with_suggestion.assign(
        fix=with_suggestion["field"]
        .astype("string")
        .map(FIELD_LABELS_VI)
        .fillna(with_suggestion["field"].astype("string"))
        + ": "
        + with_suggestion["suggestion"]
    )
    people["suggestions"] = people["record_id"].map(
        join_per_key(with_suggestion, "record_id", "fix", sep=ITEM_SEP)
    )
    people = people.sort_values(["village", "source_row"], kind="stable")
    return people.reset_index(drop=True)


def duplicates_table(records: pd.DataFrame, findings: pd.DataFrame) -> pd.DataFrame:
    """Records suspected to be one person (or to share an ID), side by side, one group after another.

    ``group`` numbers the groups 1, 2, … in order of their first source row.
    """
    dup = problems(findings)
    dup = dup[dup["category"] == "duplicate"]
    columns = ["group", *_person_columns(records), "n_doses", "reason"]
    if dup.empty:
        return pd.DataFrame(columns=columns)
    members = dup.assign(member=dup["related"].astype("string").str.split(r"\s*[,;]\s*"))
    members = members.explode("member")
    members["member"] = members["member"].astype("string").fillna(members["record_id"])
    key = pd.concat([members["record_id"], members["member"]], axis=1).min(axis=1)
    group_key = key.groupby(members["record_id"].to_numpy()).min()
    people = records[records["record_id"].isin(group_key.index)].copy()
    people["group_key"] = people["record_id"].map(group_key)
    people["reason"] = people["record_id"].map(join_per_key(dup, "record_id", "message"))
    if "n_doses" not in people:
        people["n_doses"] = pd.NA
    people = people.sort_values("source_row", kind="stable")
    order = {k: i + 1 for i, k in enumerate(people["group_key"].drop_duplicates())}
    people["group"] = people["group_key"].map(order).astype("int64")
    people = people.sort_values(["group", "source_row"], kind="stable")
    return people[[c for c in columns if c in people.columns]].reset_index(drop=True)


def dose_problems_table(findings: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """Dose-history findings with the person they belong to, in source-row order."""
    found = problems(findings)
    found = found[found["category"] == "dose"]
    people = records[[c for c in ("record_id", "full_name", "village") if c in records]]
    table = found[["record_id", "source_row", "code", "severity", "field", "value", "message"]]
    table = table.merge(people, on="record_id", how="left")
    return table.sort_values(["source_row", "code"], kind="stable").reset_index(drop=True)
