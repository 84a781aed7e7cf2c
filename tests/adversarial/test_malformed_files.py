"""Every malformed or hostile file of the generated corpus goes through ``vaxutils screen``:
exit code 0/1/2 with a message, never a traceback; nothing written outside ``--out``; the input
bytes unchanged; and the messages say what the file really is (issue 13, items 4, 6 and 11)."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import json
import os
import re
import sys
from pathlib import Path

import pandas as pd
import pytest

from vaxutils.cli import main

# Loaded by path: this folder is shared with other suites and is not a package.
_spec = importlib.util.spec_from_file_location(
    "malformed_corpus", Path(__file__).with_name("malformed_corpus.py")
)
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)
LOW_LIMITS, LOWERED, build_corpus = corpus.LOW_LIMITS, corpus.LOWERED, corpus.build_corpus

# What the message (or the run) must say, by file: the words that tell the user what happened.
EXPECTED = {
    "cut_10pct.xlsx": "cắt cụt",
    "cut_50pct.xlsx": "cắt cụt",
    "cut_90pct.xlsx": "cắt cụt",
    "cut_one_byte_short.xlsx": "hỏng",
    "cut_50pct.parquet": "Parquet không trọn vẹn",
    "bomb_whitespace.xlsx": "VAXUTILS_MAX_SHEET_MB",
    "bomb_giant_cell.xlsx": "VAXUTILS_MAX_SHEET_MB",
    "bomb_shared_string.xlsx": "VAXUTILS_MAX_STRINGS_MB",
    "bomb_empty_rows.xlsx": "VAXUTILS_MAX_SHEET_MB",
    "bomb_cell_under_cap.xlsx": "VAXUTILS_MAX_CELL_CHARS",
    "bomb_long_line.csv": "VAXUTILS_MAX_CELL_CHARS",
    "bomb_many_fields.csv": "VAXUTILS_MAX_COLUMNS",
    "bomb_big_text.csv": "VAXUTILS_MAX_TEXT_MB",
    "bomb_lying_size.xlsx": "hỏng",
    "cols_20000.csv": "VAXUTILS_MAX_COLUMNS",
    "bomb_ods_rows.ods": "VAXUTILS_MAX_CELLS",
    "bomb_ods_columns.ods": "VAXUTILS_MAX_COLUMNS",
    "bomb_ods_far_row.ods": "VAXUTILS_MAX_ROWS",
    "formulas_uncached_ids.xlsx": "công thức chưa được tính",
    "formulas_uncached_all.xlsx": "công thức chưa được tính",
    "formulas_openpyxl.xlsx": "công thức chưa được tính",
    "hidden_only_data.xlsx": "trang tính ẩn",
    "very_hidden.xlsx": "trang tính ẩn",
    "password.xlsx": "mật khẩu",
    "password.xls": "mật khẩu",
    "html_named.xlsx": "HTML",
    "pdf_named.xlsx": "PDF",
    "docx_named.xlsx": "Word",
    "row_past_excel.xlsx": "1,048,576",
    "empty.xlsx": "0 byte",
    "no_members.xlsx": "tệp nén",
    "missing_sheet_part.xlsx": "hỏng",
    "bad_crc.xlsx": "hỏng",
}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _screen(path: Path, out: Path) -> tuple[object, str]:
    """Run ``vaxutils screen`` in this process, as the console script does; (exit code, output)."""
    argv = ["vaxutils", "screen", str(path), "--out", str(out), "--no-contracts",
            "--export-date", "2022-05-01"]  # fmt: skip
    captured = io.StringIO()
    old_argv, sys.argv = sys.argv, argv
    try:
        with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
            try:
                main()
                code = 0
            except SystemExit as stop:
                code = stop.code
    finally:
        sys.argv = old_argv
    return code, captured.getvalue()


@pytest.fixture(scope="module")
def screened(tmp_path_factory):
    """The corpus, each file screened once at the default caps (the size bombs of ``LOWERED`` with
    ``LOW_LIMITS``): {name: (exit code, output, out dir)}."""
    root = tmp_path_factory.mktemp("adversarial")
    corpus = root / "corpus"
    made = build_corpus(corpus)
    before = {p.name: _sha(p) for p in corpus.iterdir()}
    results = {}
    for name in sorted(made):
        out = root / "out" / Path(name).stem
        with pytest.MonkeyPatch.context() as patch:
            for variable in [
                v for v in os.environ if v.startswith(("VAXUTILS_MAX_", "VAXUTILS_RATIO"))
            ]:
                patch.delenv(variable)  # the defaults, whatever the shell says
            for variable, value in LOW_LIMITS.items() if name in LOWERED else ():
                patch.setenv(variable, value)
            code, text = _screen(corpus / name, out)
        results[name] = (code, text, out)
    after = {p.name: _sha(p) for p in corpus.iterdir()}
    written = {p.relative_to(root).parts[0] for p in root.rglob("*")}
    return made, results, before, after, written


def test_corpus_is_big_enough(screened):
    made = screened[0]
    assert len(made) >= 60


def test_no_traceback_and_a_message_on_failure(screened):
    _, results, *_ = screened
    problems = []
    for name, (code, text, out) in results.items():
        flat = " ".join(text.split())
        if code not in (0, 1, 2):
            problems.append(f"{name}: exit code {code!r}")
        if "Traceback" in text:
            problems.append(f"{name}: traceback")
        if code == 2 and not (flat.startswith("Lỗi:") and " — " in flat):
            problems.append(f"{name}: no Vietnamese-then-English message: {flat[:200]}")
        if code == 0 and not (out / "findings.csv").is_file():
            problems.append(f"{name}: exit 0 but no findings.csv")
    assert not problems, "\n".join(problems)


def test_inputs_unchanged_and_nothing_written_outside_out(screened):
    _, _, before, after, written = screened
    assert after == before  # byte-identical, and no file added next to the inputs
    assert written <= {"corpus", "out"}


@pytest.mark.parametrize("name, words", sorted(EXPECTED.items()))
def test_message_says_what_the_file_is(screened, name, words):
    _, results, *_ = screened
    code, text, _ = results[name]
    flat = " ".join(text.split())
    assert code == 2, flat[:300]
    assert words in flat, flat[:400]
    assert re.sub(r"\s+", " ", Path(name).name) in flat  # the file is named
    if name.endswith(".parquet"):
        assert "Save As" not in flat  # a Parquet file is not re-saved from Excel
    if name.startswith("cut_") and name.endswith(".xlsx"):
        assert "Word" not in flat


def test_merged_village_is_filled_down_with_an_info_finding(screened):
    _, results, *_ = screened
    code, _, out = results["merged_village.xlsx"]
    assert code == 0
    records = pd.read_parquet(out / "records.parquet")
    assert records["village"].notna().all()  # 12 people, 3 merged ranges of 4 rows
    assert records["village"].tolist() == ["Thôn 1"] * 4 + ["Thôn 2"] * 4 + ["Thôn 3"] * 4
    findings = pd.read_csv(out / "findings.csv", dtype=str)
    filled = findings[findings["code"] == "merged_cell_filled"]
    assert len(filled) == 9 and set(filled["severity"]) == {"info"}
    assert set(filled["field"]) == {"village"}


def test_ods_repeats_and_merges(screened):
    """An ods's own repetition: LibreOffice's blank rows to the end cost nothing, a merged
    village is filled down as in an xlsx (the bombs are in EXPECTED)."""
    _, results, *_ = screened
    for name in ("ods_good.ods", "ods_trailing_blank.ods", "ods_merged_village.ods"):
        code, text, out = results[name]
        assert code == 0, text[:300]
        records = pd.read_parquet(out / "records.parquet")
        assert len(records) == 12 and records["village"].notna().all()
    records = pd.read_parquet(results["ods_merged_village.ods"][2] / "records.parquet")
    assert records["village"].tolist() == ["Thôn 1"] * 4 + ["Thôn 2"] * 4 + ["Thôn 3"] * 4
    findings = pd.read_csv(results["ods_merged_village.ods"][2] / "findings.csv", dtype=str)
    assert (findings["code"] == "merged_cell_filled").sum() == 9


def test_merged_range_running_past_the_data_makes_no_record(screened):
    _, results, *_ = screened
    code, _, out = results["merged_past_end.xlsx"]
    assert code == 0
    assert len(pd.read_parquet(out / "records.parquet")) == 12


def test_hidden_sheet_and_stray_formulas_are_mentioned(screened):
    _, results, *_ = screened
    for name, code_word in [
        ("hidden_and_visible.xlsx", "hidden_sheet_data"),
        ("formulas_uncached_note.xlsx", "formulas_without_values"),
    ]:
        code, _, out = results[name]
        assert code == 0
        warnings = json.loads((out / "summary.json").read_text(encoding="utf-8"))["source_warnings"]
        text = " ".join(warnings)
        assert ("trang tính ẩn" if code_word == "hidden_sheet_data" else "công thức") in text
