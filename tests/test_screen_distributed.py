"""Screening the dataset on dask.distributed: the single run's findings, people split over communes
and provinces found (twins and namesakes not), a failed task retried, a changed file changing only
its commune's outputs."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from dataset_fixture import (
    EXPORT_DATE,
    HANOI,
    HCM,
    write_cross_files,
    write_district,
)

from vaxutils import dataset
from vaxutils.screen import dataset_tasks, screen
from vaxutils.screen import distributed as dist

KEY = ["source_row", "record_id", "code", "field"]


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    base = tmp_path_factory.mktemp("district")
    exports = write_district(base / "exports", n_persons=80)
    cross = write_cross_files(base / "exports")
    return base, exports, cross


def _run(client, root, out):
    return dist.screen_dataset(root, out, scheduler=client, export_date=EXPORT_DATE, workers=2)


def _table(out, name):
    files = sorted(out.glob(f"{name}/province=*/commune=*/part-0.parquet"))
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)


def _sorted(findings):
    return findings.sort_values(KEY, kind="stable").reset_index(drop=True)


@pytest.fixture(scope="module")
def district_run(client, folders):
    base, exports, _ = folders
    root = base / "ds"
    dataset.ingest(exports, root, workers=1)
    out = base / "out"
    return root, out, _run(client, root, out)


@pytest.fixture(scope="module")
def cross_run(client, folders, district_run):
    base, exports, cross = folders
    root = base / "ds_cross"
    shutil.copytree(district_run[0], root)
    dataset.ingest(cross, root, workers=1)
    out = base / "out_cross"
    return root, out, _run(client, root, out)


def test_dataset_path_equals_single_process(district_run):
    root, out, run = district_run
    single = screen(dataset.read_dataset(root), export_date=EXPORT_DATE)
    assert len(single.findings) > 50
    pd.testing.assert_frame_equal(_sorted(_table(out, "findings")), _sorted(single.findings))
    pd.testing.assert_frame_equal(_table(out, "records"), single.records)
    assert len(_table(out, "doses")) == len(single.doses)
    expected = {k: v for k, v in single.summary.items() if k in dist.SUMMED}
    assert {k: v for k, v in run.summary.items() if k in dist.SUMMED} == expected
    assert run.summary["n_communes"] == 3
    # one folder per commune, its CSV the commune's findings
    for commune, summary in run.communes.items():
        csv = pd.read_csv(out / "communes" / commune / "findings.csv", dtype=str)
        assert len(csv) == sum(summary["findings_per_code"].values())


def _cross_findings(out):
    findings = _table(out, "findings")
    return findings[findings["code"].eq("duplicate_other_commune")].set_index("record_id")


def test_person_split_over_two_communes_is_found(cross_run):
    _, out, run = cross_run
    found = _cross_findings(out)
    assert found.loc["X-A1", "related"] == f"X-A2 (xã {HANOI[1]})"
    assert found.loc["X-A2", "related"] == f"X-A1 (xã {HANOI[0]})"
    # keep the record with the ID number
    assert found.loc["X-A2", "suggestion"] == f"X-A1 (xã {HANOI[0]})"
    assert pd.isna(found.loc["X-A1", "suggestion"])
    assert found.loc["X-A1", "category"] == "duplicate"
    assert run.summary["findings_per_code"]["duplicate_other_commune"] == len(found)


def test_person_split_over_two_provinces_is_found_not_shared_id(cross_run):
    _, out, _ = cross_run
    found = _cross_findings(out)
    assert found.loc["X-B2", "related"] == f"X-B1 (xã {HANOI[0]})"
    assert found.loc["X-B1", "related"] == f"X-B2 (xã {HCM})"
    findings = _table(out, "findings")
    mine = findings[findings["record_id"].isin(["X-B1", "X-B2"])]
    assert not mine["code"].eq("duplicate_id_shared").any()


def test_twins_and_namesakes_in_two_communes_are_not_one_person(cross_run):
    _, out, _ = cross_run
    found = _cross_findings(out)
    assert not found.index.isin(["T-1", "T-2", "N-1", "N-2"]).any()


def test_a_commune_sees_only_its_side(cross_run):
    _, out, _ = cross_run
    home = pd.read_parquet(dist.output_file(out, "records", "01", HANOI[0]))
    csv = pd.read_csv(out / "communes" / HANOI[0] / "findings.csv", dtype=str, encoding="utf-8-sig")
    # no other commune's record in its files; the other side named by record id and commune only
    assert set(csv["record_id"]) <= set(home["record_id"])
    related = csv.loc[csv["code"].eq("duplicate_other_commune"), "related"]
    assert related.str.fullmatch(r"[^,()]+ \(xã \d{5}\)(, [^,()]+ \(xã \d{5}\))*").all()
    # the status of a record with a cross-commune finding is refreshed
    assert home.set_index("record_id").loc["X-A1", "status"] != "ok"


def test_a_task_that_fails_once_is_retried_with_the_same_findings(
    client, cross_run, monkeypatch, tmp_path
):
    root, out, _ = cross_run
    failed = []
    real = dataset_tasks.screen

    def flaky(export, **kwargs):
        if not failed:
            failed.append(True)
            raise OSError("worker lost its disk for a moment")
        return real(export, **kwargs)

    monkeypatch.setattr(dataset_tasks, "screen", flaky)
    again = _run(client, root, tmp_path / "out")
    assert failed
    pd.testing.assert_frame_equal(
        _sorted(_table(tmp_path / "out", "findings")), _sorted(_table(out, "findings"))
    )
    assert again.summary["findings_per_code"] == cross_run[2].summary["findings_per_code"]


def test_reingesting_a_changed_file_changes_only_its_commune(client, folders, cross_run, tmp_path):
    _, _, cross = folders
    root = tmp_path / "ds"
    shutil.copytree(cross_run[0], root)
    # the Hồ Chí Minh City file comes back with one more record (the fixture's file, restored after)
    changed = next(p for p in cross if HCM in p.name)
    original = changed.read_bytes()
    try:
        changed.write_text(
            original.decode("utf-8-sig")
            + f"X-C1,Đỗ Thị Lan,02/02/1975,Nữ,,,{HCM},Pfizer,01/09/2021,,,,\n",
            encoding="utf-8-sig",
        )
        report = dataset.ingest([changed], root)
    finally:
        changed.write_bytes(original)
    assert len(report.replaced) == 1
    out = tmp_path / "out"
    _run(client, root, out)
    for province, commune in dataset.list_partitions(root):
        old = pd.read_parquet(dist.output_file(cross_run[1], "findings", province, commune))
        new = pd.read_parquet(dist.output_file(out, "findings", province, commune))
        if commune == HCM:
            assert set(new["record_id"]) - set(old["record_id"]) == {"X-C1"}
        else:
            pd.testing.assert_frame_equal(old, new)


# What the step-3 watcher saw (a module-level function: dask pickles the tasks it is given).
_WATCH: dict = {}


def _watching_finalize(*args, **kwargs):
    scheduler = _WATCH["scheduler"]
    for _ in range(10):  # the scheduler's loop runs in another thread: copy its keys
        try:
            keys = list(scheduler.tasks)
            break
        except RuntimeError:
            continue
    _WATCH["held"].extend(str(k) for k in keys if "screen_group" in str(k))
    return _WATCH["real"](*args, **kwargs)


def test_commune_results_are_forgotten_before_the_commune_files_are_written(
    client, district_run, monkeypatch, tmp_path
):
    """A worker lost during step 3 must not make dask run a step-1 task again (its rerun would
    write the commune's files over step 3's): no step-1 result is held by then. The real kill is
    benchmarks/check_worker_kill.py (SIGKILL to Nanny-managed worker processes; too slow for the
    suite: two worker restarts)."""
    root, out, _ = district_run
    _WATCH.update(scheduler=client.cluster.scheduler, held=[], real=dist.finalize_group)
    monkeypatch.setattr(dist, "finalize_group", _watching_finalize)
    _run(client, root, tmp_path / "out")
    assert _WATCH["held"] == []
    pd.testing.assert_frame_equal(
        _sorted(_table(tmp_path / "out", "findings")), _sorted(_table(out, "findings"))
    )


# What the cross-commune judge tasks were given (module level: dask pickles the tasks it is given).
_JUDGED: list = []


def _watching_judge(pairs, paths, *written):
    persons = pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True)
    needed = sorted(set(pairs["gid_a"]) | set(pairs["gid_b"]))
    _JUDGED.append((needed, sorted(persons["gid"])))
    if len(_JUDGED) == 1:
        raise OSError("worker lost its disk for a moment")
    return dataset_tasks.judge_candidates(pairs, paths, *written)


def test_each_partition_of_pairs_is_judged_from_its_own_records_and_retried(
    client, cross_run, monkeypatch, tmp_path
):
    """No task holds every candidate record of the run (that grew a worker's peak with the
    country): each partition of the shuffled pairs is judged from exactly its pairs' records; a
    judge task that fails is run again, with the same findings."""
    root, out, _ = cross_run
    _JUDGED.clear()
    monkeypatch.setattr(dist, "judge_candidates", _watching_judge)
    again = _run(client, root, tmp_path / "out")
    assert len(_JUDGED) >= 2  # the failed attempt, then every partition with pairs
    for needed, read in _JUDGED:
        assert read == needed
    pd.testing.assert_frame_equal(
        _sorted(_table(tmp_path / "out", "findings")), _sorted(_table(out, "findings"))
    )
    assert again.summary["findings_per_code"] == cross_run[2].summary["findings_per_code"]
    # the candidate records were written for the run only
    assert not (tmp_path / "out" / "_cross").exists()
