"""Screening measured against the synthetic generator's labels (per S1 list, record level)."""

from datetime import date

import pandas as pd
import pytest

from vaxutils.screen import screen_file
from vaxutils.synth import ErrorRates, generate_commune, write_commune

EXPORT_DATE = date(2022, 5, 15)
PROBLEM_CATEGORIES = ["missing_id", "id_format", "personal_info", "duplicate", "dose"]


def _record_pairs(frame: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(frame["record_id"].astype(str), frame["category"], strict=True))


@pytest.fixture(scope="module")
def dirty_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dirty")
    commune = generate_commune("01420", n_persons=3000, seed=7, export_date=EXPORT_DATE)
    write_commune(commune, folder, fmt="xlsx")
    result = screen_file(
        folder / "export_01420.xlsx",
        folder / "out",
        registry=folder / "registry_01420.parquet",
        export_date=EXPORT_DATE,
        check_contracts=False,
    )
    return commune, result


@pytest.mark.parametrize("category", PROBLEM_CATEGORIES)
def test_recall_and_precision_per_list(dirty_run, category):
    commune, result = dirty_run
    found = result.findings[result.findings["severity"].isin(["error", "warning"])]
    expected = _record_pairs(commune.labels[commune.labels["category"] == category])
    got = _record_pairs(found[found["category"] == category])
    assert expected, f"the generator injected no {category} errors"
    true_pos = expected & got
    recall = len(true_pos) / len(expected)
    precision = len(true_pos) / len(got) if got else 0.0
    missed = sorted(expected - got)[:5]
    extra = sorted(got - expected)[:5]
    assert recall >= 0.98, f"{category}: recall {recall:.3f}; missed e.g. {missed}"
    assert precision >= 0.98, f"{category}: precision {precision:.3f}; false alarms e.g. {extra}"


def test_clean_commune_has_no_problem_findings(tmp_path):
    commune = generate_commune(
        "01420", n_persons=2000, seed=11, rates=ErrorRates.none(), export_date=EXPORT_DATE
    )
    write_commune(commune, tmp_path, fmt="csv")
    result = screen_file(
        tmp_path / "export_01420.csv",
        tmp_path / "out",
        registry=tmp_path / "registry_01420.parquet",
        export_date=EXPORT_DATE,
        check_contracts=False,
    )
    problems = result.findings[result.findings["severity"].isin(["error", "warning"])]
    assert problems.empty, problems[["record_id", "code", "field", "value"]].head(20).to_string()


def test_outputs_follow_the_findings_contract(dirty_run):
    _, result = dirty_run
    from vaxutils.schema import FINDINGS_COLUMNS

    assert list(result.findings.columns) == list(FINDINGS_COLUMNS)
    assert result.findings["message"].notna().all()
    assert set(result.records["status"]) <= {"ok", "needs_review", "needs_fix"}
