"""Screening by commune in parallel gives the single run's findings, records and doses."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from vaxutils import io, refdata
from vaxutils.screen import screen, screen_by_commune
from vaxutils.screen.partitioned import balanced_groups, commune_keys, partition_positions
from vaxutils.synth import generate_commune

EXPORT_DATE = date(2022, 5, 15)


@pytest.fixture(scope="module")
def communes():
    codes = refdata.communes()["commune_code"].iloc[:3].tolist()
    return [generate_commune(code, n_persons=250, seed=i) for i, code in enumerate(codes)]


@pytest.fixture(scope="module")
def export(communes, tmp_path_factory):
    """One export of three communes (each read apart — their headers differ — then stacked, with
    source rows numbered on); the last 40 records have no commune code."""
    folder = tmp_path_factory.mktemp("province")
    records, doses, offset = [], [], 0
    for sc in communes:
        frame = sc.export.astype(object).where(sc.export.isna(), sc.export.astype(str))
        frame["Mã xã"] = sc.commune_code
        part = io.read_export(io.write_parquet(folder / f"{sc.commune_code}.parquet", frame))
        records.append(part.records.assign(source_row=part.records["source_row"] + offset))
        doses.append(part.doses.assign(source_row=part.doses["source_row"] + offset))
        offset += int(part.records["source_row"].max())
    whole = replace(
        part,
        records=pd.concat(records, ignore_index=True),
        doses=pd.concat(doses, ignore_index=True),
    )
    whole.records.loc[whole.records.index[-40:], "commune_code"] = None
    # rows of a one-row-per-dose export that disagree with their record, in every commune
    picked = whole.records.iloc[[5, 300, 600, len(whole.records) - 1]]
    conflicts = pd.DataFrame(
        {
            "record_id": picked["record_id"].to_numpy(),
            "source_row": picked["source_row"].to_numpy() + 1,
            "field": "sex",
            "value": "Nữ",
            "used": "Nam",
        }
    )
    return replace(whole, conflicts=conflicts.astype(whole.conflicts.dtypes.to_dict()))


@pytest.fixture(scope="module")
def registry(communes):
    return pd.concat([sc.registry for sc in communes], ignore_index=True)


@pytest.fixture(scope="module")
def single(export, registry):
    return screen(export, registry=registry, export_date=EXPORT_DATE)


def _assert_same(parallel, single):
    pd.testing.assert_frame_equal(parallel.findings, single.findings)
    pd.testing.assert_frame_equal(parallel.records, single.records)
    pd.testing.assert_frame_equal(parallel.doses, single.doses)
    drop = ("timings_s", "n_partitions")
    assert {k: v for k, v in parallel.summary.items() if k not in drop} == {
        k: v for k, v in single.summary.items() if k not in drop
    }


def test_process_pool_equals_single_run(export, registry, single):
    assert export.records["commune_code"].nunique() == 3
    parallel = screen_by_commune(export, registry=registry, export_date=EXPORT_DATE, workers=2)
    assert len(single.findings) > 0
    _assert_same(parallel, single)
    timings = parallel.summary["timings_s"]
    assert len(timings["partitions"]) == 2 == parallel.summary["n_partitions"]
    assert all("duplicates" in t for t in timings["partitions"])


def test_two_threads_give_the_single_threaded_findings(export, registry, single):
    """The checks that run side by side (persons and doses, record fields and duplicates, the
    registry) give what one thread gives, in the same order."""
    assert single.summary["timings_s"].keys() >= {"prepare_persons", "duplicates", "registry"}
    _assert_same(screen(export, registry=registry, export_date=EXPORT_DATE, threads=2), single)


def test_a_check_failing_on_a_thread_fails_the_screening(export, monkeypatch):
    import vaxutils.screen.engine as engine

    def broken(*args, **kwargs):
        raise RuntimeError("duplicate check broke")

    monkeypatch.setattr(engine, "duplicate_groups", broken)
    with pytest.raises(RuntimeError, match="duplicate check broke"):
        screen(export, export_date=EXPORT_DATE, threads=2)


def test_more_workers_than_communes(export, registry, single):
    parallel = screen_by_commune(export, registry=registry, export_date=EXPORT_DATE, workers=8)
    # three communes and the records without one: four partitions at most
    assert parallel.summary["n_partitions"] == 4
    _assert_same(parallel, single)


def test_one_worker_runs_in_process(export, registry, single):
    _assert_same(
        screen_by_commune(export, registry=registry, export_date=EXPORT_DATE, workers=1), single
    )


def test_dask_futures_equal_single_run(export, registry, single):
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        parallel = screen_by_commune(
            export, registry=registry, export_date=EXPORT_DATE, workers=3, scheduler=client
        )
    _assert_same(parallel, single)


def test_input_untouched(export):
    before = (export.records.copy(), export.doses.copy())
    screen_by_commune(export, export_date=EXPORT_DATE, workers=2)
    pd.testing.assert_frame_equal(export.records, before[0])
    pd.testing.assert_frame_equal(export.doses, before[1])


def test_partitions_hold_whole_communes_and_their_doses(export):
    keys = commune_keys(export.records).fillna("-")
    parts = partition_positions(export, 2)
    seen = np.concatenate([p[0] for p in parts])
    assert sorted(seen.tolist()) == list(range(len(export.records)))
    assert sorted(np.concatenate([p[1] for p in parts]).tolist()) == list(range(len(export.doses)))
    for rec_pos, dose_pos in parts:
        own = set(keys.iloc[rec_pos])
        assert not own & set(keys.drop(keys.index[rec_pos]))
        ids = set(export.records["record_id"].iloc[rec_pos])
        assert set(export.doses["record_id"].iloc[dose_pos]) <= ids


def test_export_without_commune_column(export, single):
    bare = replace(export, records=export.records.drop(columns="commune_code"))
    result = screen_by_commune(bare, export_date=EXPORT_DATE, workers=2)
    assert result.summary["n_partitions"] == 1
    assert len(result.records) == len(export.records)


def test_empty_export_behaves_like_screen(export):
    empty = replace(export, records=export.records.iloc[:0], doses=export.doses.iloc[:0])
    expected = screen(empty, export_date=EXPORT_DATE)
    assert expected.findings.empty and expected.summary["n_records"] == 0
    _assert_same(screen_by_commune(empty, export_date=EXPORT_DATE, workers=2), expected)


@pytest.mark.parametrize(
    "junk", [None, np.nan, 1420, 14.2, b"01420", object(), "x" * 100_000, "", "  "]
)
def test_junk_commune_codes(junk):
    records = pd.DataFrame({"commune_code": ["01420", junk, "01420"]}, dtype=object)
    keys = commune_keys(records)
    assert keys.iloc[0] == keys.iloc[2] == "01420"
    assert len(keys) == 3


@given(
    st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=60),
    st.integers(min_value=1, max_value=8),
)
def test_balanced_groups_partition_and_balance(sizes, n):
    series = pd.Series(sizes, index=[f"c{i}" for i in range(len(sizes))])
    groups = balanced_groups(series, n)
    flat = [k for g in groups for k in g]
    assert sorted(flat) == sorted(series.index)
    assert len(groups) == min(n, len(sizes))
    loads = [series[g].sum() for g in groups]
    # greedy largest-first: no group exceeds the lightest by more than the largest commune
    assert max(loads) - min(loads) <= series.max()
