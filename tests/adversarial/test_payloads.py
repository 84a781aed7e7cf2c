"""Every payload class through every command that writes files (issue 13).

One small commune whose cells carry what an attacker or an unlucky user puts in a spreadsheet —
formula prefixes (also behind CR and tab), path traversal and absolute paths (in the commune code
too), HTML and script, mathtext, full-width digits, ID and phone numbers typed inside names and
villages, NUL and control characters, bytes that are not UTF-8, huge cells — goes through
screen, review out/in, police out/in, platform, verify, passport, report and batch, as a person
would run them (the returned workbooks are filled with payloads too). Then:

* 0 tracebacks (every command ends with exit 0, 1 or 2 and a message);
* 0 files outside the output folders;
* 0 formula cells in any xlsx, 0 formula-like fields in any CSV read back;
* 0 unmasked ID or phone numbers in any HTML;
* the raw inputs byte-identical.

The run is shared by the tests of this module (two notebooks run: one report, one batch commune).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import html
import io
import re
import sys
import unicodedata
import uuid
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from vaxutils.cli import main
from vaxutils.io.writers import formula_like

CODE = "01420"
EVIL_ABS = f"/tmp/vaxutils-evil-{uuid.uuid4().hex[:8]}"
FORMULAS = ["=1+1", "\r=2+2", "\t=3+3", "@SUM(A1)", "+cmd|' /C calc'!A0", "-2+3+cmd|x", " =4+4"]
PAYLOAD_NAMES = [
    *(f"{p} Nguyễn Văn An" for p in FORMULAS[:2]),
    '=HYPERLINK("http://evil.example","bấm")',
    "<script>alert(1)</script> Lê Thị Hoa",
    "<img src=//evil.example/x.png> Trần Văn Bình",
    "Phạm $\\foo{x$ Văn Cường",
    "Đỗ Thị ０９１２３４５６７８",
    "Nguyễn Văn Nam 004095012345",
    "Hoàng Văn Dũng 0912 345 678",
    "Vũ Thị\x00 Mai",
    "Bùi Văn " + "Rất Dài " * 5000,
]
PAYLOAD_VILLAGES = [
    "../../x",
    EVIL_ABS,
    "$\\foo{x$",
    "<img src=//evil.example/v.png>",
    "Thôn 0912345678",
    "\r=2+2",
    "Thôn ０１２３４５６７８９０１",
    "Thôn 1",
    "Thôn 2",
    "Thôn 1",
    "Thôn 2",
]
HEADER = [
    "STT",
    "Mã đối tượng",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Số CMND/CCCD",
    "Số điện thoại",
    "Thôn/Ấp",
    "Mã xã",
    "Mũi 1 - Tên vắc xin",
    "Mũi 1 - Ngày tiêm",
    "Mũi 1 - Số lô",
    "Mũi 1 - Cơ sở tiêm",
    "Mũi 2 - Tên vắc xin",
    "Mũi 2 - Ngày tiêm",
    "Mũi 2 - Số lô",
    "Mũi 2 - Cơ sở tiêm",
]
CLEAN = [
    ("Trần Văn Bình", "12/03/1985", "Nam", "004085012345", "0912345678"),
    ("Nguyễn Thị Hoa", "05/06/1990", "Nữ", "004190012346", "0912345679"),
    ("Lê Văn Tám", "1962", "Nam", "004062012347", "0987654321"),
    ("Phạm Thị Lan", "01/01/1975", "Nữ", "", "0977123456"),
    ("Hoàng Văn Hải", "20/10/2001", "Nam", "4201012348", ""),
]
FACILITY = "Trạm Y tế xã Thượng Thôn"


def _rows() -> list[list[str]]:
    rows = []
    people = [
        (n, "15/04/1990", "Nữ", f"00419001{i:04d}" if i % 4 else "", f"09770{i:05d}")
        for i, n in enumerate(PAYLOAD_NAMES)
    ] + CLEAN
    for i, (name, dob, sex, id_number, phone) in enumerate(people, start=1):
        village = PAYLOAD_VILLAGES[i % len(PAYLOAD_VILLAGES)]
        lot = FORMULAS[i % len(FORMULAS)] if i % 3 == 0 else "AB1234"
        rows.append(
            [str(i), f"DT{i:06d}", name, dob, sex, id_number, phone, village, CODE,
             "AstraZeneca", "02/08/2021", lot, FACILITY if i % 4 else "<b>=1+1</b>",
             "Pfizer" if i % 2 else "$\\foo{x$", "15/10/2021", "FK" + str(i), FACILITY]
        )  # fmt: skip
    return rows


def _write_export(path: Path, extra_rows: list[list[str]] = ()) -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
        writer.writerow(["DANH SÁCH ĐỐI TƯỢNG TIÊM CHỦNG COVID-19"])
        writer.writerow(HEADER)
        writer.writerows(_rows())
        writer.writerows(extra_rows)
    return path


def _shared_export(path: Path) -> Path:
    """The commune's rows plus rows whose commune code is a payload (or blank)."""
    bad = []
    for j, code in enumerate(["../../x", EVIL_ABS, "", "０１４２０", "\r=1+1", "01420/../../y"]):
        row = ["90", f"BAD{j}", f"Người Mã Sai {j}", "1980", "Nam", "", "", "Thôn 1", code,
               "AstraZeneca", "02/08/2021", "A1", FACILITY, "", "", "", ""]  # fmt: skip
        bad.append(row)
    return _write_export(path, bad)


def _fill(path: Path, out: Path, header_first: str, values: dict[str, str]) -> Path:
    """Fill every row of the list sheets with ``values`` (by column label), as a person would."""
    book = openpyxl.load_workbook(path)
    for ws in book.worksheets:
        header = next((r for r in range(1, 10) if ws.cell(r, 1).value == header_first), None)
        if header is None:
            continue
        column = {ws.cell(header, c).value: c for c in range(1, ws.max_column + 1)}
        for r in range(header + 1, ws.max_row + 1):
            for label, value in values.items():
                if label in column:
                    ws.cell(r, column[label], value)
    book.save(out)
    return out


def _run(argv: list[str]) -> tuple[int, str]:
    """One CLI call in this process, as ``vaxutils ...`` runs it: (exit code, output)."""
    out = io.StringIO()
    old = sys.argv
    sys.argv = ["vaxutils", *argv]
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = old
    return code, out.getvalue()


def _tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("payloads")
    work = root / "a" / "b" / "c"  # deep, so '../../x' from an output folder stays under root
    inputs = work / "in"
    inputs.mkdir(parents=True)
    export = _write_export(inputs / "export.csv")
    shared = _shared_export(inputs / "shared.csv")
    raw_before = _tree(inputs)
    outs = work / "out"
    calls: dict[str, tuple[int, str]] = {}

    def call(name: str, *argv: str) -> None:
        try:
            calls[name] = _run([str(a) for a in argv])
        except BaseException as exc:  # noqa: BLE001 — a traceback is what this test looks for
            calls[name] = (-1, f"TRACEBACK {type(exc).__name__}: {exc}")

    day = ["--export-date", "15/05/2022"]
    screened = outs / "screen"
    call("screen", "screen", export, "--out", screened, *day, "--no-contracts")
    call("review out", "review", "out", screened, "--out", outs / "ra_soat.xlsx",
         "--commune", "=1+1 <b>Xã</b>")  # fmt: skip
    review_back = _fill(
        outs / "ra_soat.xlsx",
        inputs / "da_ra_soat.xlsx",
        "Mã đối tượng",
        {
            "Kết luận của tổ": "Sửa",
            "Họ và tên đúng": '\r=HYPERLINK("//evil") Lê Văn ０９１２３４５６７８',
            "Số CMND/CCCD đúng": "=004095012345",
            "Ghi chú": "\t=cmd|' /C calc'!A0 <script>x</script> $\\foo{x$",
            "Người rà soát": "@SUM(A1)",
        },
    )
    raw_before.update({"da_ra_soat.xlsx": _tree(inputs)["da_ra_soat.xlsx"]})
    call("review in", "review", "in", review_back, "--screened", screened,
         "--out", outs / "review", "--allow-undecided", "--no-contracts")  # fmt: skip
    call("police out", "police", "out", screened, "--out", outs / "doi_chieu.xlsx",
         "--review", outs / "review")  # fmt: skip
    police_back = _fill(
        outs / "doi_chieu.xlsx",
        inputs / "da_ky.xlsx",
        "Mã đối tượng",
        {
            "Đã đối chiếu CSDL dân cư": "Có",
            "Số định danh cá nhân (12 số)": "004195012345",
            "Họ và tên theo CSDL": "+Lê Thị \r=1+1",
            "Ghi chú": "-2+3+cmd|x ../../x",
            "Cán bộ đối chiếu": '=HYPERLINK("//evil")',
        },
    )
    raw_before.update({"da_ky.xlsx": _tree(inputs)["da_ky.xlsx"]})
    call("police in", "police", "in", police_back, "--screened", screened,
         "--out", outs / "police", "--review", outs / "review", "--no-contracts")  # fmt: skip
    call("platform", "platform", screened, "--out", outs / "platform",
         "--review", outs / "review", "--police", outs / "police", "--no-contracts",
         "--partial")  # fmt: skip
    call("verify", "verify", export, "--previous", screened, "--out", outs / "verify", *day)
    call("passport", "passport", screened, "--out", outs / "passport", "--no-contracts")
    call("report", "report", "--commune", CODE, "--input", screened, "--out", outs / "report")
    call("report bad code", "report", "--commune", "../../x", "--input", export,
         "--out", outs / "report")  # fmt: skip
    call("batch", "batch", "--input", shared, "--out", outs / "batch", "--workers", "1",
         "--no-overview", *day)  # fmt: skip
    return {
        "root": root,
        "work": work,
        "inputs": inputs,
        "outs": outs,
        "raw_before": raw_before,
        "calls": calls,
    }


def test_no_traceback_and_a_known_exit_code(run):
    for name, (code, output) in run["calls"].items():
        assert code in (0, 1, 2), f"{name}: exit {code}\n{output[-2000:]}"
        assert "Traceback" not in output, f"{name}:\n{output[-2000:]}"
    # the steps themselves work on hostile data (1: a list goes back to its team, by design)
    for name in ("screen", "review out", "police out", "platform", "verify", "report"):
        assert run["calls"][name][0] == 0, run["calls"][name][1][-2000:]
    assert run["calls"]["report bad code"][0] == 2
    assert "5 chữ số" in run["calls"]["report bad code"][1]


def test_no_file_outside_the_output_folders(run):
    outside = [
        p
        for p in run["root"].rglob("*")
        if p.is_file() and run["outs"] not in p.parents and run["inputs"] not in p.parents
    ]
    assert outside == []
    assert not Path(EVIL_ABS).exists()
    assert set(_tree(run["inputs"])) == set(run["raw_before"])  # nothing written among inputs


def test_raw_inputs_are_byte_identical(run):
    assert _tree(run["inputs"]) == run["raw_before"]


def _written(run, suffix: str) -> list[Path]:
    found = sorted(p for p in run["outs"].rglob(f"*{suffix}") if p.is_file())
    return [p for p in found if "evidence" not in p.parts]  # evidence: the signed file as given


def test_no_formula_in_any_xlsx_we_wrote(run):
    books = _written(run, ".xlsx")
    assert len(books) >= 6  # review, police, platform (2), passport, batch (review + passport)
    for path in books:
        for ws in openpyxl.load_workbook(path).worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{path.name}!{cell.coordinate}: {cell.value!r}"
                    if isinstance(cell.value, str) and formula_like(pd.Series([cell.value]))[0]:
                        assert cell.quotePrefix, f"{path.name}!{cell.coordinate}"


def test_no_formula_in_any_csv_read_back(run):
    tables = _written(run, ".csv")
    names = {p.name for p in tables}
    assert {"findings.csv", "review.csv", "changes.csv", "review_problems.csv", "verify.csv",
            "police_verified.csv", "nhap_nen_tang.csv", "sua_truc_tiep.csv", "runs.csv",
            "dong_ma_xa_sai.csv"} <= names  # fmt: skip
    assert any(n.startswith("ky_ho_chieu_") for n in names)
    for path in tables:
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        width = len(rows[0])
        for number, row in enumerate(rows, start=1):
            assert len(row) == width, f"{path.name} row {number} split: {row!r}"
            risky = formula_like(pd.Series(row, dtype=object))
            assert not risky.any(), (
                f"{path.name} row {number}: {[c for c, r in zip(row, risky, strict=True) if r]}"
            )
    # the values a person sees are kept: the hostile name is there, behind its apostrophe
    findings = pd.read_csv(run["outs"] / "screen" / "findings.csv", dtype=str)
    assert (findings["value"] == "'\r=2+2 Nguyễn Văn An").any()


_DATA_URI = re.compile(r"data:[a-z/+]+;base64,[A-Za-z0-9+/=]+")
_TAG = re.compile(r"<[^>]*>")
# A person's number: 9-12 digits in one run, or grouped with one separator repeated (0912 345
# 678). Not a decimal (1796601920.128758: a time stamp in Data Docs), not a date-time (its
# separators differ), not glued to letters (20261207T000520), not a record code (01366-000071).
_RUN = re.compile(r"(?<![0-9A-Za-z.])[0-9]{9,12}(?![0-9A-Za-z]|\.[0-9])")
_GROUPED = re.compile(
    r"(?<![0-9A-Za-z])[0-9]{2,4}([ .\-])[0-9]{2,4}(?:\1[0-9]{2,4}){1,4}(?![0-9A-Za-z])"
)


def _numbers(text: str) -> list[str]:
    grouped = [m.group(0) for m in _GROUPED.finditer(text)]
    return [m.group(0) for m in _RUN.finditer(text)] + [
        g for g in grouped if 9 <= sum(c.isdigit() for c in g) <= 12
    ]


def test_no_unmasked_number_in_any_html(run):
    pages = _written(run, ".html")
    assert {p.name for p in pages} >= {"report.html", "index.html"}
    assert len([p for p in pages if p.name == "report.html"]) == 2  # report + batch commune
    for path in pages:
        text = _DATA_URI.sub("", path.read_text("utf-8"))
        text = unicodedata.normalize("NFKC", html.unescape(_TAG.sub(" ", text)))
        found = _numbers(text)
        assert found == [], f"{path.relative_to(run['outs'])}: {found[:5]}"
    # the detector itself sees what it must
    assert _numbers(
        "Lê 0912 345 678, 004095012345; 2022-05-15 10:00 01366-000071 1796601920.1"
    ) == [
        "004095012345",
        "0912 345 678",
    ]


def test_hostile_text_is_shown_as_text(run):
    page = (run["outs"] / "report" / CODE / "report.html").read_text("utf-8").lower()
    assert "<script" not in page and "&lt;script&gt;alert(1)" in page
    assert "<img src=//evil" not in page and "&lt;img src=//evil" in page
    assert "$\\foo{x$" in page  # the mathtext village is shown as typed
    index = (run["outs"] / "batch" / "index.html").read_text("utf-8")
    assert f"{CODE}/report.html" in index


def test_rows_with_a_bad_commune_code_are_reported_not_dropped(run):
    code, output = run["calls"]["batch"]
    assert code == 1  # the batch says something needs fixing
    assert "shared.csv" in output and "mã xã" in output
    rejected = pd.read_csv(run["outs"] / "batch" / "dong_ma_xa_sai.csv", dtype=str)
    assert len(rejected) == 6 and set(rejected["file"]) == {"shared.csv"}
    assert rejected["source_row"].notna().all()
    index = (run["outs"] / "batch" / "index.html").read_text("utf-8")
    assert "dòng" in index and "mã xã trống hoặc sai" in index
    # no folder was made from them
    made = {p.name for p in (run["outs"] / "batch").iterdir() if p.is_dir()}
    assert made == {CODE, "data_docs"}
