"""Where outputs go and what they may hold (issue 13): paths from data, --out checks, a clean
commune end to end, workbooks of one commune, batch state that survives, charts no cell breaks."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from test_batch import fake_render, fake_screen

from vaxutils import batch
from vaxutils.batch import job as job_module
from vaxutils.batch.plan import NO_COMMUNE, REJECTED_ROWS_NAME
from vaxutils.io.paths import UnsafePath, check_out_dir, check_out_file, commune_code, inside
from vaxutils.passport import passport_worklist
from vaxutils.report import charts

HEADER = "STT,Mã đối tượng,Họ và tên,Ngày sinh,Giới tính,Số CCCD,Số điện thoại,Thôn,Mã xã,"
HEADER += "Mũi 1 - Tên vắc xin,Mũi 1 - Ngày tiêm,Mũi 1 - Cơ sở tiêm\n"
FACILITY = "Trạm Y tế xã Thượng Thôn"
CLEAN_ROWS = [
    f"1,A1,Trần Văn Bình,12/03/1985,Nam,004085012345,0912345678,Thôn 1,{{c}},AstraZeneca,02/08/2021,{FACILITY}",
    f"2,A2,Nguyễn Thị Hoa,05/06/1990,Nữ,004190012346,0912345679,Thôn 2,{{c}},Pfizer,02/09/2021,{FACILITY}",
    f"3,A3,Lê Văn Tám,20/01/1962,Nam,004062012347,0987654321,Thôn 1,{{c}},Moderna,12/10/2021,{FACILITY}",
]


def _main(*argv: object) -> tuple[int, str]:
    """``vaxutils ARGV`` as the console script runs it (messages, exit codes): (code, output)."""
    import contextlib
    import io
    import sys

    from vaxutils.cli import main

    out, old = io.StringIO(), sys.argv
    sys.argv = ["vaxutils", *map(str, argv)]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            main()
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    finally:
        sys.argv = old
    return 0, out.getvalue()


def _export(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8-sig")
    return path


# ---- paths built from data -------------------------------------------------------------


def test_commune_codes_and_paths_from_data(tmp_path):
    assert commune_code("01420") == "01420"
    for bad in ("../../x", "/etc", "1420", "０１４２０", "01420/..", "", None, 1420):
        with pytest.raises(UnsafePath, match="5 chữ số"):
            commune_code(bad)
    (tmp_path / "out").mkdir()
    os.symlink(tmp_path, tmp_path / "out" / "link")  # a link planted inside, pointing out
    for escape in ("../x", "/tmp/x", "link/x"):
        with pytest.raises(UnsafePath, match="ngoài thư mục kết quả"):
            inside(tmp_path / "out", escape)
    assert inside(tmp_path / "out", "01420", "report.html").parent.name == "01420"


def test_report_refuses_a_commune_code_that_is_not_five_digits(tmp_path):
    for bad in ("../../x", str(tmp_path / "abs"), "1420"):
        code, output = _main(
            "report", "--commune", bad, "--input", tmp_path, "--out", tmp_path / "o"
        )
        assert code == 2 and "5 chữ số" in output and "Traceback" not in output
    assert not (tmp_path / "o").exists() and not (tmp_path / "abs").exists()


# ---- --out checked before any work --------------------------------------------------------


def test_unusable_out_is_one_message_before_any_work(tmp_path):
    export = _export(tmp_path / "export.csv", [r.format(c="01420") for r in CLEAN_ROWS])
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    for out in (a_file, a_file / "sub", Path("/proc/vaxutils"), Path("/sys/x")):
        with pytest.raises(UnsafePath, match="--out"):
            check_out_dir(out)
        code, output = _main("screen", export, "--out", out)
        assert code == 2 and "--out" in output and "Traceback" not in output, output
    with pytest.raises(UnsafePath, match="thư mục"):
        check_out_file(tmp_path)  # review/police out want a file name
    with pytest.raises(UnsafePath, match=".xlsx"):
        check_out_file(tmp_path / "ra_soat.csv")
    assert check_out_file(tmp_path / "new" / "ra_soat.xlsx").name == "ra_soat.xlsx"
    assert check_out_dir(tmp_path / "new" / "deeper") and not (tmp_path / "new").exists()
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o555)
        with pytest.raises(UnsafePath, match="không ghi được"):
            check_out_dir(locked / "out")


# ---- a commune with nothing blocked ----------------------------------------------------------


def test_a_fully_clean_commune_through_passport(tmp_path):
    """Nothing blocked (the batch and report of a clean commune: tests/adversarial/test_batch_kill.py)."""
    export = _export(tmp_path / "export_01420.csv", [r.format(c="01420") for r in CLEAN_ROWS])
    screened = tmp_path / "screen"
    code, output = _main("screen", export, "--out", screened, "--export-date", "15/05/2022")
    assert code == 0, output
    records = pd.read_parquet(screened / "records.parquet")
    findings = pd.read_parquet(screened / "findings.parquet")
    doses = pd.read_parquet(screened / "doses.parquet")
    assert records["status"].eq("ok").all()
    worklist = passport_worklist(doses, records, findings, work_date=pd.Timestamp("2022-05-15"))
    assert len(worklist) == 3 and worklist["status"].eq("sẵn sàng ký").all()
    code, output = _main("passport", screened, "--out", tmp_path / "p")
    assert code == 0 and "Traceback" not in output, output
    back = pd.read_csv(tmp_path / "p" / "ky_ho_chieu_20220515.csv", dtype=str)
    assert back["status"].eq("sẵn sàng ký").all() and back["reason"].isna().all()


# ---- one commune's workbooks hold only its people -------------------------------------------


def test_a_communes_workbooks_hold_only_its_people(tmp_path, monkeypatch):
    import vaxutils.report.run

    monkeypatch.setattr(vaxutils.report.run, "render_report", fake_render)
    inputs = tmp_path / "in"
    inputs.mkdir()
    rows = [r.format(c="01420") for r in CLEAN_ROWS] + [
        f"4,B1,Đỗ Văn Khác,1970,Nam,004070012399,0912000111,Thôn 9,01423,Vero Cell,01/07/2021,{FACILITY}",
        f"5,C1,Hà Thị Trống,1971,Nữ,12345,0912000222,Thôn 1,,AstraZeneca,01/07/2021,{FACILITY}",
    ]
    _export(inputs / "export_01420.csv", rows)
    job = batch.plan_jobs(inputs, None)[0]
    job.validate = False
    row = batch.run_commune(job, tmp_path / "out")
    assert row["status"] == "ok", row.get("traceback")
    for name in (row["review_workbook"], row["passport_workbook"]):
        book = openpyxl.load_workbook(tmp_path / "out" / name)
        text = " ".join(
            str(c) for ws in book.worksheets for r in ws.iter_rows(values_only=True) for c in r
        )
        assert "Đỗ Văn Khác" not in text and "B1" not in text  # another commune's person
    review = openpyxl.load_workbook(tmp_path / "out" / row["review_workbook"])
    assert "Hà Thị Trống" in " ".join(  # a blank commune code stays: the file is the commune's
        str(c) for ws in review.worksheets for r in ws.iter_rows(values_only=True) for c in r
    )


# ---- rows with a blank or bad commune code in a shared export ---------------------------------


def test_rows_with_bad_commune_codes_are_reported_with_file_and_row(tmp_path, monkeypatch):
    monkeypatch.setattr(job_module, "_screen", fake_screen)
    import vaxutils.report.run

    monkeypatch.setattr(vaxutils.report.run, "render_report", fake_render)
    rows = [r.format(c="01420") for r in CLEAN_ROWS] + [
        f"{i},X{i},Người {i},1970,Nam,,,Thôn 1,{code},AstraZeneca,01/07/2021,{FACILITY}"
        for i, code in enumerate(["../../x", "", "/etc/y", "１２３４５"], start=10)
    ]
    shared = _export(tmp_path / "shared.csv", rows)
    jobs = batch.plan_jobs(shared, None)
    assert [j.commune_code for j in jobs] == [NO_COMMUNE, "01420"]
    problem = jobs[0].problem
    assert "shared.csv" in problem and "4 dòng" in problem
    assert "dòng 5 ('../../x')" in problem and "dòng 6 (trống)" in problem
    for job in jobs:
        job.validate = False
    result = batch.run_batch(jobs, tmp_path / "out", workers=1, overview=False, data_docs=False)
    assert result.exit_code == 1
    listed = pd.read_csv(tmp_path / "out" / REJECTED_ROWS_NAME, dtype=str)
    assert listed["source_row"].tolist() == ["5", "6", "7", "8"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_dir()) == ["01420"]
    assert not Path("/etc/y").exists()
    assert "mã xã trống hoặc sai" in result.index_html.read_text("utf-8")


# ---- batch state that survives a kill and other batches ---------------------------------------


def test_runs_and_index_list_every_commune_ever_finished(tmp_path, monkeypatch):
    monkeypatch.setattr(job_module, "_screen", fake_screen)
    monkeypatch.setattr(job_module, "_validate_findings", lambda findings, code: None)
    import vaxutils.report.run

    monkeypatch.setattr(vaxutils.report.run, "render_report", fake_render)
    inputs = tmp_path / "in"
    inputs.mkdir()
    for code in ("01420", "01423", "01426"):
        (inputs / f"export_{code}.csv").write_text(f"Mã xã\n{code}\n", "utf-8")
    out = tmp_path / "out"
    batch.run_batch(batch.plan_jobs(inputs, ["01420"]), out, workers=1, overview=False)
    # a batch killed after 01423 finished: its manifest is there, runs.csv never heard of it
    batch.run_commune(batch.plan_jobs(inputs, ["01423"])[0], out)
    runs_before = pd.read_csv(out / "runs.csv", dtype=str)
    assert runs_before["commune_code"].tolist() == ["01420"]
    third = batch.run_batch(batch.plan_jobs(inputs, ["01426"]), out, workers=1, overview=False)
    runs = pd.read_csv(out / "runs.csv", dtype=str)
    assert sorted(runs["commune_code"]) == ["01420", "01423", "01426"]
    index = third.index_html.read_text("utf-8")
    for code in ("01420", "01423", "01426"):
        assert index.count(f'href="{code}/report.html"') == 1
    assert "Chạy ở lần trước" in index
    # a commune folder that is not a commune is never listed; a broken manifest is skipped
    (out / "notes").mkdir()
    (out / "01429").mkdir()
    (out / "01429" / "manifest.json").write_text("{broken", "utf-8")
    assert [m["commune_code"] for m in batch.runner.finished_communes(out)] == [
        "01420",
        "01423",
        "01426",
    ]
    shutil.rmtree(out / "01429")


def test_workers_end_when_their_parent_is_gone(tmp_path):
    import subprocess
    import sys
    import time

    # a parent that starts a watched child and dies at once: the child must not outlive it
    script_path = tmp_path / "parent.py"
    script = (
        "import os, sys, time, multiprocessing as mp\n"
        "from vaxutils.batch.runner import watch_parent\n"
        "def child(ppid, path):\n"
        "    watch_parent(ppid, poll=0.05)\n"
        "    open(path, 'w').write(str(os.getpid()))\n"
        "    time.sleep(60)\n"
        "if __name__ == '__main__':\n"
        "    ctx = mp.get_context('spawn')\n"
        "    p = ctx.Process(target=child, args=(os.getpid(), sys.argv[1]))\n"
        "    p.start()\n"
        "    while not os.path.exists(sys.argv[1]): time.sleep(0.02)\n"
        "    os._exit(0)\n"
    )
    script_path.write_text(script, "utf-8")
    marker = tmp_path / "child.pid"
    subprocess.run([sys.executable, str(script_path), str(marker)], check=True, timeout=60)
    pid = int(marker.read_text())
    deadline = time.monotonic() + 10
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        status = Path(f"/proc/{pid}/status").read_text() if Path(f"/proc/{pid}").exists() else ""
        if "State:\tZ" in status:
            break
        time.sleep(0.05)
    status = Path(f"/proc/{pid}/status").read_text() if Path(f"/proc/{pid}").exists() else ""
    assert not status or "State:\tZ" in status, "the worker outlived its parent"


# ---- charts no cell can break ---------------------------------------------------------------


def test_charts_draw_any_label_and_a_failure_is_a_note():
    table = pd.DataFrame(
        {
            "village": pd.Series(
                ["$\\foo{x$", "<img src=//x>", "Thôn \ud800", "x" * 500, "a\x00b"], dtype=object
            ),
            "problem_rate": [1.0, 2.0, 3.0, 4.0, float("nan")],
        }
    )
    chart = charts.village_chart(table)
    assert chart._repr_png_().startswith(b"\x89PNG")
    assert repr(chart).startswith("Biểu đồ")
    broken = charts.village_chart(pd.DataFrame({"village": ["a"], "problem_rate": ["x"]}))
    assert repr(broken).startswith("Không vẽ được biểu đồ")
    drawn = charts.dose_sequence_chart(pd.DataFrame({"label": ["Mũi 1"], "n_persons": [3]}))
    drawn.figure.savefig = lambda *a, **k: (_ for _ in ()).throw(RuntimeError("no font"))
    assert drawn._repr_png_() is None and "Không vẽ được" in repr(drawn)
