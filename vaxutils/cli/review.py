"""``vaxutils review out|in``: step S2, the village review workbook and its return."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from vaxutils.cli._app import app
from vaxutils.cli.screen import parse_day, vn_number
from vaxutils.io.one_commune import one_commune
from vaxutils.io.paths import check_out_dir, check_out_file


def keep_one_commune(screening, commune: str | None):
    """A shared export's screen folder: the commune's own people only, as in its report."""
    mine = one_commune(screening.records, screening.findings, screening.doses, commune)
    return replace(screening, records=mine.records, findings=mine.findings, doses=mine.doses)


review_app = typer.Typer(
    help="Bước S2: gửi danh sách rà soát cho thôn/ấp và nhận lại / village review round trip.",
    no_args_is_help=True,
)
app.add_typer(review_app, name="review")

_SHOWN_PROBLEMS = 15


@review_app.command("out")
def review_out(
    screened: Path = typer.Argument(..., help="Thư mục kết quả của 'vaxutils screen'."),
    out: Path = typer.Option(..., "--out", help="Tệp Excel rà soát sẽ tạo (.xlsx)."),
    commune: str | None = typer.Option(
        None,
        "--commune",
        help="Tên xã (hoặc mã xã), ghi ở đầu mỗi trang; bắt buộc khi thư mục sàng lọc có nhiều xã.",
    ),
) -> None:
    """Tạo sổ rà soát: mỗi thôn một trang, các đối tượng cần rà soát / Write the review workbook."""
    from vaxutils.stages import load_screen, run_review_out

    check_out_file(out)
    screening = keep_one_commune(load_screen(screened), commune)
    written = run_review_out(screening, out, commune=commune)
    path, sheets = written.path, written.sheets
    console = Console()
    table = Table(title=f"Sổ rà soát: {path.name}")
    table.add_column("Thôn/Ấp/Tổ")
    table.add_column("Số đối tượng cần rà soát", justify="right")
    for village, rows in sheets.items():
        table.add_row(village, vn_number(len(rows)))
    console.print(table)
    total = sum(len(rows) for rows in sheets.values())
    if not total:
        console.print("Không có đối tượng nào cần thôn/ấp rà soát.")
    console.print(
        f"{vn_number(total)} đối tượng trong {len(sheets)} thôn. Đã ghi [bold]{path}[/]: gửi cho các tổ "
        "rà soát, nhận lại rồi chạy 'vaxutils review in'."
    )


@review_app.command("in")
def review_in(
    workbook: Path = typer.Argument(..., help="Sổ rà soát các thôn gửi lại (.xlsx)."),
    screened: Path = typer.Option(
        ..., "--screened", help="Thư mục kết quả 'vaxutils screen' đã dùng để tạo sổ."
    ),
    out: Path = typer.Option(..., "--out", help="Thư mục ghi kết quả rà soát."),
    export_date: str | None = typer.Option(
        None, "--export-date", help="Ngày xuất dữ liệu (dd/mm/yyyy); mặc định: như lúc sàng lọc."
    ),
    allow_undecided: bool = typer.Option(
        False, "--allow-undecided", help="Chấp nhận sổ còn dòng chưa có kết luận."
    ),
    no_contracts: bool = typer.Option(
        False, "--no-contracts", help="Bỏ qua kiểm tra hợp đồng dữ liệu village_review."
    ),
) -> None:
    """Nhận lại sổ rà soát, kiểm tra từng dòng / Read the returned workbook and check it.

    Thoát với mã 1 khi còn lỗi phải gửi lại thôn sửa.
    """
    from vaxutils.stages import load_screen, run_review_in

    check_out_dir(out)
    result = run_review_in(
        workbook,
        load_screen(screened),
        out,
        export_day=parse_day(export_date),
        allow_undecided=allow_undecided,
        check_contracts=not no_contracts,
    )
    console = Console()
    _print_decisions(console, result.review)
    if result.checked is not None:
        console.print(result.checked.summary_vi(), highlight=False)
    print_problems(console, result.problems)
    console.print(
        f"Đã ghi [bold]{out}[/] (review.parquet, review.csv, changes.csv: {vn_number(len(result.changes))} "
        "thông tin sửa; review_problems.csv)."
    )
    if not result.ok:
        raise typer.Exit(1)


def _print_decisions(console: Console, review: pd.DataFrame) -> None:
    table = Table(title="Kết luận của các tổ")
    table.add_column("Kết luận")
    table.add_column("Số đối tượng", justify="right")
    counts = review["decision"].fillna("(chưa có kết luận)").value_counts(sort=False)
    for decision, count in counts.items():
        table.add_row(str(decision), vn_number(int(count)))
    console.print(table)


def print_problems(
    console: Console, problems: pd.DataFrame, file: str = "review_problems.csv"
) -> None:
    errors = int(problems["severity"].eq("error").sum())
    warnings = int(problems["severity"].eq("warning").sum())
    if not len(problems):
        console.print("[green]Không có lỗi.[/]")
        return
    if not errors:
        console.print("[green]Không có lỗi phải gửi lại[/] (chỉ có cảnh báo).")
    console.print(f"[bold]Cần xem lại: {vn_number(errors)} lỗi, {vn_number(warnings)} cảnh báo[/]")
    shown = problems.sort_values("severity", kind="stable").head(_SHOWN_PROBLEMS)
    for p in shown.itertuples(index=False):
        # one line per problem, where to look first: sheet, row, column, the record id as printed
        where = [
            f"trang '{p.sheet}'" if pd.notna(p.sheet) else None,
            f"dòng {p.row}" if pd.notna(p.row) else None,
            f"cột '{p.column}'" if pd.notna(p.column) else None,
            f"mã {p.record_id}" if pd.notna(p.record_id) else None,
        ]
        level = "[red]Lỗi[/]" if p.severity == "error" else "[yellow]Cảnh báo[/]"
        place = ", ".join(w for w in where if w)
        console.print(
            f"{level} {place}: {p.message}" if place else f"{level}: {p.message}",
            highlight=False,
            soft_wrap=True,
        )
    if len(problems) > _SHOWN_PROBLEMS:
        console.print(f"… và {vn_number(len(problems) - _SHOWN_PROBLEMS)} dòng nữa trong {file}.")
