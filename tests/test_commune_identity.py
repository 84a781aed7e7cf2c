"""Commune identity from names: a district file in, each commune's people out, nobody else's.

Files come from the generator (``vaxutils.synth.shapes.district_export``): several communes in
one file that names commune, district and province the ways people type them, with no code.
"""

from __future__ import annotations

import json
import re
import unicodedata

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner
from workbook_helpers import workbook_text

from vaxutils import io, refdata
from vaxutils.cli import app
from vaxutils.refdata.identity import name_keys, resolve_communes
from vaxutils.synth import ErrorRates, generate_commune
from vaxutils.synth.commune import _write_csv_with_titles
from vaxutils.synth.shapes import district_export
from vaxutils.text.names import normalize_series

runner = CliRunner()
# Two communes of one district, and one of another province with the same kind of names.
CODES = ("01420", "01432", "00004")


@pytest.fixture(scope="module")
def district_file(tmp_path_factory):
    communes = [generate_commune(code, n_persons=25, seed=5, rates=ErrorRates()) for code in CODES]
    frame, truth = district_export(communes, np.random.default_rng(11), n_unplaceable=4)
    path = tmp_path_factory.mktemp("district") / "ds_huyen.csv"
    _write_csv_with_titles(path, frame, ["DANH SÁCH ĐỐI TƯỢNG ĐÃ TIÊM — HUYỆN"])
    return path, frame, truth


def test_every_spelling_of_a_commune_resolves_to_it_and_nothing_is_guessed(district_file):
    path, _, truth = district_file
    placed = io.place_communes(io.read_export(path))
    got = placed.records.set_index("record_id")["commune_code"]
    real = truth.set_index("record_id")
    # never wrong: a placed record is in its own commune
    assert (got == real.loc[got.index, "commune_code"]).all()
    # the unplaceable rows (blank names, a commune that does not exist) are left out and listed
    lost = set(real.index[~real["placeable"]])
    assert lost <= set(placed.unplaced["record_id"])
    assert not lost & set(got.index)
    listed = placed.unplaced.set_index("record_id")
    assert listed["status"].isin(["unresolved", "ambiguous"]).all()
    assert listed["source_row"].notna().all() and listed["file"].str.endswith("ds_huyen.csv").all()
    # everything a person can tell apart is placed (ASCII "X. Thuong Thon" included)
    assert len(got) + len(placed.unplaced) == len(truth)
    assert len(placed.unplaced) == len(lost)
    identity = placed.source["commune_identity"]
    assert identity["left_out"] == len(lost) and identity["by_names"] == len(got)


def test_ambiguous_names_are_listed_with_their_candidates():
    out = resolve_communes(
        pd.Series(["Phường 14", "Phường 14", "Xã Thượng Thôn"]),
        pd.Series([None, "Quận 3", None]),
        pd.Series(["TP. Hồ Chí Minh", "tp hcm", None]),
    )
    assert out["status"].tolist() == ["ambiguous", "names", "names"]
    assert out.loc[1, "commune_code"] == "27127" and out.loc[2, "commune_code"] == "01420"
    assert "Quận Gò Vấp" in out.loc[0, "candidates"] and pd.isna(out.loc[0, "commune_code"])


def test_a_code_column_wins_and_a_bad_code_falls_back_to_the_names():
    out = resolve_communes(
        pd.Series(["Xã Thượng Thôn", "Xã Thượng Thôn", None]),
        pd.Series(["Hà Quảng"] * 3),
        pd.Series(["Cao Bằng"] * 3),
        code=pd.Series(["1432", "99999", "abc"]),
    )
    assert out["commune_code"].tolist()[:2] == ["01432", "01420"]
    assert out["status"].tolist() == ["code", "names", "unresolved"]


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(range(0, 10598, 97)), st.integers(0, 5))
def test_any_official_commune_resolves_from_its_names_as_typed(i, style):
    row = refdata.communes().iloc[i]
    commune, district, province = row["name"], row["district_name"], row["province_name"]
    typed = [
        lambda t: t,
        str.upper,
        str.lower,
        lambda t: unicodedata.normalize("NFD", t),
        lambda t: "  ".join(t.split()),
        lambda t: re.sub(r"^(Xã|Phường|Thị trấn|Huyện|Quận|Thị xã|Thành phố|Tỉnh) ", "", t),
    ][style]
    out = resolve_communes(
        pd.Series([typed(commune)]), pd.Series([typed(district)]), pd.Series([typed(province)])
    )
    # the full official names always identify the commune; a typed form never names another one
    assert out.loc[0, "commune_code"] in (row["commune_code"], None) or pd.isna(
        out.loc[0, "commune_code"]
    )
    if style in (0, 1, 2, 3, 4):
        assert out.loc[0, "commune_code"] == row["commune_code"]


def test_tone_placement_and_prefixes_fold_to_one_key():
    assert name_keys("Xã Hòa An", "commune")[0] & name_keys("hoà an", "commune")[0]
    assert not name_keys("Xà Phìn", "commune")[0] & name_keys("Phìn", "commune")[0]


def test_report_and_workbooks_from_a_mixed_file_hold_nobody_of_another_commune(
    district_file, tmp_path
):
    path, frame, truth = district_file
    mine = "01420"
    imported = tmp_path / "s5" / "ket_qua_nhap.json"  # what 'vaxutils platform results' wrote
    io.write_json(imported, {"imported": 12, "failed": 3, "no_result": 0, "unmatched": 1,
                             "failure_reasons": {"Mã cơ sở KCB không tồn tại": 3}})  # fmt: skip
    args = ["report", "--commune", mine, "--input", str(path), "--out", str(tmp_path)]
    result = runner.invoke(
        app,
        [*args, "--export-date", "15/05/2022", "--no-mask", "--platform-results", str(imported)],
    )
    assert result.exit_code == 0, result.output
    folder = tmp_path / mine
    texts = {"report.html": (folder / "report.html").read_text("utf-8")}
    for book in folder.glob("*.xlsx"):
        texts[book.name] = workbook_text(book)
    assert any(name.startswith("ra_soat_") for name in texts)
    # the platform's import results are counted in the commune report
    assert "Kết quả nhập lên nền tảng" in texts["report.html"]
    assert "Mã cơ sở KCB không tồn tại" in texts["report.html"]
    # names as screening writes them (a damaged "BẾ  VĂN PẢO" of this commune is "Bế Văn Pảo")
    names = normalize_series(frame["Họ và tên"]).set_axis(truth["record_id"].to_numpy())
    ids = frame.set_index(truth["record_id"].to_numpy())["Số CMND/CCCD"].dropna().astype(str)
    own = truth["commune_code"].eq(mine) & truth["placeable"]
    own_names = set(names[own.to_numpy()])
    others = truth.loc[~own.to_numpy(), "record_id"]
    foreign_names = {
        n
        for n in names[others]
        if isinstance(n, str)
        and not any(n in mine_ for mine_ in own_names if isinstance(mine_, str))
    }
    foreign_ids = {i for i in ids.reindex(others).dropna() if len(i) >= 9}
    assert foreign_names and foreign_ids
    for name, text in texts.items():
        assert not [n for n in foreign_names if n in text], f"{name} names another commune's people"
        assert not [i for i in foreign_ids if i in text], f"{name} has another commune's IDs"
    screened = pd.read_parquet(folder / "screen" / "records.parquet")
    assert set(screened["commune_code"]) == {mine}
    assert set(screened["record_id"]) == set(truth.loc[own.to_numpy(), "record_id"])


def test_batch_splits_a_named_file_and_lists_what_it_cannot_place(district_file, tmp_path):
    path, _, truth = district_file
    from vaxutils import batch

    jobs = batch.plan_jobs(path, None)
    # the rows no commune can take are one failed entry that names them (issue 13), never a folder
    rejected = [j for j in jobs if j.commune_code == batch.plan.NO_COMMUNE]
    jobs = [j for j in jobs if j.commune_code != batch.plan.NO_COMMUNE]
    assert {j.commune_code for j in jobs} == set(CODES)
    for job in jobs:
        codes = set(job.export.records["commune_code"])
        assert codes == {job.commune_code}
        assert set(job.export.doses["record_id"]) <= set(job.export.records["record_id"])
    assert len(jobs[0].export.unplaced) == int((~truth["placeable"]).sum())
    assert len(rejected) == 1 and len(rejected[0].rejected_rows) == int((~truth["placeable"]).sum())
    assert rejected[0].problem and path.name in rejected[0].problem


def test_screen_keeps_one_commune_and_counts_the_rest(district_file, tmp_path):
    path, _, truth = district_file
    out = tmp_path / "scr"
    result = runner.invoke(
        app, ["screen", str(path), "--out", str(out), "--commune", "1432", "--no-contracts"]
    )
    assert result.exit_code == 0, result.output
    records = pd.read_parquet(out / "records.parquet")
    assert set(records["commune_code"]) == {"01432"}
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["commune_identity"]["left_out"] == int((~truth["placeable"]).sum())
    assert summary["commune_identity"]["commune"] == "01432"
    unplaced = pd.read_csv(out / "chua_xac_dinh_xa.csv", dtype=str)
    assert {"file", "source_row", "commune", "district", "province", "candidates"} <= set(unplaced)
    bad = runner.invoke(app, ["screen", str(path), "--out", str(out), "--commune", "14x"])
    assert bad.exit_code != 0 and "Mã xã '14x' không hợp lệ" in str(bad.exception)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(
                st.none(), st.text(max_size=40), st.sampled_from(["Xã", "X.", "Phường 1", "\ud800"])
            ),
            st.one_of(st.none(), st.text(max_size=20), st.integers()),
            st.one_of(st.none(), st.text(max_size=20), st.floats()),
            st.one_of(st.none(), st.text(max_size=8), st.integers(-5, 99999)),
        ),
        max_size=6,
    )
)
def test_junk_names_never_raise_and_never_place_a_row_without_a_match(rows):
    frame = pd.DataFrame(rows, columns=["c", "d", "p", "code"], dtype=object)
    out = resolve_communes(frame["c"], frame["d"], frame["p"], code=frame["code"])
    assert list(out.index) == list(frame.index)
    assert out["status"].isin(["code", "names", "ambiguous", "unresolved"]).all()
    placed = out["commune_code"].dropna()
    assert placed.str.fullmatch(r"\d{5}").all()
    assert out.loc[out["status"].isin(["ambiguous", "unresolved"]), "commune_code"].isna().all()


def test_a_communes_own_file_may_name_it_without_its_district(tmp_path):
    # "Phường Đề Thám" alone is Cao Bằng's 01282, Thái Bình's 12439 (and Lạng Sơn has a "Xã Đề
    # Thám"): in export_01282 it is 01282's, as the file says; a shared file cannot tell, and a
    # name that fits only another commune stays out of the commune's file
    commune = generate_commune("01282", n_persons=30, seed=5, rates=ErrorRates())
    frame, _ = district_export([commune], np.random.default_rng(11), n_unplaceable=0)
    frame = frame.drop(columns=["Quận/Huyện", "Tỉnh/Thành phố"])
    frame.loc[frame.index[-1], "Xã/Phường/Thị trấn"] = "Xã Quý Quân"  # Cao Bằng's 01432 only
    title = ["DANH SÁCH ĐỐI TƯỢNG ĐÃ TIÊM", "Phường Đề Thám, Thành phố Cao Bằng, Cao Bằng"]
    own = tmp_path / "export_01282.csv"
    shared = tmp_path / "ds_phuong.csv"
    for path in (own, shared):
        _write_csv_with_titles(path, frame, title)
    mine = frame["Mã đối tượng"].iloc[:-1]

    out = tmp_path / "own"
    run = runner.invoke(app, ["screen", str(own), "--out", str(out), "--commune", "01282"])
    assert run.exit_code == 0, run.output
    records = pd.read_parquet(out / "records.parquet")
    assert set(records["record_id"]) == set(mine) and set(records["commune_code"]) == {"01282"}
    assert (
        json.loads((out / "summary.json").read_text("utf-8"))["commune_identity"]["left_out"] == 0
    )

    from vaxutils import batch

    (job,) = batch.plan_jobs(tmp_path, ["01282"])
    assert job.input_path == own
    placed = io.keep_commune(io.read_export(own), "01282", own_file=True)
    assert set(placed.records["record_id"]) == set(mine)

    kept = io.keep_commune(io.read_export(shared), "01282")
    assert kept.records.empty and len(kept.unplaced) == len(mine)
    assert kept.unplaced["candidates"].str.contains("01282 Phường Đề Thám").all()
