"""A folder of shared exports (one per district, each with a commune column) is read at once
(vaxutils.io.read_many, a process per file) and split by commune."""

from __future__ import annotations

import os

import pytest

from vaxutils import batch

HEADER = "Mã đối tượng,Họ và tên,Ngày sinh,Giới tính,Số CMND/CCCD,Mã xã,Mũi,Tên vắc xin,Ngày tiêm\n"
DISTRICT_A = (
    HEADER
    + "A1,Nguyễn Văn An,03/02/1980,Nam,004080012345,01420,1,AstraZeneca,01/07/2021\n"
    + "A2,Lê Thị Bình,06/05/1990,Nữ,,01432,1,Pfizer,01/08/2021\n"
)
DISTRICT_B = HEADER + "B1,Nông Văn Cường,08/07/1975,Nam,004075012345,01366,1,Vero Cell,01/10/2021\n"


def test_folder_of_shared_exports_is_read_at_once_and_split(tmp_path, monkeypatch):
    (tmp_path / "huyen_a.csv").write_text(DISTRICT_A, "utf-8")
    (tmp_path / "huyen_b.csv").write_text(DISTRICT_B, "utf-8")
    (tmp_path / "registry_01420.parquet").write_bytes(b"not read as an export")
    jobs = batch.plan_jobs(tmp_path, None)
    assert [j.commune_code for j in jobs] == ["01366", "01420", "01432"]
    assert [j.input_path.name for j in jobs] == ["huyen_b.csv", "huyen_a.csv", "huyen_a.csv"]
    assert jobs[1].export.records["record_id"].tolist() == ["A1"]
    (tmp_path / "huyen_c.csv").write_text(DISTRICT_B.replace("B1,", "C1,"), "utf-8")
    monkeypatch.setattr(os, "cpu_count", lambda: 1)  # the pool ran above: read here this time
    with pytest.raises(batch.BatchInputError, match="01366"):  # one commune in two files
        batch.plan_jobs(tmp_path, None)
