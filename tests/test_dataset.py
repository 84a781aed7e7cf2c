"""The national dataset: ingest exports into province=/commune= partitions, replace a changed file's
rows only, read a commune back."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from dataset_fixture import COMMUNES, HCM, write_district
from hypothesis import given, settings
from hypothesis import strategies as st

from vaxutils import dataset, io
from vaxutils.dataset.layout import fragments_of, partition_values
from vaxutils.screen.partitioned import commune_keys


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    return write_district(tmp_path_factory.mktemp("exports"), n_persons=60)


@pytest.fixture
def ingested(exports, tmp_path):
    root = tmp_path / "ds"
    report = dataset.ingest(exports, root, workers=2)
    return root, report


def _all_fragments(root):
    return {p.relative_to(root): p.read_bytes() for p in root.rglob("*.parquet")}


def test_every_row_lands_in_its_commune_with_its_source(exports, ingested):
    root, report = ingested
    assert len(report.added) == 3 and not report.failed
    assert dataset.list_partitions(root) == sorted(
        [("01", COMMUNES[0]), ("01", COMMUNES[1]), ("79", HCM)]
    )
    for path in exports:
        export = io.read_export(path)
        code = path.stem.split("_")[1]
        province = "79" if code == HCM else "01"
        part = dataset.read_partition(root, province, code)
        # the same records and doses, as read, plus where they came from
        pd.testing.assert_frame_equal(
            part.records.drop(columns="source_file")[export.records.columns].assign(
                commune_code=export.records["commune_code"]
            ),
            export.records.assign(commune_code=part.records["commune_code"]),
            check_dtype=False,
        )
        assert (part.records["commune_code"] == code).all()
        assert set(part.records["source_file"]) == {path.name}
        assert len(part.doses) == len(export.doses)
        assert part.doses["source_row"].tolist() == export.doses["source_row"].tolist()
    manifest = dataset.read_manifest(root)
    assert {e["sha256"] for e in manifest["files"].values()} == {io.file_sha256(p) for p in exports}


def test_unchanged_files_are_skipped(exports, ingested):
    root, _ = ingested
    before = _all_fragments(root)
    again = dataset.ingest(exports, root, workers=1)
    assert len(again.unchanged) == 3 and not again.added and not again.replaced
    assert _all_fragments(root) == before


def test_a_changed_file_replaces_only_its_rows(exports, ingested, tmp_path):
    root, _ = ingested
    before = _all_fragments(root)
    changed = tmp_path / exports[1].name
    text = exports[1].read_text(encoding="utf-8-sig").splitlines()
    # the commune dropped its last person, and moved one to another commune of the dataset
    lines = text[:-1]
    shutil.copy(exports[1], changed)
    changed.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    report = dataset.ingest([changed], root)
    assert len(report.added) == 1  # another path: another file
    report = dataset.ingest([*exports[:1], changed, *exports[2:]], root)
    assert len(report.unchanged) == 3  # nothing else moved
    # the same path with new content: replaced in place
    exports_copy = tmp_path / "copy"
    exports_copy.mkdir()
    paths = [shutil.copy(p, exports_copy / p.name) for p in exports]
    root2 = tmp_path / "ds2"
    dataset.ingest(paths, root2)
    before = _all_fragments(root2)
    (exports_copy / exports[1].name).write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    report = dataset.ingest(paths, root2)
    assert len(report.replaced) == 1 and len(report.unchanged) == 2
    after = _all_fragments(root2)
    changed_code = exports[1].stem.split("_")[1]
    differ = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert differ and all(f"commune={changed_code}" in str(k) for k in differ)
    n = len(dataset.read_partition(root2, "01", changed_code).records)
    assert n == len(io.read_export(exports[1]).records) - 1


def test_a_file_that_moves_commune_leaves_no_stale_fragments(tmp_path):
    path = tmp_path / "danh_sach.csv"
    path.write_text(
        "Mã đối tượng,Họ và tên,Ngày sinh,Số CCCD,Mã xã\nA1,Lê Văn An,1980,,00001\n",
        encoding="utf-8",
    )
    root = tmp_path / "ds"
    dataset.ingest([path], root)
    path.write_text(
        "Mã đối tượng,Họ và tên,Ngày sinh,Số CCCD,Mã xã\nA1,Lê Văn An,1980,,00004\n",
        encoding="utf-8",
    )
    dataset.ingest([path], root)
    assert dataset.list_partitions(root) == [("01", "00004")]
    assert fragments_of(root, "records", "01", "00001") == []


def test_unreadable_files_are_named_and_the_others_ingested(exports, tmp_path):
    bad = tmp_path / "hong.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a workbook")
    missing = tmp_path / "khong_co.csv"
    report = dataset.ingest([bad, exports[0], missing], tmp_path / "ds", workers=2)
    assert len(report.added) == 1
    assert set(report.failed) == {str(bad.resolve()), str(missing.resolve())}
    assert all(report.failed.values())


def test_commune_from_the_file_name_and_row_ids_made_unique(tmp_path):
    # no commune column, no record id column: rows are named after their file
    for code in ("00001", "00004"):
        (tmp_path / f"export_{code}.csv").write_text(
            "Họ và tên,Ngày sinh,Số CCCD\nLê Văn An,1980,\n", encoding="utf-8"
        )
    root = tmp_path / "ds"
    dataset.ingest(sorted(tmp_path.glob("*.csv")), root)
    whole = dataset.read_dataset(root)
    assert whole.records["commune_code"].tolist() == ["00001", "00004"]
    assert whole.records["record_id"].is_unique


@pytest.mark.parametrize("junk", ["../../etc", "01420/..", "x" * 300, "", None, "99999", "1e5"])
def test_partition_values_are_never_taken_from_junk(junk):
    values = partition_values(pd.Series([junk, "01420"], dtype=object))
    assert values.iloc[0].tolist() == ["unknown", "unknown"]
    assert values.iloc[1].tolist() == ["04", "01420"]


def test_keys_agree_with_screening_commune_keys(ingested):
    root, _ = ingested
    whole = dataset.read_dataset(root)
    assert commune_keys(whole.records).nunique() == 3
    assert json.loads((root / "manifest.json").read_text())["version"] == 1


def test_ingest_command_names_bad_files_and_keeps_the_good_ones(exports, tmp_path):
    from typer.testing import CliRunner

    from vaxutils.cli import app

    bad = tmp_path / "hong.csv"
    bad.write_text("chỉ có một dòng tiêu đề vô nghĩa\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["ingest", str(exports[0]), str(bad), "--out", str(tmp_path / "ds"), "--workers", "1"]
    )
    assert result.exit_code != 0
    assert "hong.csv" in result.output or "hong.csv" in str(result.exception)
    assert len(dataset.list_partitions(tmp_path / "ds")) == 1


@settings(deadline=None, max_examples=15)
@given(st.lists(st.one_of(st.none(), st.text(max_size=12), st.integers()), max_size=20))
def test_partition_values_are_codes_or_unknown(cells):
    values = partition_values(pd.Series(cells, dtype=object))
    for province, commune in values.itertuples(index=False):
        assert (province, commune) == ("unknown", "unknown") or (
            commune.isdigit() and len(commune) == 5 and province.isdigit() and len(province) == 2
        )


def test_one_file_of_many_communes_is_cut_by_commune(tmp_path):
    path = tmp_path / "ca_huyen.csv"
    path.write_text(
        "Mã đối tượng,Họ và tên,Ngày sinh,Số CCCD,Mã xã,Mũi 1 - Ngày tiêm\n"
        "A1,Lê Văn An,1980,,00001,01/08/2021\n"
        "B1,Trần Thị Bình,1990,,00004,02/08/2021\n"
        "C1,Đỗ Văn Cường,1985,,,03/08/2021\n",
        encoding="utf-8",
    )
    root = tmp_path / "ds"
    dataset.ingest([path], root)
    assert dataset.list_partitions(root) == [
        ("01", "00001"),
        ("01", "00004"),
        ("unknown", "unknown"),
    ]
    for (province, commune), rid in zip(
        dataset.list_partitions(root), ["A1", "B1", "C1"], strict=True
    ):
        part = dataset.read_partition(root, province, commune)
        assert part.records["record_id"].tolist() == [rid]
        assert part.doses["record_id"].tolist() == [rid]  # each dose with its person


def test_a_file_that_turns_unreadable_keeps_its_last_good_rows(tmp_path):
    path = tmp_path / "export_00001.csv"
    path.write_text(
        "Mã đối tượng,Họ và tên,Ngày sinh,Số CCCD\nA1,Lê Văn An,1980,\n", encoding="utf-8"
    )
    root = tmp_path / "ds"
    dataset.ingest([path], root)
    path.write_text("rác\n", encoding="utf-8")
    report = dataset.ingest([path], root)
    assert str(path.resolve()) in report.failed
    assert dataset.read_partition(root, "01", "00001").records["record_id"].tolist() == ["A1"]
