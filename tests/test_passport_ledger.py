"""The signing ledger: what facilities signed leaves the next day's list; the backlog by age."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from typer.testing import CliRunner
from workbook_helpers import screen_dir, screened_commune

from vaxutils.cli import app
from vaxutils.passport import READY, ledger, passport_worklist

EXPORT_DATE = date(2022, 5, 15)


@pytest.fixture(scope="module")
def screened(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ledger")
    _, result = screened_commune(folder, "01420", 800, 21, EXPORT_DATE)
    return result


@pytest.fixture(scope="module")
def worklist(screened):
    return passport_worklist(
        screened.doses, screened.records, screened.findings, work_date=EXPORT_DATE
    )


def test_signed_column_of_the_returned_list(worklist, tmp_path):
    ready = worklist[worklist["status"] == READY].head(30).copy()
    ready["Đã ký"] = ["x", "", "16/05/2022", "Có", "chưa", "2022-05-17"] * 5
    path = tmp_path / "da_ky.csv"
    shown = ready.rename(
        columns={"record_id": "Mã đối tượng", "dose_number": "Mũi", "facility": "Cơ sở tiêm"}
    )
    shown.to_csv(path, index=False, encoding="utf-8-sig")
    signed, problems = ledger.read_signed(path, signed_on=date(2022, 5, 16))
    assert problems.empty, problems
    assert len(signed) == 20  # x, a date, Có, a date: 4 of every 6
    days = signed["signed_on"].dt.strftime("%Y-%m-%d").value_counts().to_dict()
    assert days == {"2022-05-16": 15, "2022-05-17": 5}
    assert signed["facility"].notna().all()


def test_plain_list_of_record_and_dose_means_all_signed(tmp_path):
    path = tmp_path / "ky.csv"
    path.write_text(
        "DANH SÁCH ĐÃ KÝ\nMã đối tượng,Mũi\nA1,1\nA1,Mũi 2\nB7,3\n,\n", encoding="utf-8"
    )
    signed, problems = ledger.read_signed(path, signed_on=date(2022, 5, 16), facility="TYT xã")
    assert problems.empty
    assert signed[["record_id", "dose_number"]].values.tolist() == [["A1", 1], ["A1", 2], ["B7", 3]]
    assert (signed["facility"] == "TYT xã").all()


def test_bad_rows_are_named_not_recorded(tmp_path):
    path = tmp_path / "ky.csv"
    path.write_text(
        "Mã đối tượng,Mũi,Đã ký\nA1,1,x\n,2,x\nA2,hai,x\nA3,1,có lẽ\nA4,1,\n", encoding="utf-8"
    )
    signed, problems = ledger.read_signed(path, signed_on=date(2022, 5, 16))
    assert signed["record_id"].tolist() == ["A1"]
    assert problems["row"].tolist() == [3, 4, 5]
    assert set(problems["column"]) == {"Mã đối tượng", "Mũi", "Đã ký"}
    assert problems["message"].str.len().gt(10).all()


def test_a_file_without_the_columns_says_what_to_send(tmp_path):
    path = tmp_path / "sai.csv"
    path.write_text("Họ và tên,Ngày sinh\nA,1990\n", encoding="utf-8")
    with pytest.raises(ledger.SignedListError, match="Mã đối tượng.*Mũi"):
        ledger.read_signed(path)


def test_signed_doses_leave_the_list_and_the_backlog_counts_ages(worklist):
    ready = worklist[worklist["status"] == READY]
    signed = ready.head(50)[["record_id", "dose_number"]].assign(
        signed_on=pd.Timestamp("2022-05-15"), facility=pd.NA, source="test"
    )
    book = ledger.record_signed(ledger.empty_ledger(), signed)
    # signing the same doses again later keeps the first signing
    book = ledger.record_signed(book, signed.assign(signed_on=pd.Timestamp("2022-05-20")))
    assert len(book) == 50 and (book["signed_on"] == pd.Timestamp("2022-05-15")).all()
    left = ledger.leave_out_signed(worklist, book)
    assert len(left) == len(worklist) - 50
    gone = left.merge(signed[["record_id", "dose_number"]], on=["record_id", "dose_number"])
    assert gone.empty
    backlog = ledger.backlog_table(worklist, book, EXPORT_DATE)
    waiting = backlog.filter(like="chưa ký").to_numpy().sum()
    assert waiting == len(ready) - 50
    assert backlog["bị chặn"].sum() == (worklist["status"] != READY).sum()
    assert backlog.filter(like="đã ký").to_numpy().sum() == 50
    # ages: doses given on the work day are within a day, old ones are older
    today = ready[ready["dose_date"] >= pd.Timestamp(EXPORT_DATE) - pd.Timedelta(days=1)]
    fresh = backlog["chưa ký ≤ 1 ngày"].sum()
    assert fresh == len(today.merge(left, on=["record_id", "dose_number"]))


def test_cli_round_trip(screened, tmp_path):
    folder = screen_dir(
        tmp_path / "screen",
        records=screened.records,
        findings=screened.findings,
        doses=screened.doses,
    )
    out = tmp_path / "pp"
    runner = CliRunner()
    first = runner.invoke(
        app, ["passport", str(folder), "--out", str(out), "--date", "15/05/2022", "--payloads",
              "--no-contracts"],
    )  # fmt: skip
    assert first.exit_code == 0, first.output
    day_list = pd.read_parquet(out / "ky_ho_chieu_20220515.parquet")
    files = list((out / "chung_nhan" / "20220515").glob("*.jsonl"))
    lines = [json.loads(x) for f in files for x in f.read_text("utf-8").splitlines()]
    assert len(lines) == (day_list["status"] == READY).sum()
    assert (out / "ton_dong_20220515.csv").is_file()

    # a facility returns its list with the signed column
    facility = day_list.loc[day_list["status"] == READY, "facility"].value_counts().index[0]
    theirs = day_list[(day_list["facility"] == facility) & (day_list["status"] == READY)].copy()
    theirs["Đã ký"] = "x"
    returned = tmp_path / "tra_ve.csv"
    theirs.rename(columns={"record_id": "Mã đối tượng", "dose_number": "Mũi"}).to_csv(
        returned, index=False
    )
    signed = runner.invoke(
        app, ["passport", "signed", str(returned), "--out", str(out), "--date", "15/05/2022"]
    )
    assert signed.exit_code == 0, signed.output
    assert "sổ ký" in signed.output

    second = runner.invoke(
        app, ["passport", str(folder), "--out", str(out), "--date", "16/05/2022", "--no-contracts"]
    )
    assert second.exit_code == 0, second.output
    next_day = pd.read_parquet(out / "ky_ho_chieu_20220516.parquet")
    again = next_day.merge(theirs[["record_id", "dose_number"]], on=["record_id", "dose_number"])
    assert again.empty
    assert len(next_day) == len(day_list) - len(theirs)
    backlog = pd.read_csv(out / "ton_dong_20220516.csv")
    assert backlog.loc[
        backlog["facility"] == facility, "đã ký ≤ 1 ngày":"đã ký > 7 ngày"
    ].to_numpy().sum() == len(theirs)

    # a dose no list ever held is refused, and the command says so
    stray = tmp_path / "la.csv"
    stray.write_text("Mã đối tượng,Mũi\nKHONG-CO,1\n", encoding="utf-8")
    refused = runner.invoke(app, ["passport", "signed", str(stray), "--out", str(out)])
    assert refused.exit_code == 1 and "Đã ghi 0 mũi" in refused.output
    assert "KHONG-CO" in refused.output
    assert len(ledger.read_ledger(out)) == len(theirs)
