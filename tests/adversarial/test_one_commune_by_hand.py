"""``review out`` and ``passport`` run by hand on a screen folder holding several communes (a
district's shared export screened without ``--commune``): each workbook holds one commune, as
its report does, or the command stops and asks for ``--commune`` (issue 13, item 8)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner
from workbook_helpers import workbook_text

from vaxutils.cli import app
from vaxutils.errors import VaxutilsError
from vaxutils.synth import ErrorRates, generate_commune
from vaxutils.synth.commune import _write_csv_with_titles
from vaxutils.synth.shapes import district_export

runner = CliRunner()
CODES = ("01420", "01432")
MINE = "01420"


@pytest.fixture(scope="module")
def screened(tmp_path_factory):
    """A district export of two communes screened as one folder: (folder, export frame, truth)."""
    communes = [generate_commune(code, n_persons=25, seed=7, rates=ErrorRates()) for code in CODES]
    frame, truth = district_export(communes, np.random.default_rng(3), n_unplaceable=0)
    root = tmp_path_factory.mktemp("mixed")
    path = root / "ds_huyen.csv"
    _write_csv_with_titles(path, frame, ["DANH SÁCH ĐỐI TƯỢNG ĐÃ TIÊM — HUYỆN"])
    out = root / "screen"
    result = runner.invoke(
        app,
        ["screen", str(path), "--out", str(out), "--export-date", "15/05/2022", "--no-contracts"],
    )
    assert result.exit_code in (0, 1), result.output
    records = pd.read_parquet(out / "records.parquet")
    assert set(records["commune_code"].dropna()) == set(CODES)  # the folder really mixes them
    return out, frame, truth


def _foreign(frame: pd.DataFrame, truth: pd.DataFrame) -> tuple[set[str], set[str]]:
    """Names and ID numbers of the other commune's people (as typed in the export)."""
    other = ~truth["commune_code"].eq(MINE).to_numpy()
    own_names = set(frame.loc[~other, "Họ và tên"].dropna().str.strip())
    names = {
        n.strip()
        for n in frame.loc[other, "Họ và tên"].dropna()
        if not any(n.strip() in mine for mine in own_names)
    }
    ids = {i for i in frame.loc[other, "Số CMND/CCCD"].dropna().astype(str) if len(i) >= 9}
    return names, ids


@pytest.mark.parametrize("command", ["review", "passport"])
def test_a_mixed_folder_asks_for_the_commune(screened, tmp_path, command):
    out, _, _ = screened
    args = (
        ["review", "out", str(out), "--out", str(tmp_path / "ra_soat.xlsx")]
        if command == "review"
        else ["passport", str(out), "--out", str(tmp_path / "ky")]
    )
    result = runner.invoke(app, args)
    # the CLI's entry point prints a VaxutilsError as its message and exits with 2
    assert isinstance(result.exception, VaxutilsError), result.output
    flat = " ".join(str(result.exception).split())
    assert "--commune" in flat and "2 xã" in flat and all(code in flat for code in CODES)
    assert not list(tmp_path.rglob("*.xlsx"))  # nothing written with both communes in it


def test_workbooks_of_one_commune_hold_nobody_of_the_other(screened, tmp_path):
    out, frame, truth = screened
    review = tmp_path / "ra_soat.xlsx"
    result = runner.invoke(
        app, ["review", "out", str(out), "--out", str(review), "--commune", MINE]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app,
        ["passport", str(out), "--out", str(tmp_path / "ky"), "--commune", MINE, "--no-contracts"],
    )
    assert result.exit_code == 0, result.output
    books = [review, *(tmp_path / "ky").glob("*.xlsx")]
    assert len(books) == 2
    names, ids = _foreign(frame, truth)
    assert names and ids
    for book in books:
        text = workbook_text(book)
        assert not [n for n in names if n in text], f"{book.name} names the other commune's people"
        assert not [i for i in ids if i in text], f"{book.name} has the other commune's IDs"
    listed = pd.read_csv(next((tmp_path / "ky").glob("ky_ho_chieu_*.csv")), dtype=str)
    records = pd.read_parquet(out / "records.parquet")
    theirs = set(records.loc[records["commune_code"] != MINE, "record_id"])
    assert listed["record_id"].notna().all() and not set(listed["record_id"]) & theirs
