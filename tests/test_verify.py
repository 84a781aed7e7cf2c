"""Step S6: the updated export screened again and compared with the last screening."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest
from typer.testing import CliRunner

from vaxutils.cli import app
from vaxutils.io import header_key
from vaxutils.stages import screen_file
from vaxutils.synth import generate_commune, write_commune
from vaxutils.workflow.verify import (
    FIXED,
    GONE,
    NEW_PROBLEM,
    OK,
    STATUSES,
    compare_screenings,
    progress,
)

BEFORE, AFTER = date(2022, 5, 10), date(2022, 5, 20)
FIELDS = ("full_name", "dob", "sex", "id_number")


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    """A commune screened, then its export 'updated on the platform': labelled errors of person
    fields corrected, one clean record broken, one record deleted."""
    folder = tmp_path_factory.mktemp("s6")
    commune = generate_commune("01420", n_persons=900, seed=21, export_date=BEFORE)
    write_commune(commune, folder / "before", fmt="csv")
    before = screen_file(
        folder / "before" / "export_01420.csv", folder / "screen_before", export_date=BEFORE,
        check_contracts=False,
    )  # fmt: skip
    export = commune.export.copy()
    column = {
        header_key(c)[0]: c for c in export.columns if header_key(c) and header_key(c)[1] is None
    }
    rid = export[column["record_id"]]
    labels = commune.labels
    fixes = labels[
        labels["field"].isin(FIELDS)
        & labels["category"].isin(["personal_info", "id_format", "missing_id"])
        & labels["true_value"].notna()
    ]
    for row in fixes.itertuples():
        export.loc[rid == row.record_id, column[row.field]] = row.true_value
    problem_ids = set(before.findings.loc[before.findings["severity"] != "info", "record_id"])
    clean = sorted(set(rid) - problem_ids - set(labels["record_id"]))
    broken, deleted = clean[0], clean[1]
    export.loc[rid == broken, column["sex"]] = "không rõ"
    export = export[rid != deleted]
    write_commune(replace(commune, export=export), folder / "after", fmt="csv")
    return folder, before, set(fixes["record_id"]), broken, deleted


def test_statuses_follow_what_changed(case):
    folder, before, fixed_ids, broken, deleted = case
    after = screen_file(
        folder / "after" / "export_01420.csv", folder / "screen_after", export_date=AFTER,
        check_contracts=False,
    )  # fmt: skip
    table = compare_screenings(
        before.findings, after.findings, before.records["record_id"], after.records["record_id"]
    )
    status = table.set_index("record_id")["status"]
    assert set(table["status"]) <= set(STATUSES) and table["record_id"].is_unique
    assert (
        status[broken] == NEW_PROBLEM
        and "sex" in table.set_index("record_id").at[broken, "new_problems"]
    )
    assert status[deleted] == GONE
    corrected = status.reindex(sorted(fixed_ids))
    assert not (corrected == NEW_PROBLEM).any()
    # errors screening cannot see without a registry (a typo in a name, swapped ID digits) were
    # "ổn" before and after; records with other problems too (duplicates, doses) are still wrong
    seen = corrected[corrected != OK]
    assert (seen == FIXED).mean() >= 0.85, seen.value_counts()
    untouched = status[~status.index.isin(fixed_ids | {broken, deleted})]
    assert (untouched == OK).mean() > 0.8  # the rest of the commune did not move

    pace = progress(table, before.findings, after.findings, AFTER)
    assert pace["days_left"] == 12
    assert pace["statuses"][FIXED] == int((table["status"] == FIXED).sum())
    assert pace["per_list_now"]["personal_info"] < pace["per_list_before"]["personal_info"]
    assert pace["records_per_day_needed"] == round(pace["records_with_problems_now"] / 12, 1)


def test_cli(case, tmp_path):
    folder, *_ = case
    out = tmp_path / "verify"
    result = CliRunner().invoke(
        app,
        [
            "verify", str(folder / "after" / "export_01420.csv"), "--previous",
            str(folder / "screen_before"), "--out", str(out), "--export-date", "20/05/2022",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "đã sửa" in result.output and "Còn 12 ngày" in result.output
    pace = json.loads((out / "progress.json").read_text("utf-8"))
    assert pace["deadline"] == "2022-06-01" and pace["statuses"][FIXED] > 10
    table = pd.read_csv(out / "verify.csv", dtype=str, encoding="utf-8-sig")
    assert list(table.columns) == [
        "record_id",
        "status",
        "problems_before",
        "problems_now",
        "new_problems",
    ]
    assert (out / "screen" / "findings.csv").is_file()


def test_past_the_deadline_and_nothing_to_compare():
    empty = pd.DataFrame({"record_id": [], "category": [], "code": [], "severity": []})
    table = compare_screenings(empty, empty, [], [])
    assert table.empty and list(table.columns)[:2] == ["record_id", "status"]
    pace = progress(table, empty, empty, date(2022, 6, 10))
    assert pace["days_left"] == -9 and pace["records_per_day_needed"] is None
    assert pace["fixed_share"] is None
