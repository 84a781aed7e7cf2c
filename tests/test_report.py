"""Report tables, masking, display, pages and the commune notebook on a hand-made screen output."""

from __future__ import annotations

import re

import nbformat
import pandas as pd
import pytest
import report_fixture as fx

from vaxutils import report
from vaxutils.report.export import notebook_to_html
from vaxutils.report.pages import NotSelfContained

UNMASKED_ID = re.compile(r"(?<![\d*])\d{9}(?:\d{3})?(?![\d*])")
PHONE = re.compile(r"(?<![\d*])0[35789]\d{8}(?![\d*])")


@pytest.fixture
def screen_output() -> report.ScreenOutput:
    return report.ScreenOutput(fx.findings(), fx.records(), fx.doses(), fx.summary())


@pytest.fixture
def mine(screen_output) -> report.ScreenOutput:
    return report.prepare_output(screen_output, fx.COMMUNE, mask=False)


# --- masking -----------------------------------------------------------------------------------


def test_mask_frame_masks_findings_values_only_for_sensitive_fields(screen_output):
    masked = report.mask_frame(screen_output.findings)
    by_field = masked.set_index(["record_id", "field"])
    assert by_field.loc[("R3", "id_number"), "value"] == "409*****45"
    assert by_field.loc[("R3", "id_number"), "suggestion"] == "004*******45"
    assert by_field.loc[("R4", "sex"), "suggestion"] == "Nữ"
    assert screen_output.findings.loc[2, "value"] == "4095012345"  # input untouched


# --- inputs ------------------------------------------------------------------------------------


def test_prepare_output_keeps_one_commune_and_masks(screen_output):
    out = report.prepare_output(screen_output, fx.COMMUNE)
    assert "X1" not in set(out.records["record_id"]) | set(out.findings["record_id"])
    assert "X1" not in set(out.doses["record_id"])
    assert not out.records["id_raw"].str.contains(r"\d{6}", na=False).any()
    assert len(screen_output.records) == 8  # input untouched


def test_load_screen_output_round_trip_and_missing(tmp_path):
    fx.write(tmp_path / "s")
    loaded = report.load_screen_output(tmp_path / "s")
    assert len(loaded.records) == 8 and loaded.summary["export_date"] == "2022-05-10"
    with pytest.raises(report.ScreenOutputMissing, match="vaxutils screen"):
        report.load_screen_output(tmp_path / "nothing")


# --- tables ------------------------------------------------------------------------------------


def test_headline_table(mine):
    t = report.headline_table(mine.records, mine.findings, mine.doses).set_index("indicator")
    assert t.loc["records", "value"] == 7
    assert t.loc["persons", "value"] == 6  # R1 and R5 are one person
    assert t.loc["doses", "value"] == 11
    assert t.loc["missing_id", "value"] == 1 and t.loc["duplicate", "value"] == 2
    assert t.loc["personal_info", "value"] == 2  # R4 (error) and R7 (warning)
    assert t.loc["missing_id", "share"] == pytest.approx(14.3)
    assert pd.isna(t.loc["records", "share"])


def test_findings_by_category_and_code(mine):
    cat = report.findings_by_category_table(mine.findings).set_index("category")
    assert cat.loc["normalized", "n_records"] == 0  # info findings are never problems
    assert cat.loc["normalized", "n_info"] == 1
    assert cat.loc["personal_info", ["n_errors", "n_warnings"]].tolist() == [1, 1]
    only_problems = report.findings_by_code_table(mine.findings, include_info=False)
    assert set(only_problems["severity"]) <= {"error", "warning"}
    assert len(only_problems) < len(report.findings_by_code_table(mine.findings))
    code = report.findings_by_code_table(mine.findings, top=2)
    assert code.loc[0, "code"] == "duplicate_person" and code.loc[0, "n_findings"] == 2
    assert len(code) == 2
    assert report.findings_by_code_table(mine.findings.iloc[0:0]).empty


def test_findings_by_village_worst_first(mine):
    t = report.findings_by_village_table(mine.records, mine.findings)
    assert t["village"].tolist()[0] in {"(không rõ thôn)", "Thôn Nà Ngần"}
    row = t.set_index("village").loc["Bản Giốc"]
    assert (row["n_records"], row["n_needs_fix"], row["duplicate"], row["dose"]) == (3, 2, 1, 1)
    assert row["problem_rate"] == pytest.approx(66.7)


def test_worklist_table(mine):
    t = report.worklist_table(mine.records, mine.findings)
    assert t["record_id"].tolist() == ["R7", "R4", "R5", "R1", "R2", "R3"]
    r4 = t.set_index("record_id").loc["R4"]
    assert "Giới tính" in r4["problems"] and "Khoảng cách" in r4["problems"]
    assert r4["suggestions"] == "Giới tính: Nữ" and r4["severity"] == "error"
    assert "R6" not in set(t["record_id"])  # info-only record
    one = report.worklist_table(mine.records, mine.findings, village="Bản Giốc")
    assert set(one["village"]) == {"Bản Giốc"}


def test_duplicates_and_dose_problems(mine):
    dup = report.duplicates_table(mine.records, mine.findings)
    assert dup[["group", "record_id"]].values.tolist() == [[1, "R1"], [1, "R5"]]
    dose = report.dose_problems_table(mine.findings, mine.records)
    assert dose[["record_id", "code", "full_name"]].values.tolist() == [
        ["R4", "dose_interval_too_short", "Hoàng Thị Dung"]
    ]
    empty = mine.findings.iloc[0:0]
    assert report.duplicates_table(mine.records, empty).empty


def test_quality_tables(mine):
    comp = report.completeness_table(mine.records, mine.doses).set_index("field")
    assert comp.loc["phone", "n_missing"] == 2 and comp.loc["id_raw", "n_missing"] == 1
    assert comp.loc["full_name", "completeness"] == 100.0
    seq = report.dose_sequence_table(mine.doses, mine.records).set_index("dose")
    assert seq["n_persons"].tolist() == [1, 6, 4, 1, 0]
    assert seq.loc[1, "dropout"] == pytest.approx(33.3)
    monthly = report.monthly_doses_table(mine.doses, "2022-05-10")
    assert monthly["n_doses"].sum() == 11 and monthly["outlier"].dtype == bool


def test_tables_do_not_mutate_inputs(mine):
    before = [mine.records.copy(), mine.findings.copy(), mine.doses.copy()]
    report.headline_table(mine.records, mine.findings, mine.doses)
    report.worklist_table(mine.records, mine.findings)
    report.duplicates_table(mine.records, mine.findings)
    report.completeness_table(mine.records, mine.doses)
    for a, b in zip(before, [mine.records, mine.findings, mine.doses], strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_overview_tables():
    runs = pd.DataFrame(
        [
            report.runs_row(
                "01420", {"n_records": 10, "n_records_with_errors": 5, "export_date": "2022-05-01"}
            ),
            report.runs_row(
                "01420", {"n_records": 10, "n_records_with_errors": 1, "export_date": "2022-05-20"}
            ),
            report.runs_row(
                "01423", {"n_records": 4, "n_records_with_errors": 2, "export_date": "2022-05-20"}
            ),
        ]
    )
    ranking = report.commune_ranking_table(runs)
    assert ranking["commune_code"].tolist() == ["01423", "01420"]
    assert ranking["problem_rate"].tolist() == [50.0, 10.0]
    assert report.has_progress(runs)
    assert report.progress_table(runs)["days_to_deadline"].tolist() == [31, 12, 12]
    assert report.totals_table(runs).loc[0, "n_records"] == 14


def test_explore_helpers(mine):
    assert set(report.filter_findings(mine.findings, category="dose")["record_id"]) == {"R4"}
    assert (
        report.filter_findings(mine.findings, village="Bản Giốc", records=mine.records)[
            "record_id"
        ].nunique()
        == 2
    )
    history = report.person_history("R1", mine.records, mine.doses, mine.findings)
    assert set(history["records"]["record_id"]) == {"R1", "R5"}
    assert len(history["doses"]) == 3


# --- display, charts, pages --------------------------------------------------------------------


def test_show_cards_one_block_per_record(mine):
    worklist = report.worklist_table(mine.records, mine.findings)
    cards = report.show_cards(worklist, "Thôn: Bản Giốc", top=4)
    page = cards._repr_html_()
    assert len(re.findall(r"<div class=.vx-card vx-", page)) == 4 and "Hiển thị 4/6" in page
    r4 = worklist.set_index("record_id").loc["R4"]
    assert page.count("<li>") >= r4["problems"].count(report.tables.ITEM_SEP) + 1
    assert "Gợi ý sửa" in page and "Giới tính: Nữ" in page
    assert "R4" in repr(cards)  # the plain-text form is the table
    assert (
        "<script" not in report.show_cards(worklist.assign(full_name="<script>"), "x")._repr_html_()
    )
    assert "Không có dòng nào" in report.show_cards(worklist.iloc[0:0], "x")._repr_html_()


def test_show_picks_columns():
    t = report.show(pd.DataFrame({"code": ["a"], "message": ["Thiếu"]}), "T", columns=["message"])
    assert "Mã lỗi" not in repr(t) and "Thiếu" in repr(t)


def test_deadline_note_handles_junk():
    for junk in (None, "", "không rõ", 3.5, object(), float("nan")):
        assert report.deadline_note(junk) == "Chưa rõ ngày xuất dữ liệu."
    assert "quá hạn" in report.deadline_note("2022-06-10")


def test_show_labels_and_truncates():
    df = pd.DataFrame({"village": [f"Thôn {i}" for i in range(30)], "n_records": range(30)})
    shown = report.show(df, "Theo thôn", top=5)
    text = repr(shown)
    assert "Thôn/Ấp/Tổ/Bản" in text and "Hiển thị 5/30 dòng" in text and "Thôn 5" not in text
    html = shown._repr_html_()
    assert "vx-scroll" in html and "<h3>Theo thôn</h3>" in html
    assert "Không có dòng nào" in repr(report.show(df.iloc[0:0], "Trống"))


def test_charts_render_png(mine):
    chart = report.findings_by_category_chart(report.findings_by_category_table(mine.findings))
    assert chart._repr_png_().startswith(b"\x89PNG")
    assert repr(chart) == "Biểu đồ: Số bản ghi theo danh sách"
    assert chart.data_uri().startswith("data:image/png;base64,")


def test_pages_are_self_contained():
    report.assert_self_contained(report.html_page("t", "<p>ok</p>"))
    for bad in (
        '<script src="https://cdn.example/require.js"></script>',
        '<link rel="stylesheet" href="https://fonts.example/x.css">',
        '<img src="//cdn.example/a.png">',
    ):
        with pytest.raises(NotSelfContained):
            report.assert_self_contained(report.html_page("t", bad))


def test_index_page_lists_failures_and_links():
    page = report.index_page(
        [
            {
                "commune_code": "01420",
                "commune_name": "Xã A",
                "status": "ok",
                "n_records": 5,
                "report": "01420/report.html",
            },
            {
                "commune_code": "01423",
                "commune_name": "Xã <B>",
                "status": "failed",
                "error": "hỏng",
            },
        ],
        links={"Tổng hợp": "overview.html"},
    )
    assert 'href="01420/report.html"' in page and "hỏng" in page and "Xã &lt;B&gt;" in page
    assert "1 xã lỗi" in page and 'href="overview.html"' in page
    report.assert_self_contained(page)


def test_notebook_to_html_drops_code_stderr_and_tagged_cells():
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("secret_code = 1")
    code.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="xin chào\n"),
        nbformat.v4.new_output("stream", name="stderr", text="DeprecationWarning\n"),
    ]
    hidden = nbformat.v4.new_code_cell("x = 2", metadata={"tags": ["remove_cell"]})
    hidden.outputs = [nbformat.v4.new_output("stream", name="stdout", text="ẩn\n")]
    chart = nbformat.v4.new_code_cell("chart")
    chart.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "c"}
        )
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("# Tiêu đề"), code, hidden, chart]
    page = notebook_to_html(nb, "Thử")
    assert '<img alt="Biểu đồ" src="data:image/png;base64,iVBORw0KGgo="' in page  # Vietnamese alt
    assert "No description" not in page
    assert "xin chào" in page and "Tiêu đề" in page
    assert "secret_code" not in page and "DeprecationWarning" not in page and "ẩn" not in page
    assert '<meta name="viewport"' in page


# --- the commune notebook, end to end on the fixture ---------------------------------------------


def assert_no_pii(page: str) -> None:
    text = re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "", page)
    assert not [m for m in UNMASKED_ID.findall(text) if set(m) != {"0"}]
    assert not PHONE.search(text), PHONE.search(text)


def test_commune_notebook_renders_masked_self_contained_html(tmp_path, capfd):
    screen = fx.write(tmp_path / "screen")
    html_path = report.render_report(
        report.COMMUNE_NOTEBOOK,
        {"commune_code": fx.COMMUNE, "screen_dir": str(screen), "export_date": "2022-05-15"},
        tmp_path / "report.ipynb",
        tmp_path / "out" / "report.html",
        "Báo cáo",
    )
    # the kernel (a child process) writes to the same terminal: a user must see nothing of it
    terminal = capfd.readouterr()
    assert "IPKernelApp" not in terminal.err + terminal.out
    assert "KeyboardInterrupt" not in terminal.err + terminal.out
    page = html_path.read_text("utf-8")
    assert "còn 17 ngày đến hạn làm sạch 01/06/2022" in page
    assert len(re.findall(r"<div class=.vx-card vx-", page)) >= 3  # the worklist as cards
    assert html_path.stat().st_size < 1_000_000
    report.assert_self_contained(page)
    assert_no_pii(page)
    assert "Trần Văn Khác" not in page  # the other commune's person
    assert "Nguyễn Văn An" in page and "004*******45" in page
    assert "from vaxutils import" not in page  # no code cells
    assert page.count("data:image/png;base64,") >= 3
    executed = nbformat.read(tmp_path / "report.ipynb", as_version=4)
    assert not any("def " in c.source for c in executed.cells if c.cell_type == "code")


def test_overview_and_explore_notebooks_run(tmp_path):
    import vaxutils.report.run as run

    runs = pd.DataFrame(
        [
            report.runs_row(
                "01420", {"n_records": 10, "n_records_with_errors": 4, "export_date": d}
            )
            for d in ("2022-05-02", "2022-05-20")
        ]
        + [
            report.runs_row(
                "01423", {"n_records": 8, "n_records_with_errors": 1, "export_date": "2022-05-20"}
            )
        ]
    )
    runs.to_csv(tmp_path / "runs.csv", index=False)
    overview = report.render_report(
        report.OVERVIEW_NOTEBOOK,
        {"batch_dir": str(tmp_path), "title": "Huyện Hà Quảng"},
        tmp_path / "overview.ipynb",
        tmp_path / "overview.html",
        "Tổng hợp",
    )
    page = overview.read_text("utf-8")
    assert "Huyện Hà Quảng" in page and "Xếp hạng xã" in page and "Tiến độ" in page
    report.assert_self_contained(page)

    screen = fx.write(tmp_path / "screen")
    explored = run.execute_notebook(
        run.NOTEBOOK_DIR / "explore_anomalies.ipynb",
        tmp_path / "explore.ipynb",
        {"commune_code": fx.COMMUNE, "screen_dir": str(screen), "category": "duplicate"},
    )
    text = explored.read_text("utf-8")
    assert "duplicate_person" in text and "Nguyễn Văn An" in text
