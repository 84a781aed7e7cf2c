"""The stages layer: each step's run_ writes exactly the files stage_files names, its load_ reads
them back the same, and a missing or foreign folder is a message naming the folder, the file and
the command to run — one small synthetic commune taken through S1–S7 by the scripted people."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from vaxutils import stages
from vaxutils.passport import ledger
from vaxutils.stage_files import (
    PASSPORT,
    PLATFORM,
    POLICE,
    REVIEW,
    SCREEN,
    VERIFY,
    StageFolderMissing,
)
from vaxutils.synth import ErrorRates, generate_commune, write_commune
from vaxutils.synth.people import Script, fill_police, fill_review
from vaxutils.workflow import platform_results

EXPORT_DATE = date(2022, 5, 15)
CODE = "01420"


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


@pytest.fixture(scope="module")
def trip(tmp_path_factory):
    """S1 → S2 out/in → S3 out/in → S5 → S7 → S6 on 120 people with twice the usual damage."""
    root = tmp_path_factory.mktemp("stages")
    commune = generate_commune(
        CODE, n_persons=120, seed=11, rates=ErrorRates().scaled(2.0), export_date=EXPORT_DATE
    )
    export = write_commune(commune, root / "input", fmt="csv")["export"]
    script = Script.of(commune, 11)
    ran = {"root": root, "export": export}
    # contracts are the contract tests' and the CLI tests' to check: here, what each step writes
    quick = {"check_contracts": False}
    ran["screen"] = stages.run_screen(export, root / "screen", export_date=EXPORT_DATE, **quick)
    screened = stages.load_screen(root / "screen")
    ran["review_out"] = stages.run_review_out(screened, root / "ra_soat.xlsx", commune="Xã A")
    filled = fill_review(root / "ra_soat.xlsx", root / "da_ra_soat.xlsx", script)
    ran["review"] = stages.run_review_in(
        filled, screened, root / "review", allow_undecided=True, **quick
    )
    review = stages.load_review(root / "review").review
    ran["police_out"] = stages.run_police_out(screened, root / "doi_chieu.xlsx", review)
    signed = fill_police(root / "doi_chieu.xlsx", root / "da_ky.xlsx", script)
    ran["police"] = stages.run_police_in(signed, screened, root / "police", review, **quick)
    ran["platform"] = stages.run_platform(
        screened,
        root / "s5",
        root / "review",
        root / "police",
        priority_group="15",
        partial=True,
        **quick,
    )
    ran["passport"] = stages.run_passport(screened, root / "passport", **quick)
    ran["verify"] = stages.run_verify(
        export, root / "screen", root / "verify", export_day=EXPORT_DATE, **quick
    )
    return ran


def test_screen_round_trip_and_its_export_date(trip):
    folder = trip["root"] / "screen"
    assert _files(folder) <= {getattr(SCREEN, f.name) for f in fields(SCREEN)}
    assert set(SCREEN.tables) | {SCREEN.summary, SCREEN.findings_csv} <= _files(folder)
    loaded, ran = stages.load_screen(folder), trip["screen"]
    for name in ("findings", "records", "doses"):
        assert_frame_equal(getattr(loaded, name), getattr(ran, name), check_dtype=False)
    assert loaded.summary == json.loads(json.dumps(ran.summary, default=str))
    # the day later steps judge on: the one given, else screening's, else the default
    assert stages.export_date(loaded) == EXPORT_DATE
    assert stages.export_date(loaded, date(2022, 6, 1)) == date(2022, 6, 1)
    loaded.summary.pop("export_date")
    assert stages.export_date(loaded, default=date(2020, 1, 1)) == date(2020, 1, 1)


def test_review_and_police_round_trip(trip):
    assert trip["review_out"].path.is_file() and trip["review_out"].sheets
    assert _files(trip["root"] / "review") == {
        REVIEW.table, REVIEW.table_csv, REVIEW.changes, REVIEW.problems_csv,
        REVIEW.problems_parquet,
    }  # fmt: skip
    review, ran = stages.load_review(trip["root"] / "review"), trip["review"]
    assert_frame_equal(review.review, ran.review)
    assert_frame_equal(review.problems, ran.problems)
    assert len(review.changes) == len(ran.changes) and review.review["record_id"].is_unique
    police, signed = stages.load_police(trip["root"] / "police"), trip["police"]
    assert _files(trip["root"] / "police") == {
        POLICE.table, POLICE.table_csv, POLICE.changes, POLICE.problems_csv,
        POLICE.problems_parquet, POLICE.signoff, POLICE.evidence,
    }  # fmt: skip
    assert_frame_equal(police.verified, signed.verified)
    assert police.signoff == signed.signoff and police.ok == signed.ok
    evidence = trip["root"] / "police" / police.signoff["evidence"]
    assert evidence.is_file() and police.signoff["sha256"][:16] in evidence.name
    assert trip["police_out"].n_sent == len(signed.verified)


def test_platform_round_trip_puts_every_record_in_one_place(trip):
    stage = trip["platform"]
    assert stage.blocked is None and not len(stage.files.unplaced)
    folder = trip["root"] / "s5"
    named = {
        PLATFORM.import_workbook, PLATFORM.edits_workbook, PLATFORM.merges_workbook,
        PLATFORM.removals_workbook, *PLATFORM.csv_twins.values(),
    }  # fmt: skip
    assert named <= _files(folder) <= named | {PLATFORM.unresolved_sites}
    assert {k: p.name for k, p in stage.written.items()} == {
        "import": PLATFORM.import_workbook,
        "edits": PLATFORM.edits_workbook,
        "merges": PLATFORM.merges_workbook,
        "removals": PLATFORM.removals_workbook,
    }
    lists = stages.load_platform(folder)
    outcome = lists["outcome"]
    assert outcome["record_id"].is_unique and len(outcome) == len(stage.files.listed)
    assert lists["imports"]["record_id"].tolist() == stage.files.imports["record_id"].tolist()
    assert lists["merges"]["keep_record_id"].notna().all()


def test_platform_waits_for_the_steps_before_it(trip, tmp_path):
    review = tmp_path / "review"
    review.mkdir()
    problems = trip["review"].problems.head(0)
    bad = pd.DataFrame([{"severity": "error", "sheet": "Thôn 1", "row": "7", "column": "Kết luận",
                         "record_id": "X", "value": pd.NA, "message": "Chưa có kết luận"}])  # fmt: skip
    pd.concat([problems, bad.astype(problems.dtypes.to_dict())]).to_parquet(
        review / REVIEW.problems_parquet
    )
    screened = stages.load_screen(trip["root"] / "screen")
    stage = stages.run_platform(screened, tmp_path / "s5", review)
    assert stage.blocked is not None and not stage.ok
    assert stage.blocked.command == REVIEW.command and stage.blocked.file.endswith(
        "review_problems.csv"
    )
    assert not (tmp_path / "s5").exists()  # nothing written while S2 has errors


def test_passport_and_verify_round_trip(trip):
    stage = trip["passport"]
    day = f"{stage.work_date:%Y%m%d}"
    assert stage.work_date == EXPORT_DATE  # screening's export date, none given
    assert _files(trip["root"] / "passport") == {
        PASSPORT.worklist(day, "xlsx"), PASSPORT.worklist(day, "parquet"),
        PASSPORT.worklist(day, "csv"), PASSPORT.backlog(day),
    }  # fmt: skip
    loaded = stages.load_passport(trip["root"] / "passport", stage.work_date)
    assert_frame_equal(loaded.worklist, stage.worklist, check_dtype=False)
    verify = stages.load_verify(trip["root"] / "verify")
    assert _files(trip["root"] / "verify") == {
        VERIFY.screen,
        VERIFY.comparison,
        VERIFY.comparison_csv,
        VERIFY.progress,
    }
    assert_frame_equal(verify.comparison, trip["verify"].comparison)
    # the same export screened again: nothing was fixed, nothing new
    assert verify.progress["statuses"] == trip["verify"].progress["statuses"]
    assert sum(verify.progress["statuses"].values()) == len(trip["screen"].records)


@pytest.mark.parametrize(
    ("load", "names", "command"),
    [
        (stages.load_screen, "records.parquet, findings.parquet", "vaxutils screen"),
        (stages.load_review, REVIEW.table, REVIEW.command),
        (stages.load_police, POLICE.table, POLICE.command),
        (stages.load_platform, PLATFORM.imports, PLATFORM.command),
        (stages.load_verify, VERIFY.comparison, VERIFY.command),
    ],
)
def test_a_missing_or_foreign_folder_says_what_to_run(trip, tmp_path, load, names, command):
    for folder in (tmp_path / "không có", trip["root"] / "passport"):
        with pytest.raises(StageFolderMissing) as caught:
            load(folder)
        message = str(caught.value)
        assert str(folder) in message and names in message and command in message


def test_a_passport_folder_without_that_day(trip):
    with pytest.raises(StageFolderMissing, match="ky_ho_chieu_20200101.parquet"):
        stages.load_passport(trip["root"] / "passport", date(2020, 1, 1))


def test_the_steps_modules_use_the_layouts_names():
    assert ledger.LEDGER_FILE == PASSPORT.ledger
    assert platform_results.RESULTS_FILE == PLATFORM.results_stem
    assert platform_results.SUMMARY_FILE == PLATFORM.results_summary
    assert platform_results.RETRY_FILE == PLATFORM.retry_workbook
    assert stages.layout.SCREEN is SCREEN
